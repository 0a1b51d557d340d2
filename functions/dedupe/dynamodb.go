package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDBAPI is the part of the DynamoDB client the adapter calls;
// *dynamodb.Client satisfies it.
type DynamoDBAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// DynamoDB is the Store in a DynamoDB table whose partition key is the
// string attribute pk and whose TTL attribute is ttl. It keeps one item per
// alert:
//
//	pk            S  "alert#" + key
//	event_id      S  the event that holds the alert
//	status        S  "pending" or "sent"
//	window_ends   N  epoch seconds
//	lease_ends    N  epoch seconds
//	claimed_at    S  RFC 3339
//	sent_at       S  RFC 3339, once confirmed
//	execution_id  S  the claiming execution, when known
//	event_name    S  when known
//	ttl           N  epoch seconds: window_ends + retention
//
// Windows and leases are enforced by condition expressions only; ttl just
// lets DynamoDB delete the item eventually.
type DynamoDB struct {
	client DynamoDBAPI
	table  string
}

var _ Store = (*DynamoDB)(nil)

// NewDynamoDB returns the Store in table, called through client. It does no
// I/O.
func NewDynamoDB(client DynamoDBAPI, table string) *DynamoDB {
	return &DynamoDB{client: client, table: table}
}

// The expressions the adapter sends.
const (
	// claimCondition grants a claim when there is no alert, its window has
	// ended, or it is pending with an ended lease; but never to an event
	// whose alert was already sent, as long as the item exists.
	claimCondition = "(attribute_not_exists(pk) OR window_ends <= :now OR (#status = :pending AND lease_ends <= :now)) " +
		"AND NOT (event_id = :eid AND #status = :sent)"
	// claimConditionByExecution also grants a claim to the execution that
	// holds it pending: its retry of a claim whose answer was lost.
	claimConditionByExecution = "(attribute_not_exists(pk) OR window_ends <= :now OR " +
		"(#status = :pending AND (lease_ends <= :now OR execution_id = :xid))) " +
		"AND NOT (event_id = :eid AND #status = :sent)"
	confirmUpdate    = "SET #status = :sent, sent_at = :at"
	confirmCondition = "event_id = :eid"
	releaseCondition = "event_id = :eid AND #status = :pending"
)

// Claim puts the claim's item under the condition claimCondition (or,
// with an execution id, claimConditionByExecution). A refused
// condition is not an error: it returns the item that refused it as Holder.
func (d *DynamoDB) Claim(ctx context.Context, c Claim) (ClaimResult, error) {
	item := map[string]types.AttributeValue{
		"pk":          pk(c.Key),
		"event_id":    &types.AttributeValueMemberS{Value: c.EventID},
		"status":      &types.AttributeValueMemberS{Value: StatusPending},
		"window_ends": epoch(c.WindowEnds),
		"lease_ends":  epoch(c.LeaseEnds),
		"claimed_at":  &types.AttributeValueMemberS{Value: c.Now.UTC().Format(time.RFC3339)},
		"ttl":         epoch(c.Expires),
	}
	if c.ExecutionID != "" {
		item["execution_id"] = &types.AttributeValueMemberS{Value: c.ExecutionID}
	}
	if c.EventName != "" {
		item["event_name"] = &types.AttributeValueMemberS{Value: c.EventName}
	}
	cond := claimCondition
	values := map[string]types.AttributeValue{
		":now":     epoch(c.Now),
		":eid":     &types.AttributeValueMemberS{Value: c.EventID},
		":pending": &types.AttributeValueMemberS{Value: StatusPending},
		":sent":    &types.AttributeValueMemberS{Value: StatusSent},
	}
	if c.ExecutionID != "" {
		cond = claimConditionByExecution
		values[":xid"] = &types.AttributeValueMemberS{Value: c.ExecutionID}
	}
	_, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(d.table),
		Item:                                item,
		ConditionExpression:                 aws.String(cond),
		ExpressionAttributeNames:            map[string]string{"#status": "status"},
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return ClaimResult{Granted: true}, nil
	case errors.As(err, &ccf):
		res := ClaimResult{}
		if len(ccf.Item) > 0 {
			a := decodeAlert(ccf.Item)
			res.Holder = &a
		}
		return res, nil
	default:
		return ClaimResult{}, fmt.Errorf("put item alert#%s in table %s: %w", c.Key, d.table, err)
	}
}

// Confirm sets the alert's status to sent under the condition
// confirmCondition, and reports whether the condition held.
func (d *DynamoDB) Confirm(ctx context.Context, key, eventID string, at time.Time) (bool, error) {
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.table),
		Key:                      map[string]types.AttributeValue{"pk": pk(key)},
		UpdateExpression:         aws.String(confirmUpdate),
		ConditionExpression:      aws.String(confirmCondition),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sent": &types.AttributeValueMemberS{Value: StatusSent},
			":at":   &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339)},
			":eid":  &types.AttributeValueMemberS{Value: eventID},
		},
	})
	return conditional(err, fmt.Sprintf("update item alert#%s in table %s", key, d.table))
}

// Release deletes the alert under the condition releaseCondition, and
// reports whether the condition held.
func (d *DynamoDB) Release(ctx context.Context, key, eventID string) (bool, error) {
	_, err := d.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(d.table),
		Key:                      map[string]types.AttributeValue{"pk": pk(key)},
		ConditionExpression:      aws.String(releaseCondition),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":eid":     &types.AttributeValueMemberS{Value: eventID},
			":pending": &types.AttributeValueMemberS{Value: StatusPending},
		},
	})
	return conditional(err, fmt.Sprintf("delete item alert#%s in table %s", key, d.table))
}

// conditional maps the error of a conditional write: nil means the
// condition held, ConditionalCheckFailedException that it did not; any
// other error is wrapped with what, what was being done.
func conditional(err error, what string) (bool, error) {
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ccf):
		return false, nil
	default:
		return false, fmt.Errorf("%s: %w", what, err)
	}
}

func pk(key string) types.AttributeValue {
	return &types.AttributeValueMemberS{Value: "alert#" + key}
}

func epoch(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Unix(), 10)}
}

// decodeAlert reads the alert attributes of item; missing or malformed ones
// stay zero.
func decodeAlert(item map[string]types.AttributeValue) Alert {
	var a Alert
	if v, ok := item["event_id"].(*types.AttributeValueMemberS); ok {
		a.EventID = v.Value
	}
	if v, ok := item["status"].(*types.AttributeValueMemberS); ok {
		a.Status = v.Value
	}
	if v, ok := item["execution_id"].(*types.AttributeValueMemberS); ok {
		a.ExecutionID = v.Value
	}
	a.WindowEnds = decodeEpoch(item["window_ends"])
	a.LeaseEnds = decodeEpoch(item["lease_ends"])
	return a
}

func decodeEpoch(v types.AttributeValue) time.Time {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return time.Time{}
	}
	sec, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
