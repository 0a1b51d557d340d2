package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// fakeDynamoDB is a DynamoDBAPI whose behaviour each test states.
type fakeDynamoDB struct {
	GetItemFn            func(ctx context.Context, in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	BatchGetItemFn       func(ctx context.Context, in *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error)
	PutItemFn            func(ctx context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error)
	UpdateItemFn         func(ctx context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)
	TransactWriteItemsFn func(ctx context.Context, in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error)
}

func (f *fakeDynamoDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return f.GetItemFn(ctx, in)
}

func (f *fakeDynamoDB) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return f.BatchGetItemFn(ctx, in)
}

func (f *fakeDynamoDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return f.PutItemFn(ctx, in)
}

func (f *fakeDynamoDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return f.UpdateItemFn(ctx, in)
}

func (f *fakeDynamoDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return f.TransactWriteItemsFn(ctx, in)
}

var _ DynamoDBAPI = (*dynamodb.Client)(nil)

// attrs writes attribute values as "S:text", "N:digits", "SS:a,b", or for
// lists and maps "L:<length>" and "M:<keys>", so diffs read well.
func attrs(t *testing.T, m map[string]types.AttributeValue) map[string]string {
	t.Helper()
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			out[k] = "S:" + v.Value
		case *types.AttributeValueMemberN:
			out[k] = "N:" + v.Value
		case *types.AttributeValueMemberSS:
			out[k] = "SS:" + strings.Join(slices.Sorted(slices.Values(v.Value)), ",")
		case *types.AttributeValueMemberL:
			out[k] = fmt.Sprintf("L:%d", len(v.Value))
		case *types.AttributeValueMemberM:
			out[k] = "M:" + strings.Join(slices.Sorted(func(yield func(string) bool) {
				for key := range v.Value {
					if !yield(key) {
						return
					}
				}
			}), ",")
		default:
			t.Errorf("attribute %s is a %T", k, v)
		}
	}
	return out
}

// action is one action of a transaction, as the adapter builds it.
type action struct {
	Kind      string
	Key       string
	Condition string
	Update    string
}

func actions(in *dynamodb.TransactWriteItemsInput) []action {
	var out []action
	for _, it := range in.TransactItems {
		switch {
		case it.Put != nil:
			out = append(out, action{"put", it.Put.Item["pk"].(*types.AttributeValueMemberS).Value, aws.ToString(it.Put.ConditionExpression), ""})
		case it.Update != nil:
			out = append(out, action{"update", it.Update.Key["pk"].(*types.AttributeValueMemberS).Value, aws.ToString(it.Update.ConditionExpression), aws.ToString(it.Update.UpdateExpression)})
		case it.Delete != nil:
			out = append(out, action{"delete", it.Delete.Key["pk"].(*types.AttributeValueMemberS).Value, aws.ToString(it.Delete.ConditionExpression), ""})
		}
	}
	return out
}

// cancelled is how the SDK returns a cancelled transaction, with a reason
// per item.
func cancelled(codes ...string) error {
	reasons := make([]types.CancellationReason, len(codes))
	for i, c := range codes {
		reasons[i] = types.CancellationReason{Code: aws.String(c)}
	}
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: "TransactWriteItems",
		Err: &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}}
}

var errThrottled = &smithy.OperationError{
	ServiceID:     "DynamoDB",
	OperationName: "TransactWriteItems",
	Err:           &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")},
}

func claimFor(reason lifecycle.ClaimReason, prev lifecycle.Record) Claim {
	f := testFinding()
	k := finding.AlertKey(f)
	prev.Key = k
	next := lifecycle.OnOpening(lifecycle.Record{Key: k}, lifecycle.NewReport(f, k, "x-1", now), testConfig.lifecycle()).Next
	return Claim{Prev: prev, Next: next, Reason: reason, Now: now, Count: true}
}

