package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// The conditions of storms and digests.
const (
	// condNewPeriod: a storm's period starts when there is none or the
	// last one ended.
	condNewPeriod = "attribute_not_exists(pk) OR #end <= :now"
	// condSendAtOnce: a message goes out at once while the period has sent
	// fewer than the threshold (and it was not held before).
	condSendAtOnce = "NOT contains(held, :member) AND (attribute_not_exists(sent) OR contains(sent, :member) OR size(sent) < :threshold)"
	// condHold: a message is held while the period has room and its
	// digest has not been claimed.
	condHold = "contains(held, :member) OR ((attribute_not_exists(held) OR size(held) < :cap) AND attribute_not_exists(digest))"
	// condDueRoom: at most maxDue digests wait.
	condDueRoom = "contains(due, :id) OR attribute_not_exists(due) OR size(due) < :cap"
	// condClaimDigest: a digest is claimed when nobody sends it, or its
	// lease ended, or by the execution holding it.
	condClaimDigest = "attribute_exists(pk) AND (attribute_not_exists(digest) OR (digest = :sending AND (digest_lease_ends <= :now OR digest_execution = :xid)))"
	// condDigestHeld: the execution sending a digest settles it.
	condDigestHeld = "digest = :sending AND digest_execution = :xid"
	// condEndEarly: a claimed digest ends its period now, unless another
	// period already began.
	condEndEarly = "#start = :start AND #end > :now"
)

// dueKey is the item listing the digests waiting to be sent.
var dueKey = str("digests#due")

func stormKey(hash string) types.AttributeValue { return str("storm#" + hash) }

func periodKey(hash string, start time.Time) types.AttributeValue {
	return str("storm#" + hash + "#" + strconv.FormatInt(start.Unix(), 10))
}

// Gate counts g.Member in its storm's current period: at once under
// condSendAtOnce, else held under condHold with its digest listed as due
// (condDueRoom), in one transaction; a message that can be neither is an
// overflow, counted on the period and sent at once.
func (d *DynamoDB) Gate(ctx context.Context, g Gate) (Gated, error) {
	hash := g.Storm.Hash()
	start, end, err := d.currentPeriod(ctx, hash, g)
	if err != nil {
		return Gated{}, err
	}
	id := lifecycle.DigestID(hash, start)
	ppk := periodKey(hash, start)
	e := newExprs()
	e.names["#start"], e.names["#end"], e.names["#ttl"] = "start", "end", "ttl"
	e.values[":account"], e.values[":actor"], e.values[":event"] = str(g.Storm.Account), str(g.Storm.Actor), str(g.Storm.EventName)
	e.values[":start"], e.values[":end"], e.values[":due"] = epoch(start), epoch(end), epoch(g.Config.Due(start, end))
	e.values[":ttl"], e.values[":member"] = epoch(end.Add(g.Retention)), str(g.Member)
	e.values[":members"] = &types.AttributeValueMemberSS{Value: []string{g.Member}}
	e.values[":threshold"], e.values[":cap"] = num(int64(g.Config.Threshold)), num(maxHeld)
	set := "SET account = :account, actor = :actor, event_name = :event, #start = :start, #end = :end, due = :due, #ttl = :ttl"
	what := "update item storm#" + hash + " in table " + d.table
	if !g.Hold {
		expr := "ADD sent :members " + set
		names, values := e.only(expr, condSendAtOnce)
		_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(ppk),
			UpdateExpression: aws.String(expr), ConditionExpression: aws.String(condSendAtOnce), ExpressionAttributeNames: names, ExpressionAttributeValues: values})
		if ok, err := conditional(err, what); err != nil || ok {
			return Gated{DigestID: id}, err
		}
	}
	expr := "ADD held :members " + set
	names, values := e.only(expr, condHold)
	failed, err := d.transact(ctx, "hold in storm#"+hash+" in table "+d.table, []types.TransactWriteItem{
		d.update(ppk, expr, condHold, names, values),
		d.update(dueKey, "ADD due :ids", condDueRoom, nil, map[string]types.AttributeValue{
			":ids": &types.AttributeValueMemberSS{Value: []string{id}}, ":id": str(id), ":cap": num(maxDue)}),
	})
	switch {
	case err != nil:
		return Gated{}, err
	case len(failed) == 0:
		return Gated{Held: true, DigestID: id}, nil
	}
	_, err = d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(ppk),
		UpdateExpression: aws.String("ADD overflow :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)}})
	if err != nil {
		return Gated{}, fmt.Errorf("%s: %w", what, err)
	}
	return Gated{DigestID: id, Overflow: true}, nil
}

