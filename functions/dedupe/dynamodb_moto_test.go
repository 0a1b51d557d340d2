package main

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/test/moto/mototest"
)

// motoStack is a dedupe handler over the DynamoDB adapter over a fresh table
// in moto, with a clock the test sets.
type motoStack struct {
	t       *testing.T
	client  *dynamodb.Client
	table   string
	handler *Handler
	now     time.Time
}

func newMotoStack(t *testing.T, client *dynamodb.Client) *motoStack {
	t.Helper()
	table := "alerts-" + regexp.MustCompile(`[^A-Za-z0-9_.-]`).ReplaceAllString(t.Name(), "-")
	ctx := context.Background()
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("create table %s: %v", table, err)
	}
	s := &motoStack{t: t, client: client, table: table, now: time.Date(2025, 11, 23, 9, 0, 0, 0, time.UTC)}
	s.handler = NewHandler(NewDynamoDB(client, table), zerolog.Nop(), testConfig)
	s.handler.now = func() time.Time { return s.now }
	return s
}

// event is the test finding as reported by the event with id eventID.
func event(eventID string) *finding.Finding {
	f := testFinding()
	f.EventID = eventID
	return f
}

// do runs action for eventID in the execution "exec-<eventID>".
func (s *motoStack) do(action finding.DedupeAction, eventID string) finding.DedupeResult {
	s.t.Helper()
	res, err := s.doIn(action, eventID, "exec-"+eventID)
	if err != nil {
		s.t.Fatalf("%s %s at %s: %v", action, eventID, s.now.Format(time.RFC3339), err)
	}
	return res
}

func (s *motoStack) doIn(action finding.DedupeAction, eventID, executionID string) (finding.DedupeResult, error) {
	return s.handler.Handle(context.Background(), finding.DedupeRequest{Action: action, Finding: event(eventID), Key: finding.AlertKey(event(eventID)), ExecutionID: executionID})
}

// inFlight claims as eventID in executionID and checks that the claim was
// refused by an alert in flight, held by holderEventID.
func (s *motoStack) inFlight(eventID, executionID, holderEventID string) {
	s.t.Helper()
	_, err := s.doIn(finding.ActionClaim, eventID, executionID)
	var inFlight *AlertInFlightError
	if !errors.As(err, &inFlight) || inFlight.Holder.EventID != holderEventID {
		s.t.Errorf("claim by %s in %s at %s: %v, want an AlertInFlightError held by %s", eventID, executionID, s.now.Format(time.RFC3339), err, holderEventID)
	}
}

// claim claims as eventID and checks whether the claim was granted and the
// window it reports.
func (s *motoStack) claim(eventID string, wantGranted bool, wantWindowEnds time.Time) {
	s.t.Helper()
	res := s.do(finding.ActionClaim, eventID)
	if got := !res.Duplicate; got != wantGranted {
		s.t.Errorf("claim by %s at %s: granted = %v, want %v", eventID, s.now.Format(time.RFC3339), got, wantGranted)
	}
	if got, want := res.WindowEnds, wantWindowEnds.UTC().Format(time.RFC3339); got != want {
		s.t.Errorf("claim by %s at %s: windowEnds = %s, want %s", eventID, s.now.Format(time.RFC3339), got, want)
	}
}

// item returns the stored alert as "attribute": "S:text"/"N:digits", or nil
// when there is none.
func (s *motoStack) item() map[string]string {
	s.t.Helper()
	out, err := s.client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{"pk": pk(finding.AlertKey(testFinding()))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		s.t.Fatalf("get item: %v", err)
	}
	if out.Item == nil {
		return nil
	}
	return attrs(s.t, out.Item)
}

func (s *motoStack) wantItem(eventID, status string) {
	s.t.Helper()
	it := s.item()
	if it == nil {
		s.t.Fatalf("no item, want one held by %s, %s", eventID, status)
	}
	if it["event_id"] != "S:"+eventID || it["status"] != "S:"+status {
		s.t.Errorf("item held by %s, %s; want %s, %s", it["event_id"], it["status"], eventID, status)
	}
}

func epochString(t time.Time) string { return "N:" + strconv.FormatInt(t.Unix(), 10) }