func TestDynamoDBClaim(t *testing.T) {
	k := finding.AlertKey(testFinding())
	marker := markerKey(k, "e-1").(*types.AttributeValueMemberS).Value
	index := "res#123456789012#eu-west-1#sg-1"
	tests := []struct {
		name    string
		claim   Claim
		errs    []error
		want    [][]action
		wantRes ClaimResult
		wantErr error
	}{
		{
			name:  "new",
			claim: claimFor(lifecycle.ReasonNew, lifecycle.Record{}),
			errs:  []error{nil},
			want: [][]action{{{"put", "alert#" + k, condAbsent, ""}, {"put", marker, condMarker, ""},
				{"update", index, condIndexRoom, "ADD #keys :keys SET #ttl = :ttl"}}},
			wantRes: ClaimResult{Granted: true, Counted: true},
		},
		{
			name:    "takeover",
			claim:   claimFor(lifecycle.ReasonTakeover, lifecycle.Record{Exists: true, Version: 3}),
			errs:    []error{nil},
			want:    [][]action{{{"put", "alert#" + k, "ver = :ver AND " + condTakeover, ""}, {"put", marker, condMarker, ""}, {"update", index, condIndexRoom, "ADD #keys :keys SET #ttl = :ttl"}}},
			wantRes: ClaimResult{Granted: true, Counted: true},
		},
		{
			name:    "reminder of a record written before lifecycles",
			claim:   claimFor(lifecycle.ReasonReminder, lifecycle.Record{Exists: true, Legacy: true, EventID: "e-0"}),
			errs:    []error{nil},
			want:    [][]action{{{"put", "alert#" + k, "attribute_not_exists(ver) AND event_id = :prev_eid AND " + condReminder, ""}, {"put", marker, condMarker, ""}, {"update", index, condIndexRoom, "ADD #keys :keys SET #ttl = :ttl"}}},
			wantRes: ClaimResult{Granted: true, Counted: true},
		},
		{
			name:    "reopen, the record changed meanwhile",
			claim:   claimFor(lifecycle.ReasonReopen, lifecycle.Record{Exists: true, Version: 7}),
			errs:    []error{cancelled("ConditionalCheckFailed", "None", "None")},
			want:    [][]action{{{"put", "alert#" + k, "ver = :ver AND " + condReopen, ""}, {"put", marker, condMarker, ""}, {"update", index, condIndexRoom, "ADD #keys :keys SET #ttl = :ttl"}}},
			wantRes: ClaimResult{},
		},
		{
			name:    "the event was counted before",
			claim:   claimFor(lifecycle.ReasonNew, lifecycle.Record{}),
			errs:    []error{cancelled("None", "ConditionalCheckFailed", "None")},
			want:    [][]action{{{"put", "alert#" + k, condAbsent, ""}, {"put", marker, condMarker, ""}, {"update", index, condIndexRoom, "ADD #keys :keys SET #ttl = :ttl"}}},
			wantRes: ClaimResult{Granted: true},
		},
		{
			name:  "a full index: claimed without it",
			claim: claimFor(lifecycle.ReasonNew, lifecycle.Record{}),
			errs:  []error{cancelled("None", "None", "ConditionalCheckFailed"), nil},
			want: [][]action{
				{{"put", "alert#" + k, condAbsent, ""}, {"put", marker, condMarker, ""}, {"update", index, condIndexRoom, "ADD #keys :keys SET #ttl = :ttl"}},
				{{"put", "alert#" + k, condAbsent, ""}, {"put", marker, condMarker, ""}},
			},
			wantRes: ClaimResult{Granted: true, Counted: true, Unindexed: []string{"sg-1"}},
		},
		{
			name:  "a conflicting transaction is tried again",
			claim: claimFor(lifecycle.ReasonNew, lifecycle.Record{}),
			errs:  []error{cancelled("TransactionConflict", "None", "None"), nil},
			want: [][]action{
				{{"put", "alert#" + k, condAbsent, ""}, {"put", marker, condMarker, ""}, {"update", index, condIndexRoom, "ADD #keys :keys SET #ttl = :ttl"}},
				{{"put", "alert#" + k, condAbsent, ""}, {"put", marker, condMarker, ""}, {"update", index, condIndexRoom, "ADD #keys :keys SET #ttl = :ttl"}},
			},
			wantRes: ClaimResult{Granted: true, Counted: true},
		},
		{
			name:    "failed",
			claim:   claimFor(lifecycle.ReasonNew, lifecycle.Record{}),
			errs:    []error{errThrottled},
			want:    [][]action{{{"put", "alert#" + k, condAbsent, ""}, {"put", marker, condMarker, ""}, {"update", index, condIndexRoom, "ADD #keys :keys SET #ttl = :ttl"}}},
			wantErr: errThrottled,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got [][]action
			client := &fakeDynamoDB{TransactWriteItemsFn: func(_ context.Context, in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
				got = append(got, actions(in))
				err := tc.errs[len(got)-1]
				return &dynamodb.TransactWriteItemsOutput{}, err
			}}
			res, err := NewDynamoDB(client, "alerts").Claim(context.Background(), tc.claim)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("transactions (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.wantRes, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDynamoDBClaimItem: the claim's item and its expression values, which
// DynamoDB refuses when unused or missing.
func TestDynamoDBClaimItem(t *testing.T) {
	c := claimFor(lifecycle.ReasonTakeover, lifecycle.Record{Exists: true, Version: 3})
	var in *dynamodb.TransactWriteItemsInput
	client := &fakeDynamoDB{TransactWriteItemsFn: func(_ context.Context, i *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
		in = i
		return &dynamodb.TransactWriteItemsOutput{}, nil
	}}
	if _, err := NewDynamoDB(client, "alerts").Claim(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	put := in.TransactItems[0].Put
	if diff := cmp.Diff(map[string]string{"#status": "status"}, put.ExpressionAttributeNames); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{":ver": "N:3", ":pending": "S:pending", ":now": "N:1763890215"}, attrs(t, put.ExpressionAttributeValues)); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	item := attrs(t, put.Item)
	for name, want := range map[string]string{"status": "S:pending", "event_id": "S:e-1", "execution_id": "S:x-1", "ver": "N:1",
		"window_ends": "N:1763976615", "lease_ends": "N:1763890515", "claimed_at": "S:2025-11-23T09:30:15Z", "ttl": "N:1764581415"} {
		if item[name] != want {
			t.Errorf("item %s = %q, want %q", name, item[name], want)
		}
	}
}

func TestRecordRoundTrip(t *testing.T) {
	c := revokeFinding()
	open := record(finding.AlertOpen, "e-0", time.Time{}, now.Add(time.Hour))
	open.OpeningMessageID, open.SentAt = "m-1", now
	rec := lifecycle.OnClosing(open, c, lifecycle.NewReport(c, "", "x-c", now), testConfig.lifecycle()).Next
	if rec.Message == nil || len(rec.Exposure) == 0 {
		t.Fatal("no message or exposure to round-trip")
	}
	got := decodeRecord(rec.Key, encodeRecord(rec))
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if none := decodeRecord("k", nil); none.Exists || none.Key != "k" {
		t.Errorf("no item: %+v", none)
	}
}

func TestDynamoDBConfirm(t *testing.T) {
	var got *dynamodb.UpdateItemInput
	client := &fakeDynamoDB{UpdateItemFn: func(_ context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
		got = in
		return &dynamodb.UpdateItemOutput{}, nil
	}}
	at := time.Date(2025, 11, 23, 10, 31, 0, 0, time.FixedZone("CET", 3600))
	ok, err := NewDynamoDB(client, "alerts").Confirm(context.Background(), "k1", "e-1", "m-1", at)
	if err != nil || !ok {
		t.Fatalf("confirm: %v %v", ok, err)
	}
	if got, want := aws.ToString(got.ConditionExpression), condConfirm; got != want {
		t.Errorf("condition %q, want %q", got, want)
	}
	if got, want := aws.ToString(got.UpdateExpression), "SET #status = :open, sent_at = :at, ver = if_not_exists(ver, :zero) + :one, message_id = if_not_exists(message_id, :mid) REMOVE lease_ends"; got != want {
		t.Errorf("update %q, want %q", got, want)
	}
	want := map[string]string{":open": "S:open", ":at": "S:2025-11-23T09:31:00Z", ":eid": "S:e-1", ":mid": "S:m-1", ":one": "N:1", ":zero": "N:0",
		":pending": "S:pending", ":sent": "S:sent"}
	if diff := cmp.Diff(want, attrs(t, got.ExpressionAttributeValues)); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"pk": "S:alert#k1"}, attrs(t, got.Key)); diff != "" {
		t.Errorf("key (-want +got):\n%s", diff)
	}
}

// TestBatchGetBounded: keys go a quota's worth per call, and unprocessed
// ones are asked for again.
func TestBatchGetBounded(t *testing.T) {
	per := deployment.Facts.Quotas.BatchGetKeys.Value
	var keys []string
	for i := range 2*per + 50 {
		keys = append(keys, fmt.Sprintf("%064d", i))
	}
	var sizes []int
	client := &fakeDynamoDB{BatchGetItemFn: func(_ context.Context, in *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error) {
		req := in.RequestItems["alerts"]
		sizes = append(sizes, len(req.Keys))
		if !aws.ToBool(req.ConsistentRead) {
			t.Error("not consistent")
		}
		out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
		for i, k := range req.Keys {
			if len(sizes) == 1 && i >= per-10 {
				if out.UnprocessedKeys == nil {
					out.UnprocessedKeys = map[string]types.KeysAndAttributes{"alerts": {}}
				}
				u := out.UnprocessedKeys["alerts"]
				u.Keys = append(u.Keys, k)
				out.UnprocessedKeys["alerts"] = u
				continue
			}
			out.Responses["alerts"] = append(out.Responses["alerts"], map[string]types.AttributeValue{"pk": k["pk"], "status": str("open")})
		}
		return out, nil
	}}
	got, err := NewDynamoDB(client, "alerts").Alerts(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(keys) {
		t.Errorf("%d records of %d keys", len(got), len(keys))
	}
	if want := []int{per, 10, per, 50}; !slices.Equal(sizes, want) {
		t.Errorf("batch sizes %v, want %v", sizes, want)
	}
}