// currentPeriod returns the start and end of the storm's period at g.Now,
// starting one (condNewPeriod) when the last one ended.
func (d *DynamoDB) currentPeriod(ctx context.Context, hash string, g Gate) (start, end time.Time, err error) {
	what := "storm#" + hash + " in table " + d.table
	for range transactRetries + 1 {
		out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: key(stormKey(hash)), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("get item %s: %w", what, err)
		}
		if out.Item != nil {
			if start, end := decodeEpoch(out.Item["start"]), decodeEpoch(out.Item["end"]); end.After(g.Now) {
				return start, end, nil
			}
		}
		end := g.Now.Add(g.Config.Period)
		_, err = d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(stormKey(hash)),
			UpdateExpression:         aws.String("SET #start = :now, #end = :end, #ttl = :ttl"),
			ConditionExpression:      aws.String(condNewPeriod),
			ExpressionAttributeNames: map[string]string{"#start": "start", "#end": "end", "#ttl": "ttl"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": epoch(g.Now), ":end": epoch(end),
				":ttl": epoch(end.Add(g.Retention))}})
		ok, err := conditional(err, "update item "+what)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		if ok {
			return g.Now, end, nil
		}
	}
	return time.Time{}, time.Time{}, fmt.Errorf("start a period of %s: %w", what, errContention)
}

// DueDigests reads the due listing and the periods it names, returns
// those due at now, oldest first, and unlists those sent or gone.
func (d *DynamoDB) DueDigests(ctx context.Context, now time.Time, max int) ([]string, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: key(dueKey), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get item digests#due in table %s: %w", d.table, err)
	}
	ids, _ := out.Item["due"].(*types.AttributeValueMemberSS)
	if ids == nil || len(ids.Value) == 0 {
		return nil, nil
	}
	pks := map[string]string{}
	var keys []types.AttributeValue
	for _, id := range slices.Sorted(slices.Values(ids.Value)) {
		hash, start, err := lifecycle.ParseDigestID(id)
		if err != nil {
			continue
		}
		p := periodKey(hash, start)
		pks[p.(*types.AttributeValueMemberS).Value] = id
		keys = append(keys, p)
		if len(keys) == 10*max {
			break
		}
	}
	items, err := d.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	type due struct {
		id string
		at time.Time
	}
	var ready []due
	var stale []string
	for p, id := range pks {
		item, ok := items[p]
		if s, _ := item["digest"].(*types.AttributeValueMemberS); !ok || s != nil && s.Value == "sent" {
			stale = append(stale, id)
			continue
		}
		if at := decodeEpoch(item["due"]); !at.After(now) {
			ready = append(ready, due{id, at})
		}
	}
	if len(stale) > 0 {
		if _, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(dueKey),
			UpdateExpression:          aws.String("DELETE due :ids"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":ids": &types.AttributeValueMemberSS{Value: stale}}}); err != nil {
			return nil, fmt.Errorf("update item digests#due in table %s: %w", d.table, err)
		}
	}
	slices.SortFunc(ready, func(a, b due) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.id, b.id)) })
	var result []string
	for _, r := range ready[:min(max, len(ready))] {
		result = append(result, r.id)
	}
	return result, nil
}

