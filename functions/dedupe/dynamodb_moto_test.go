package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
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
	return s.handle(finding.DedupeRequest{Action: action, Finding: event(eventID), Key: finding.AlertKey(event(eventID)), ExecutionID: executionID})
}

func (s *motoStack) handle(req finding.DedupeRequest) (finding.DedupeResult, error) {
	return s.handler.Handle(context.Background(), req)
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
func (s *motoStack) claim(eventID string, wantGranted bool, wantWindowEnds time.Time) finding.DedupeResult {
	s.t.Helper()
	res := s.do(finding.ActionClaim, eventID)
	if got := !res.Duplicate; got != wantGranted {
		s.t.Errorf("claim by %s at %s: granted = %v, want %v", eventID, s.now.Format(time.RFC3339), got, wantGranted)
	}
	if got, want := res.WindowEnds, wantWindowEnds.UTC().Format(time.RFC3339); got != want {
		s.t.Errorf("claim by %s at %s: windowEnds = %s, want %s", eventID, s.now.Format(time.RFC3339), got, want)
	}
	return res
}

// get returns the item under pk as "attribute": "S:text"/"N:digits" (lists,
// maps and sets as "L", "M", "SS:<n>"), or nil when there is none.
func (s *motoStack) get(pk types.AttributeValue) map[string]string {
	s.t.Helper()
	out, err := s.client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: map[string]types.AttributeValue{"pk": pk}, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		s.t.Fatalf("get item: %v", err)
	}
	if out.Item == nil {
		return nil
	}
	return attrs(s.t, out.Item)
}

// item returns the stored alert of the test finding.
func (s *motoStack) item() map[string]string {
	s.t.Helper()
	return s.get(pk(finding.AlertKey(testFinding())))
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

func motoClient(t *testing.T) *dynamodb.Client {
	url := mototest.Start(t)
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, nil
		}),
	})
}

