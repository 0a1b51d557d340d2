package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// DynamoDBAPI is the part of the DynamoDB client the adapter calls;
// *dynamodb.Client satisfies it.
type DynamoDBAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// DynamoDB is the Store in a DynamoDB table whose partition key is the
// string attribute pk and whose TTL attribute is ttl. Items, by pk:
//
//	alert#<key>                     an alert record: encodeRecord (ver, alert_id, status
//	                                pending|open|resolved|uncertain, claim, event_id,
//	                                execution_id, attempt, uncertain, lease_ends, window_ends, first/last_seen, events,
//	                                repeats, opened_by[_event], closed_by[_event],
//	                                resolved_at, message_id, severity, account, region,
//	                                event_name, summary, resources, exposure, open,
//	                                indexed, digest_id, msg_* of the latest update or
//	                                resolution, claimed_at, sent_at, ttl)
//	event#<key>#<sha256(event id)>  marks an event counted on the alert (ttl)
//	res#<account>#<region>#<ref>    the alert keys listed under a resource: keys (SS), ttl
//	storm#<storm hash>              a storm's current period: start, end, ttl
//	storm#<storm hash>#<start>      a storm period: account, actor, event_name, start, end,
//	                                due, sent (SS), held (SS), overflow, digest
//	                                (sending|sent), digest_execution,
//	                                digest_lease_ends, digest_message_id, ttl
//	digests#due                     due (SS): the ids of the digests not yet sent
//	<deployment rules item_key>     the rules file: text, sha256, file
//	heartbeat#<account>#<region>    the canary's last beat (beat, epoch seconds) and when a
//	                                run first expected one (since); no ttl
//
// Every write is conditional; windows, leases and versions are enforced
// by condition expressions only, and ttl just lets DynamoDB delete an item
// eventually. Records written before lifecycles (no ver, status "sent")
// are read as open and guarded by their status and holder.
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

// Bounds of what the adapter writes.
const (
	// maxIndexKeys bounds the alerts listed under one resource: beyond it
	// an alert is not listed there (ClaimResult.Unindexed), and a closing
	// event about that resource cannot find it.
	maxIndexKeys = 200
	// maxHeld bounds the messages one storm period holds; beyond it a
	// message goes out at once (Gated.Overflow).
	maxHeld = 4000
	// maxDue bounds the digests waiting to be sent; beyond it a message is
	// not held.
	maxDue = 4000
	// transactRetries is how often a transaction cancelled by a conflict
	// with another is tried again before the error is returned.
	transactRetries = 3
)

// errContention is returned when a record kept changing under a decision.
var errContention = errors.New("the record changed under every attempt")

func pk(key string) types.AttributeValue { return str("alert#" + key) }

func markerKey(key, eventID string) types.AttributeValue {
	sum := sha256.Sum256([]byte(eventID))
	return str("event#" + key + "#" + hex.EncodeToString(sum[:16]))
}

// maxReadableKey bounds a pk spelled out; a longer one (a finding's
// account and region are bounded text only) is hashed, within DynamoDB's
// partition key quota.
const maxReadableKey = 1024

func indexKey(account, region, ref string) types.AttributeValue {
	k := "res#" + account + "#" + region + "#" + ref
	if len(k) > maxReadableKey {
		sum := sha256.Sum256([]byte(k))
		k = "res#sha256:" + hex.EncodeToString(sum[:])
	}
	return str(k)
}

func key(pk types.AttributeValue) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": pk}
}

// Alert reads the record under key.
func (d *DynamoDB) Alert(ctx context.Context, k string) (lifecycle.Record, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: key(pk(k)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return lifecycle.Record{}, fmt.Errorf("get item alert#%s in table %s: %w", k, d.table, err)
	}
	return decodeRecord(k, out.Item), nil
}

// Alerts reads the records of keys with BatchGetItem.
func (d *DynamoDB) Alerts(ctx context.Context, keys []string) (map[string]lifecycle.Record, error) {
	pks := make([]types.AttributeValue, 0, len(keys))
	for _, k := range slices.Compact(slices.Sorted(slices.Values(keys))) {
		pks = append(pks, pk(k))
	}
	items, err := d.batchGet(ctx, pks)
	if err != nil {
		return nil, err
	}
	out := make(map[string]lifecycle.Record, len(items))
	for p, item := range items {
		k := p[len("alert#"):]
		out[k] = decodeRecord(k, item)
	}
	return out, nil
}