// ClaimDigest claims the period's digest under condClaimDigest and ends
// the period under condEndEarly.
func (d *DynamoDB) ClaimDigest(ctx context.Context, id, executionID string, now, leaseEnds time.Time) (lifecycle.Period, DigestState, error) {
	hash, start, err := lifecycle.ParseDigestID(id)
	if err != nil {
		return lifecycle.Period{}, "", err
	}
	what := "update item storm#" + hash + " in table " + d.table
	out, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(periodKey(hash, start)),
		UpdateExpression:    aws.String("SET digest = :sending, digest_execution = :xid, digest_lease_ends = :lease"),
		ConditionExpression: aws.String(condClaimDigest),
		ExpressionAttributeValues: map[string]types.AttributeValue{":sending": str("sending"), ":xid": str(executionID),
			":lease": epoch(leaseEnds), ":now": epoch(now)},
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
		s, _ := ccf.Item["digest"].(*types.AttributeValueMemberS)
		switch {
		case len(ccf.Item) == 0:
			return lifecycle.Period{}, DigestGone, nil
		case s != nil && s.Value == "sent":
			return lifecycle.Period{}, DigestSent, nil
		}
		return lifecycle.Period{}, DigestInFlight, nil
	case err != nil:
		return lifecycle.Period{}, "", fmt.Errorf("%s: %w", what, err)
	}
	_, err = d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(stormKey(hash)),
		UpdateExpression: aws.String("SET #end = :now"), ConditionExpression: aws.String(condEndEarly),
		ExpressionAttributeNames:  map[string]string{"#start": "start", "#end": "end"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": epoch(now), ":start": epoch(start)}})
	if _, err := conditional(err, what); err != nil {
		return lifecycle.Period{}, "", err
	}
	return decodePeriod(id, out.Attributes), DigestClaimed, nil
}

func decodePeriod(id string, item map[string]types.AttributeValue) lifecycle.Period {
	s := func(name string) string { return text(item, name) }
	ss := func(name string) []string {
		if v, ok := item[name].(*types.AttributeValueMemberSS); ok {
			return v.Value
		}
		return nil
	}
	return lifecycle.Period{ID: id, Storm: lifecycle.Storm{Account: s("account"), Actor: s("actor"), EventName: s("event_name")},
		Start: decodeEpoch(item["start"]), End: decodeEpoch(item["end"]), Sent: ss("sent"), Held: ss("held"),
		Overflow: int(decodeInt(item["overflow"]))}
}

// ConfirmDigest marks the digest sent under condDigestHeld and unlists it
// from the due digests, in one transaction.
func (d *DynamoDB) ConfirmDigest(ctx context.Context, id, executionID, messageID string, at time.Time) (bool, error) {
	hash, start, err := lifecycle.ParseDigestID(id)
	if err != nil {
		return false, err
	}
	failed, err := d.transact(ctx, "confirm digest storm#"+hash+" in table "+d.table, []types.TransactWriteItem{
		d.update(periodKey(hash, start), "SET digest = :sent, digest_message_id = :mid, digest_sent_at = :at REMOVE digest_lease_ends", condDigestHeld, nil,
			map[string]types.AttributeValue{":sent": str("sent"), ":sending": str("sending"), ":xid": str(executionID), ":mid": str(messageID), ":at": str(rfc3339(at))}),
		d.update(dueKey, "DELETE due :ids", "", nil, map[string]types.AttributeValue{":ids": &types.AttributeValueMemberSS{Value: []string{id}}}),
	})
	return len(failed) == 0, err
}

// ReleaseDigest gives the digest back under condDigestHeld.
func (d *DynamoDB) ReleaseDigest(ctx context.Context, id, executionID string) (bool, error) {
	hash, start, err := lifecycle.ParseDigestID(id)
	if err != nil {
		return false, err
	}
	_, err = d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(periodKey(hash, start)),
		UpdateExpression: aws.String("REMOVE digest, digest_execution, digest_lease_ends"), ConditionExpression: aws.String(condDigestHeld),
		ExpressionAttributeValues: map[string]types.AttributeValue{":sending": str("sending"), ":xid": str(executionID)}})
	return conditional(err, "update item storm#"+hash+" in table "+d.table)
}