// TestDynamoDBMoto runs the condition expressions against moto's DynamoDB.
func TestDynamoDBMoto(t *testing.T) {
	url := mototest.Start(t)
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
		}),
	})
	day, lease := testConfig.Window, testConfig.Lease

	t.Run("claim, duplicate, release, claim", func(t *testing.T) {
		s := newMotoStack(t, client)
		t0 := s.now
		s.claim("e-1", true, t0.Add(day))

		want := map[string]string{
			"pk":           "S:alert#" + finding.AlertKey(testFinding()),
			"event_id":     "S:e-1",
			"status":       "S:pending",
			"window_ends":  epochString(t0.Add(day)),
			"lease_ends":   epochString(t0.Add(lease)),
			"claimed_at":   "S:2025-11-23T09:00:00Z",
			"execution_id": "S:exec-e-1",
			"event_name":   "S:AuthorizeSecurityGroupIngress",
			"ttl":          epochString(t0.Add(day + testConfig.Retention)),
		}
		if diff := cmp.Diff(want, s.item()); diff != "" {
			t.Errorf("item (-want +got):\n%s", diff)
		}

		s.now = t0.Add(time.Minute)
		s.claim("e-1", true, t0.Add(time.Minute+day)) // the same execution retrying its claim
		s.inFlight("e-1", "exec-e-1-again", "e-1")    // a redelivery while the first is in flight
		s.inFlight("e-2", "exec-e-2", "e-1")          // another event, same exposure

		s.do(finding.ActionRelease, "e-2") // not the holder: nothing to release
		s.wantItem("e-1", StatusPending)

		s.do(finding.ActionRelease, "e-1")
		if it := s.item(); it != nil {
			t.Fatalf("item after release = %v, want none", it)
		}
		s.do(finding.ActionRelease, "e-1") // released twice: nothing to release

		s.now = t0.Add(2 * time.Minute)
		s.claim("e-1", true, s.now.Add(day)) // the retry of the released event
	})

	t.Run("confirmed alert suppresses other events for its window", func(t *testing.T) {
		s := newMotoStack(t, client)
		t0 := s.now
		s.claim("e-1", true, t0.Add(day))
		s.do(finding.ActionConfirm, "e-1")
		s.wantItem("e-1", StatusSent)
		s.do(finding.ActionRelease, "e-1") // sent: never released
		s.wantItem("e-1", StatusSent)

		s.now = t0.Add(time.Hour)
		s.claim("e-2", false, t0.Add(day))
		s.now = t0.Add(day - time.Second)
		s.claim("e-2", false, t0.Add(day))

		// The window is over; the item is still there (TTL has not run),
		// and the condition alone lets the claim through.
		s.now = t0.Add(day)
		s.wantItem("e-1", StatusSent)
		s.claim("e-2", true, s.now.Add(day))
		s.wantItem("e-2", StatusPending)

		// The old holder cannot confirm or release the new claim.
		s.do(finding.ActionConfirm, "e-1")
		s.do(finding.ActionRelease, "e-1")
		s.wantItem("e-2", StatusPending)
	})

	t.Run("sent event is a duplicate after its window", func(t *testing.T) {
		s := newMotoStack(t, client)
		t0 := s.now
		s.claim("e-1", true, t0.Add(day))
		s.do(finding.ActionConfirm, "e-1")

		s.now = t0.Add(2 * day)
		s.claim("e-1", false, t0.Add(day)) // a late redelivery of a sent event
		s.wantItem("e-1", StatusSent)
		s.claim("e-2", true, s.now.Add(day)) // another event: a new alert
	})

	t.Run("lease expiry lets another event take over", func(t *testing.T) {
		s := newMotoStack(t, client)
		t0 := s.now
		s.claim("e-1", true, t0.Add(day)) // e-1's execution then dies unconfirmed

		s.now = t0.Add(lease - time.Second)
		s.inFlight("e-2", "exec-e-2", "e-1")

		s.now = t0.Add(lease)
		s.claim("e-2", true, s.now.Add(day))
		s.wantItem("e-2", StatusPending)

		s.do(finding.ActionConfirm, "e-1") // too late: taken over
		s.wantItem("e-2", StatusPending)
		s.do(finding.ActionConfirm, "e-2")
		s.wantItem("e-2", StatusSent)
	})

	t.Run("lease expiry lets the same event claim again", func(t *testing.T) {
		s := newMotoStack(t, client)
		t0 := s.now
		s.claim("e-1", true, t0.Add(day))

		s.now = t0.Add(lease)
		s.claim("e-1", true, s.now.Add(day))
		s.wantItem("e-1", StatusPending)
	})

	t.Run("store errors are DedupeStoreError", func(t *testing.T) {
		h := NewHandler(NewDynamoDB(client, "no-such-table"), zerolog.Nop(), testConfig)
		_, err := h.Handle(context.Background(), finding.DedupeRequest{Action: finding.ActionClaim, Finding: testFinding()})
		var storeErr *DedupeStoreError
		if !errors.As(err, &storeErr) {
			t.Fatalf("err = %v, want a *DedupeStoreError", err)
		}
		var notFound *types.ResourceNotFoundException
		if !errors.As(err, &notFound) {
			t.Errorf("err = %v, want it to wrap ResourceNotFoundException", err)
		}
	})
}
