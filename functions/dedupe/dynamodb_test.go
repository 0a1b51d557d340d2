package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// fakeDynamoDB is a DynamoDBAPI whose behaviour each test states.
type fakeDynamoDB struct {
	PutItemFn    func(ctx context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error)
	UpdateItemFn func(ctx context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)
	DeleteItemFn func(ctx context.Context, in *dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error)
}

func (f *fakeDynamoDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return f.PutItemFn(ctx, in)
}

func (f *fakeDynamoDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return f.UpdateItemFn(ctx, in)
}

func (f *fakeDynamoDB) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return f.DeleteItemFn(ctx, in)
}

var _ DynamoDBAPI = (*dynamodb.Client)(nil)

// request is the part of a DynamoDB request the adapter decides, with
// attribute values written as "S:text" or "N:digits" so diffs read well.
type request struct {
	Table      string
	Item       map[string]string
	Key        map[string]string
	Update     string
	Condition  string
	Names      map[string]string
	Values     map[string]string
	ReturnsOld types.ReturnValuesOnConditionCheckFailure
}

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
		default:
			t.Errorf("attribute %s is a %T, want S or N", k, v)
		}
	}
	return out
}

// conditionFailed is how the SDK returns a refused condition: wrapped in an
// operation error.
func conditionFailed(old map[string]types.AttributeValue) error {
	return &smithy.OperationError{
		ServiceID:     "DynamoDB",
		OperationName: "PutItem",
		Err:           &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed"), Item: old},
	}
}

var errThrottled = &smithy.OperationError{
	ServiceID:     "DynamoDB",
	OperationName: "PutItem",
	Err:           &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")},
}