// batchGet reads the items of pks, strongly consistent, at most a quota's
// worth of keys per call, asking again for unprocessed keys (a few times,
// then it fails). It returns the items found by pk.
func (d *DynamoDB) batchGet(ctx context.Context, pks []types.AttributeValue) (map[string]map[string]types.AttributeValue, error) {
	out := map[string]map[string]types.AttributeValue{}
	per := deployment.Facts.Quotas.BatchGetKeys.Value
	for start := 0; start < len(pks); start += per {
		var batch []map[string]types.AttributeValue
		for _, p := range pks[start:min(start+per, len(pks))] {
			batch = append(batch, key(p))
		}
		for attempt := 0; len(batch) > 0; attempt++ {
			if attempt == 5 {
				return nil, fmt.Errorf("batch get item in table %s: %d keys still unprocessed", d.table, len(batch))
			}
			if attempt > 0 {
				if err := sleep(ctx, time.Duration(attempt)*50*time.Millisecond); err != nil {
					return nil, err
				}
			}
			res, err := d.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				d.table: {Keys: batch, ConsistentRead: aws.Bool(true)},
			}})
			if err != nil {
				return nil, fmt.Errorf("batch get item in table %s: %w", d.table, err)
			}
			for _, item := range res.Responses[d.table] {
				if p, ok := item["pk"].(*types.AttributeValueMemberS); ok {
					out[p.Value] = item
				}
			}
			batch = res.UnprocessedKeys[d.table].Keys
		}
	}
	return out, nil
}

// Rules reads the rules item.
func (d *DynamoDB) Rules(ctx context.Context) (RulesFile, bool, error) {
	r := deployment.Facts.Rules
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: key(str(r.ItemKey)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return RulesFile{}, false, fmt.Errorf("get item %s in table %s: %w", r.ItemKey, d.table, err)
	}
	if out.Item == nil {
		return RulesFile{}, false, nil
	}
	return RulesFile{Name: text(out.Item, r.NameAttribute), Text: []byte(text(out.Item, r.TextAttribute)), Digest: text(out.Item, r.DigestAttribute)}, true, nil
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

// transact runs items as one transaction. It returns nil when it
// succeeded; the indexes of the items whose condition failed when it was
// cancelled by conditions; an error otherwise. A cancellation by a
// conflicting transaction is tried again, up to transactRetries times.
func (d *DynamoDB) transact(ctx context.Context, what string, items []types.TransactWriteItem) (failed []int, err error) {
	for attempt := 0; ; attempt++ {
		_, err := d.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		var cancelled *types.TransactionCanceledException
		if err == nil {
			return nil, nil
		}
		if !errors.As(err, &cancelled) {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		conflict := false
		failed = failed[:0]
		for i, r := range cancelled.CancellationReasons {
			switch aws.ToString(r.Code) {
			case "ConditionalCheckFailed":
				failed = append(failed, i)
			case "", "None":
			case "TransactionConflict":
				conflict = true
			default:
				return nil, fmt.Errorf("%s: item %d: %s: %w", what, i, aws.ToString(r.Code), err)
			}
		}
		switch {
		case len(failed) > 0:
			return failed, nil
		case !conflict:
			return nil, fmt.Errorf("%s: %w", what, err)
		case attempt == transactRetries:
			return nil, fmt.Errorf("%s: conflicting transactions after %d attempts: %w", what, attempt+1, err)
		}
		if err := sleep(ctx, time.Duration(attempt+1)*20*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

func (d *DynamoDB) put(item map[string]types.AttributeValue, cond string, names map[string]string, values map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(d.table), Item: item,
		ConditionExpression: optional(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values}}
}

func (d *DynamoDB) update(k types.AttributeValue, expr, cond string, names map[string]string, values map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{TableName: aws.String(d.table), Key: key(k), UpdateExpression: aws.String(expr),
		ConditionExpression: optional(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values}}
}

func (d *DynamoDB) delete(k types.AttributeValue, cond string, names map[string]string, values map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(d.table), Key: key(k),
		ConditionExpression: optional(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values}}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// rfc3339 formats t in UTC, or returns "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