// TestDynamoDBMoto runs the condition expressions against moto's DynamoDB.
func TestDynamoDBMoto(t *testing.T) {
	client := motoClient(t)
	day, lease := testConfig.Window, testConfig.Lease

	t.Run("claim, duplicate, release, claim", func(t *testing.T) {
		s := newMotoStack(t, client)
		t0 := s.now
		s.claim("e-1", true, t0.Add(day))

		key := finding.AlertKey(testFinding())
		want := map[string]string{
			"pk":              "S:alert#" + key,
			"event_id":        "S:e-1",
			"status":          "S:pending",
			"window_ends":     epochString(t0.Add(day)),
			"lease_ends":      epochString(t0.Add(lease)),
			"claimed_at":      "S:2025-11-23T09:00:00Z",
			"execution_id":    "S:exec-e-1",
			"event_name":      "S:AuthorizeSecurityGroupIngress",
			"ttl":             epochString(t0.Add(day + testConfig.Retention)),
			"ver":             "N:1",
			"alert_id":        "S:" + lifecycle.AlertID(key, "e-1"),
			"claim":           "S:new",
			"events":          "N:1",
			"repeats":         "N:0",
			"opened_by":       "S:arn:aws:iam::123456789012:user/dev",
			"opened_by_event": "S:e-1",
			"severity":        "S:high",
			"account":         "S:123456789012",
			"region":          "S:eu-west-1",
			"first_seen":      "S:2025-11-23T09:00:00Z",
			"last_seen":       "S:2025-11-23T09:00:00Z",
			"resources":       "L:1",
			"exposure":        "L:1",
			"open":            "L:1",
			"indexed":         "SS:sg-1",
		}
		if diff := cmp.Diff(want, s.item()); diff != "" {
			t.Errorf("item (-want +got):\n%s", diff)
		}
		if got := s.get(indexKey("123456789012", "eu-west-1", "sg-1")); got["keys"] != "SS:"+key {
			t.Errorf("index of sg-1: %v", got)
		}
		if got := s.get(markerKey(key, "e-1")); got == nil {
			t.Error("no marker for e-1")
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
		if got := s.get(markerKey(key, "e-1")); got != nil {
			t.Error("the released event is still counted")
		}
		s.do(finding.ActionRelease, "e-1") // released twice: nothing to release

		s.now = t0.Add(2 * time.Minute)
		s.claim("e-1", true, s.now.Add(day)) // the retry of the released event
	})

	t.Run("confirmed alert suppresses other events for its window", func(t *testing.T) {
		s := newMotoStack(t, client)
		t0 := s.now
		s.claim("e-1", true, t0.Add(day))
		s.handle(finding.DedupeRequest{Action: finding.ActionConfirm, Finding: event("e-1"), Key: finding.AlertKey(event("e-1")), MessageID: "m-1"})
		s.wantItem("e-1", StatusOpen)
		if got := s.item()["message_id"]; got != "S:m-1" {
			t.Errorf("opening message id %s", got)
		}
		s.do(finding.ActionRelease, "e-1") // sent: never released
		s.wantItem("e-1", StatusOpen)

		s.now = t0.Add(time.Hour)
		s.claim("e-2", false, t0.Add(day))
		s.now = t0.Add(day - time.Second)
		s.claim("e-3", false, t0.Add(day))
		if got := s.item(); got["events"] != "N:3" || got["repeats"] != "N:2" {
			t.Errorf("events %s repeats %s, want 3 and 2", got["events"], got["repeats"])
		}

		// The window is over; the item is still there (TTL has not run),
		// and the condition alone lets a new report claim it again: the
		// same alert (its id), still open, sent again.
		s.now = t0.Add(day)
		s.wantItem("e-1", StatusOpen)
		s.claim("e-2", false, t0.Add(day)) // e-2 was counted already: a redelivery, not a new report
		res := s.claim("e-4", true, s.now.Add(day))
		s.wantItem("e-4", StatusPending)
		if res.Alert.ID != lifecycle.AlertID(finding.AlertKey(testFinding()), "e-1") || res.Alert.Events != 4 || res.Alert.OpeningMessageID != "m-1" {
			t.Errorf("reminder %+v", res.Alert)
		}

		// The old holder cannot confirm or release the new claim.
		s.do(finding.ActionConfirm, "e-1")
		s.do(finding.ActionRelease, "e-1")
		s.wantItem("e-4", StatusPending)
		// A released reminder is the open alert again, its window ended.
		s.do(finding.ActionRelease, "e-4")
		s.wantItem("e-1", StatusOpen)
		s.claim("e-4", true, s.now.Add(day))
	})

	t.Run("sent event is a duplicate after its window", func(t *testing.T) {
		s := newMotoStack(t, client)
		t0 := s.now
		s.claim("e-1", true, t0.Add(day))
		s.do(finding.ActionConfirm, "e-1")

		s.now = t0.Add(2 * day)
		s.claim("e-1", false, t0.Add(day)) // a late redelivery of a sent event
		s.wantItem("e-1", StatusOpen)
		s.claim("e-2", true, s.now.Add(day)) // another event: sent again
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
		s.wantItem("e-2", StatusOpen)
	})

	t.Run("lease expiry lets the same event claim again", func(t *testing.T) {
		s := newMotoStack(t, client)
		t0 := s.now
		s.claim("e-1", true, t0.Add(day))

		s.now = t0.Add(lease)
		s.claim("e-1", true, s.now.Add(day))
		s.wantItem("e-1", StatusPending)
		s.now = t0.Add(2 * lease) // the retry renewed the lease
		if _, err := s.doIn(finding.ActionClaim, "e-1", "exec-other"); err != nil {
			t.Fatalf("the same event in another execution, after the lease: %v", err)
		}
		s.wantItem("e-1", StatusPending)
		if got := s.item()["events"]; got != "N:1" {
			t.Errorf("events %s after the same event took over: want 1", got)
		}
	})

	t.Run("50 deliveries of one event count once", func(t *testing.T) {
		s := newMotoStack(t, client)
		s.claim("e-1", true, s.now.Add(day))
		s.do(finding.ActionConfirm, "e-1")
		s.claim("e-2", false, s.now.Add(day))
		for i := range 50 {
			s.now = s.now.Add(time.Second)
			if _, err := s.doIn(finding.ActionClaim, "e-2", fmt.Sprintf("exec-%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		if got := s.item(); got["events"] != "N:2" || got["repeats"] != "N:1" {
			t.Errorf("events %s repeats %s, want 2 and 1", got["events"], got["repeats"])
		}
	})

	t.Run("resolve, then the exposure comes back", func(t *testing.T) {
		s := newMotoStack(t, client)
		key := finding.AlertKey(testFinding())
		first := s.claim("e-1", true, s.now.Add(day)).Alert.ID
		s.do(finding.ActionConfirm, "e-1")

		s.now = s.now.Add(time.Hour)
		closeReq := finding.DedupeRequest{Action: finding.ActionClaim, Finding: revokeFinding(), ExecutionID: "exec-c"}
		res, err := s.handle(closeReq)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != finding.OutcomeClosed || res.Resolved != 1 || len(res.Messages) != 1 || res.Messages[0].Alert.ID != first {
			t.Fatalf("close: %+v", res)
		}
		if again, err := s.handle(closeReq); err != nil || len(again.Messages) != 1 || again.Messages[0].Kind != finding.MessageResolved {
			t.Errorf("the closing execution retried: %+v %v, want its message again", again, err)
		}
		if _, err := s.handle(finding.DedupeRequest{Action: finding.ActionClaim, Finding: revokeFinding(), ExecutionID: "exec-other"}); !errors.As(err, new(*AlertInFlightError)) {
			t.Errorf("another execution while the resolution is sent: %v, want AlertInFlightError", err)
		}
		if _, err := s.handle(finding.DedupeRequest{Action: finding.ActionConfirm, Kind: finding.MessageResolved, Finding: revokeFinding(), Key: key, MessageID: "m-2"}); err != nil {
			t.Fatal(err)
		}
		it := s.item()
		if it["status"] != "S:resolved" || it["closed_by_event"] != "S:close-1" || it["msg_message_id"] != "S:m-2" || it["msg_execution"] != "" {
			t.Errorf("resolved item %v", it)
		}
		if again, err := s.handle(closeReq); err != nil || again.Outcome != finding.OutcomeNothing {
			t.Errorf("the closing event redelivered: %+v %v, want nothing", again, err)
		}
		if got := s.get(indexKey("123456789012", "eu-west-1", "sg-1")); got["keys"] != "" {
			t.Errorf("a settled resolved alert is still indexed after a closing event found it: %v", got)
		}

		s.now = s.now.Add(time.Minute)
		s.claim("e-1", false, s.now.Add(-time.Hour-time.Minute).Add(day)) // the opening event, late
		back := s.claim("e-2", true, s.now.Add(day))                      // within the first window: alerted again
		if back.Alert.ID == first || back.Outcome != finding.OutcomeAlert {
			t.Errorf("re-opened alert %+v, want a new alert", back.Alert)
		}
		if got := s.get(indexKey("123456789012", "eu-west-1", "sg-1")); got["keys"] != "SS:"+key {
			t.Errorf("the re-opened alert is not indexed: %v", got)
		}
	})

	t.Run("a partial close updates; its release restores the lines", func(t *testing.T) {
		s := newMotoStack(t, client)
		two := func(id string) *finding.Finding {
			f := event(id)
			f.Resources[0].OpenIngress = append(f.Resources[0].OpenIngress,
				finding.Rule{Protocol: "tcp", FromPort: 3389, ToPort: 3389, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-1"})
			return f
		}
		key := finding.AlertKey(two("e-1"))
		if res, err := s.handle(finding.DedupeRequest{Action: finding.ActionClaim, Finding: two("e-1"), ExecutionID: "x-1"}); err != nil || res.Outcome != finding.OutcomeAlert {
			t.Fatalf("claim: %+v %v", res, err)
		}
		if _, err := s.handle(finding.DedupeRequest{Action: finding.ActionConfirm, Finding: two("e-1"), Key: key}); err != nil {
			t.Fatal(err)
		}
		revoke := revokeFinding()
		revoke.Resources[0].OpenIngress = []finding.Rule{{Protocol: "tcp", FromPort: 3389, ToPort: 3389, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-1"}}
		res, err := s.handle(finding.DedupeRequest{Action: finding.ActionClaim, Finding: revoke, ExecutionID: "x-c"})
		if err != nil || res.Outcome != finding.OutcomeClosed || res.Updated != 1 || len(res.Messages) != 1 {
			t.Fatalf("partial close: %+v %v", res, err)
		}
		a := res.Messages[0].Alert
		if !cmp.Equal(a.Closed, []string{"sg-1 allows tcp/22 from 0.0.0.0/0"}) || !cmp.Equal(a.StillOpen, []string{"sg-1 allows tcp/3389 from 0.0.0.0/0"}) {
			t.Errorf("update: closed %v still open %v", a.Closed, a.StillOpen)
		}
		if _, err := s.handle(finding.DedupeRequest{Action: finding.ActionRelease, Kind: finding.MessageUpdate, Finding: revoke, Key: key, ExecutionID: "x-c"}); err != nil {
			t.Fatal(err)
		}
		if got := s.get(pk(key)); got["open"] != "L:2" || got["msg_kind"] != "" {
			t.Errorf("after release: open %s msg %s", got["open"], got["msg_kind"])
		}
		if res, err := s.handle(finding.DedupeRequest{Action: finding.ActionClaim, Finding: revoke, ExecutionID: "x-c2"}); err != nil || res.Updated != 1 {
			t.Errorf("the closing event again after the release: %+v %v", res, err)
		}
	})

	t.Run("a storm: the threshold at once, the rest held for one digest", func(t *testing.T) {
		s := newMotoStack(t, client)
		t0 := s.now
		burst := func(i int) *finding.Finding {
			f := event(fmt.Sprintf("e-%d", i))
			f.Resources[0].ID = fmt.Sprintf("sg-%d", i)
			f.Resources[0].OpenIngress[0].SecurityGroupID = f.Resources[0].ID
			return f
		}
		var outcomes []finding.DedupeOutcome
		for i := range 8 {
			s.now = t0.Add(time.Duration(i) * time.Second)
			res, err := s.handle(finding.DedupeRequest{Action: finding.ActionClaim, Finding: burst(i), ExecutionID: fmt.Sprintf("x-%d", i)})
			if err != nil {
				t.Fatal(err)
			}
			outcomes = append(outcomes, res.Outcome)
			if res.Outcome == finding.OutcomeAlert {
				// notify sent it: the digest lists it as sent once confirmed.
				if _, err := s.handle(finding.DedupeRequest{Action: finding.ActionConfirm, Key: res.Key, Finding: burst(i),
					ExecutionID: fmt.Sprintf("x-%d", i), MessageID: fmt.Sprintf("m-%d", i)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		want := []finding.DedupeOutcome{"alert", "alert", "alert", "alert", "alert", "held", "held", "held"}
		if diff := cmp.Diff(want, outcomes); diff != "" {
			t.Fatalf("outcomes (-want +got):\n%s", diff)
		}
		digests := func() []string {
			res, err := s.handle(finding.DedupeRequest{Action: finding.ActionDigests, ExecutionID: "x-tick"})
			if err != nil {
				t.Fatal(err)
			}
			return res.Digests
		}
		s.now = t0.Add(testConfig.Storm.Period - testConfig.Storm.Interval - time.Second)
		if due := digests(); len(due) != 0 {
			t.Errorf("digests due before their time: %v", due)
		}
		s.now = t0.Add(testConfig.Storm.Period - testConfig.Storm.Interval)
		due := digests()
		if len(due) != 1 {
			t.Fatalf("digests due %v, want one", due)
		}
		built, err := s.handle(finding.DedupeRequest{Action: finding.ActionDigest, DigestID: due[0], ExecutionID: "x-d"})
		if err != nil || built.Outcome != finding.OutcomeDigest || len(built.Digest.Sent) != 5 || len(built.Digest.Held) != 3 {
			t.Fatalf("digest: %+v %v", built, err)
		}
		if again, err := s.handle(finding.DedupeRequest{Action: finding.ActionDigest, DigestID: due[0], ExecutionID: "x-other"}); err != nil || again.Outcome != finding.OutcomeDuplicate {
			t.Errorf("another execution claims the digest being sent: %+v %v", again, err)
		}
		// The period ended with its digest: the next alert starts another.
		s.now = s.now.Add(time.Second)
		if res, err := s.handle(finding.DedupeRequest{Action: finding.ActionClaim, Finding: burst(9), ExecutionID: "x-9"}); err != nil || res.Outcome != finding.OutcomeAlert {
			t.Errorf("after the digest was claimed: %+v %v", res, err)
		}
		if _, err := s.handle(finding.DedupeRequest{Action: finding.ActionConfirm, Kind: finding.MessageDigest, DigestID: due[0], ExecutionID: "x-d", MessageID: "m-d"}); err != nil {
			t.Fatal(err)
		}
		s.now = s.now.Add(time.Hour)
		if due := digests(); len(due) != 0 {
			t.Errorf("a sent digest is due again: %v", due)
		}
		if again, err := s.handle(finding.DedupeRequest{Action: finding.ActionDigest, DigestID: due[0], ExecutionID: "x-d2"}); err != nil || again.Outcome != finding.OutcomeDuplicate {
			t.Errorf("a sent digest claimed again: %+v %v", again, err)
		}
	})

	t.Run("a released digest is claimed again", func(t *testing.T) {
		s := newMotoStack(t, client)
		s.handler.cfg.Storm.Threshold = 1
		for i := range 2 {
			f := event(fmt.Sprintf("e-%d", i))
			f.Resources[0].ID = fmt.Sprintf("sg-%d", i)
			if _, err := s.handle(finding.DedupeRequest{Action: finding.ActionClaim, Finding: f, ExecutionID: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		s.now = s.now.Add(testConfig.Storm.Period)
		res, err := s.handle(finding.DedupeRequest{Action: finding.ActionDigests})
		if err != nil || len(res.Digests) != 1 {
			t.Fatalf("due: %+v %v", res, err)
		}
		id := res.Digests[0]
		if _, err := s.handle(finding.DedupeRequest{Action: finding.ActionDigest, DigestID: id, ExecutionID: "x-1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.handle(finding.DedupeRequest{Action: finding.ActionRelease, Kind: finding.MessageDigest, DigestID: id, ExecutionID: "x-1"}); err != nil {
			t.Fatal(err)
		}
		if again, err := s.handle(finding.DedupeRequest{Action: finding.ActionDigest, DigestID: id, ExecutionID: "x-2"}); err != nil || again.Outcome != finding.OutcomeDigest {
			t.Errorf("after release: %+v %v", again, err)
		}
	})

	t.Run("a record written before lifecycles is read as open", func(t *testing.T) {
		s := newMotoStack(t, client)
		key := finding.AlertKey(testFinding())
		if _, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: map[string]types.AttributeValue{
			"pk": pk(key), "event_id": str("e-0"), "status": str("sent"), "window_ends": epoch(s.now.Add(time.Hour)),
			"lease_ends": epoch(s.now.Add(-time.Hour)), "claimed_at": str("2025-11-23T08:00:00Z"), "ttl": epoch(s.now.Add(day)),
		}}); err != nil {
			t.Fatal(err)
		}
		s.claim("e-0", false, s.now.Add(time.Hour))
		s.claim("e-1", false, s.now.Add(time.Hour))
		if got := s.item(); got["events"] != "N:2" || got["status"] != "S:sent" {
			t.Errorf("legacy item after a repeat: %v", got)
		}
		s.now = s.now.Add(2 * time.Hour)
		res := s.claim("e-2", true, s.now.Add(day))
		if res.Alert.ID != lifecycle.AlertID(key, "e-0") {
			t.Errorf("reminder of a legacy alert: id %s", res.Alert.ID)
		}
	})

	t.Run("the rules file", func(t *testing.T) {
		s := newMotoStack(t, client)
		r := deployment.Facts.Rules
		store := NewDynamoDB(client, s.table)
		if _, found, err := store.Rules(context.Background()); err != nil || found {
			t.Fatalf("rules in an empty table: %v %v", found, err)
		}
		if _, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: map[string]types.AttributeValue{
			"pk": str(r.ItemKey), r.TextAttribute: str("rules: []"), r.DigestAttribute: str("d"), r.NameAttribute: str("rules.yaml"),
		}}); err != nil {
			t.Fatal(err)
		}
		got, found, err := store.Rules(context.Background())
		if err != nil || !found || got.Name != "rules.yaml" || string(got.Text) != "rules: []" || got.Digest != "d" {
			t.Errorf("rules: %+v %v %v", got, found, err)
		}
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