func TestDynamoDBClaim(t *testing.T) {
	t0 := time.Unix(1_763_890_215, 0).UTC()
	claim := Claim{
		Key:         "k1",
		EventID:     "e-1",
		EventName:   "AuthorizeSecurityGroupIngress",
		ExecutionID: "arn:aws:states:eu-west-1:123456789012:execution:trailwatch:x",
		Now:         t0,
		WindowEnds:  t0.Add(24 * time.Hour),
		LeaseEnds:   t0.Add(5 * time.Minute),
		Expires:     t0.Add(192 * time.Hour),
	}
	wantReq := request{
		Table: "alerts",
		Item: map[string]string{
			"pk":           "S:alert#k1",
			"event_id":     "S:e-1",
			"status":       "S:pending",
			"window_ends":  "N:1763976615",
			"lease_ends":   "N:1763890515",
			"claimed_at":   "S:2025-11-23T09:30:15Z",
			"execution_id": "S:arn:aws:states:eu-west-1:123456789012:execution:trailwatch:x",
			"event_name":   "S:AuthorizeSecurityGroupIngress",
			"ttl":          "N:1764581415",
		},
		Condition: "(attribute_not_exists(pk) OR window_ends <= :now OR (#status = :pending AND (lease_ends <= :now OR execution_id = :xid))) " +
			"AND NOT (event_id = :eid AND #status = :sent)",
		Names: map[string]string{"#status": "status"},
		Values: map[string]string{
			":now":     "N:1763890215",
			":eid":     "S:e-1",
			":pending": "S:pending",
			":sent":    "S:sent",
			":xid":     "S:arn:aws:states:eu-west-1:123456789012:execution:trailwatch:x",
		},
		ReturnsOld: types.ReturnValuesOnConditionCheckFailureAllOld,
	}

	tests := []struct {
		name    string
		claim   Claim
		err     error
		wantReq request
		want    ClaimResult
		wantErr error
	}{
		{
			name:    "granted",
			claim:   claim,
			wantReq: wantReq,
			want:    ClaimResult{Granted: true},
		},
		{
			name: "without execution id and event name",
			claim: func() Claim {
				c := claim
				c.ExecutionID, c.EventName = "", ""
				return c
			}(),
			wantReq: func() request {
				r := wantReq
				r.Item = map[string]string{}
				for k, v := range wantReq.Item {
					if k != "execution_id" && k != "event_name" {
						r.Item[k] = v
					}
				}
				r.Condition = "(attribute_not_exists(pk) OR window_ends <= :now OR (#status = :pending AND lease_ends <= :now)) " +
					"AND NOT (event_id = :eid AND #status = :sent)"
				r.Values = map[string]string{}
				for k, v := range wantReq.Values {
					if k != ":xid" {
						r.Values[k] = v
					}
				}
				return r
			}(),
			want: ClaimResult{Granted: true},
		},
		{
			name:  "refused",
			claim: claim,
			err: conditionFailed(map[string]types.AttributeValue{
				"pk":           &types.AttributeValueMemberS{Value: "alert#k1"},
				"event_id":     &types.AttributeValueMemberS{Value: "e-0"},
				"status":       &types.AttributeValueMemberS{Value: "sent"},
				"execution_id": &types.AttributeValueMemberS{Value: "exec-0"},
				"window_ends":  &types.AttributeValueMemberN{Value: "1763900000"},
				"lease_ends":   &types.AttributeValueMemberN{Value: "1763813900"},
			}),
			wantReq: wantReq,
			want: ClaimResult{Holder: &Alert{
				EventID:     "e-0",
				ExecutionID: "exec-0",
				Status:      "sent",
				WindowEnds:  time.Unix(1763900000, 0).UTC(),
				LeaseEnds:   time.Unix(1763813900, 0).UTC(),
			}},
		},
		{
			name:    "refused without the old item",
			claim:   claim,
			err:     conditionFailed(nil),
			wantReq: wantReq,
			want:    ClaimResult{},
		},
		{
			name:    "failed",
			claim:   claim,
			err:     errThrottled,
			wantReq: wantReq,
			wantErr: errThrottled,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []request
			client := &fakeDynamoDB{PutItemFn: func(_ context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
				got = append(got, request{
					Table:      aws.ToString(in.TableName),
					Item:       attrs(t, in.Item),
					Condition:  aws.ToString(in.ConditionExpression),
					Names:      in.ExpressionAttributeNames,
					Values:     attrs(t, in.ExpressionAttributeValues),
					ReturnsOld: in.ReturnValuesOnConditionCheckFailure,
				})
				return &dynamodb.PutItemOutput{}, tc.err
			}}

			res, err := NewDynamoDB(client, "alerts").Claim(context.Background(), tc.claim)

			if diff := cmp.Diff([]request{tc.wantReq}, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDynamoDBConfirm(t *testing.T) {
	wantReq := request{
		Table:     "alerts",
		Key:       map[string]string{"pk": "S:alert#k1"},
		Update:    "SET #status = :sent, sent_at = :at",
		Condition: "event_id = :eid",
		Names:     map[string]string{"#status": "status"},
		Values: map[string]string{
			":sent": "S:sent",
			":at":   "S:2025-11-23T09:31:00Z",
			":eid":  "S:e-1",
		},
	}
	tests := []struct {
		name    string
		err     error
		want    bool
		wantErr error
	}{
		{name: "confirmed", want: true},
		{name: "taken over", err: conditionFailed(nil), want: false},
		{name: "failed", err: errThrottled, wantErr: errThrottled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []request
			client := &fakeDynamoDB{UpdateItemFn: func(_ context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
				got = append(got, request{
					Table:     aws.ToString(in.TableName),
					Key:       attrs(t, in.Key),
					Update:    aws.ToString(in.UpdateExpression),
					Condition: aws.ToString(in.ConditionExpression),
					Names:     in.ExpressionAttributeNames,
					Values:    attrs(t, in.ExpressionAttributeValues),
				})
				return &dynamodb.UpdateItemOutput{}, tc.err
			}}

			at := time.Date(2025, 11, 23, 10, 31, 0, 0, time.FixedZone("CET", 3600))
			ok, err := NewDynamoDB(client, "alerts").Confirm(context.Background(), "k1", "e-1", at)

			if diff := cmp.Diff([]request{wantReq}, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if ok != tc.want {
				t.Errorf("confirmed = %v, want %v", ok, tc.want)
			}
		})
	}
}

func TestDynamoDBRelease(t *testing.T) {
	wantReq := request{
		Table:     "alerts",
		Key:       map[string]string{"pk": "S:alert#k1"},
		Condition: "event_id = :eid AND #status = :pending",
		Names:     map[string]string{"#status": "status"},
		Values: map[string]string{
			":eid":     "S:e-1",
			":pending": "S:pending",
		},
	}
	tests := []struct {
		name    string
		err     error
		want    bool
		wantErr error
	}{
		{name: "released", want: true},
		{name: "nothing to release", err: conditionFailed(nil), want: false},
		{name: "failed", err: errThrottled, wantErr: errThrottled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []request
			client := &fakeDynamoDB{DeleteItemFn: func(_ context.Context, in *dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) {
				got = append(got, request{
					Table:     aws.ToString(in.TableName),
					Key:       attrs(t, in.Key),
					Condition: aws.ToString(in.ConditionExpression),
					Names:     in.ExpressionAttributeNames,
					Values:    attrs(t, in.ExpressionAttributeValues),
				})
				return &dynamodb.DeleteItemOutput{}, tc.err
			}}

			ok, err := NewDynamoDB(client, "alerts").Release(context.Background(), "k1", "e-1")

			if diff := cmp.Diff([]request{wantReq}, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if ok != tc.want {
				t.Errorf("released = %v, want %v", ok, tc.want)
			}
		})
	}
}
