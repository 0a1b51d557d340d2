package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// The conditions of the alert transitions, besides the version guard (see
// versionGuard) that every write on an existing record adds.
const (
	// condAbsent: a new alert claims a key nobody holds.
	condAbsent = "attribute_not_exists(pk)"
	// condTakeover: a pending claim whose lease ended may be taken over.
	condTakeover = "#status = :pending AND lease_ends <= :now"
	// condReminder: an open alert whose window ended is sent again.
	condReminder = "#status IN (:open, :sent) AND window_ends <= :now"
	// condReopen: a resolved alert's exposure came back.
	condReopen = "#status = :resolved"
	// condRefresh: the execution holding the pending claim renews it.
	condRefresh = "#status = :pending AND execution_id = :xid AND event_id = :eid"
	// condRepeat: an open alert within its window counts a report.
	condRepeat = "#status IN (:open, :sent) AND window_ends > :now"
	// condConfirm: the event holding the claim confirms it (again).
	condConfirm = "event_id = :eid AND #status IN (:pending, :open, :sent)"
	// condRelease: the event holding a pending claim gives it back.
	condRelease = "#status = :pending AND event_id = :eid"
	// condReplace: the event holding a pending claim takes it over again
	// or marks it uncertain.
	condReplace = condRelease
	// condResend: an uncertain alert is claimed to be sent once more.
	condResend = "#status = :uncertain"
	// condClose: only an open alert is updated or resolved.
	condClose = "#status IN (:open, :sent)"
	// condMessage: the event whose message is pending settles it.
	condMessage = "msg_event = :eid AND msg_kind = :kind AND attribute_exists(msg_execution)"
	// condMarker: an event is counted once on an alert.
	condMarker = "attribute_not_exists(pk)"
	// condIndexRoom: a resource lists at most maxIndexKeys alerts.
	condIndexRoom = "attribute_not_exists(#keys) OR contains(#keys, :key) OR size(#keys) < :cap"
)

// exprs collects the names and values of one request's expressions.
type exprs struct {
	names  map[string]string
	values map[string]types.AttributeValue
}

func newExprs() *exprs {
	return &exprs{names: map[string]string{}, values: map[string]types.AttributeValue{}}
}

// with adds the placeholders the conditions above use, for now and the
// statuses.
func (e *exprs) statuses(now time.Time) *exprs {
	e.names["#status"] = "status"
	e.values[":now"] = epoch(now)
	for name, s := range map[string]string{":pending": string(finding.AlertPending), ":open": string(finding.AlertOpen),
		":sent": statusSent, ":resolved": string(finding.AlertResolved), ":uncertain": string(finding.AlertUncertain)} {
		e.values[name] = str(s)
	}
	return e
}

// only keeps the names and values expr uses, as DynamoDB refuses unused
// ones.
func (e *exprs) only(expr ...string) (map[string]string, map[string]types.AttributeValue) {
	all := strings.Join(expr, " ")
	names, values := map[string]string{}, map[string]types.AttributeValue{}
	for k, v := range e.names {
		if used(all, k) {
			names[k] = v
		}
	}
	for k, v := range e.values {
		if used(all, k) {
			values[k] = v
		}
	}
	if len(names) == 0 {
		names = nil
	}
	if len(values) == 0 {
		values = nil
	}
	return names, values
}

// used reports whether the placeholder p occurs in expr as a whole word.
func used(expr, p string) bool {
	for i := strings.Index(expr, p); i >= 0; {
		end := i + len(p)
		if end == len(expr) || !isWordByte(expr[end]) {
			return true
		}
		next := strings.Index(expr[end:], p)
		if next < 0 {
			return false
		}
		i = end + next
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// versionGuard is the condition that prev still stands: its version, or
// for a record written before lifecycles, its holder (and no version).
func versionGuard(prev lifecycle.Record, e *exprs) string {
	if prev.Legacy {
		e.values[":prev_eid"] = str(prev.EventID)
		return "attribute_not_exists(ver) AND event_id = :prev_eid"
	}
	e.values[":ver"] = num(prev.Version)
	return "ver = :ver"
}

// claimGuard is the condition of a claim for reason on prev.
func claimGuard(reason lifecycle.ClaimReason, prev lifecycle.Record, e *exprs) (string, error) {
	if reason == lifecycle.ReasonNew {
		return condAbsent, nil
	}
	var cond string
	switch reason {
	case lifecycle.ReasonTakeover:
		cond = condTakeover
	case lifecycle.ReasonReminder:
		cond = condReminder
	case lifecycle.ReasonReopen:
		cond = condReopen
	case lifecycle.ReasonResend:
		cond = condResend
	default:
		return "", fmt.Errorf("claim for an unknown reason %q", reason)
	}
	return versionGuard(prev, e) + " AND " + cond, nil
}

// Claim writes the claim as one transaction: the record (claimGuard), the
// event's marker (condMarker, when counted) and the key's listing under
// each indexed resource (condIndexRoom). A resource whose listing is full
// is left out and the claim tried again without it.
func (d *DynamoDB) Claim(ctx context.Context, c Claim) (ClaimResult, error) {
	next := c.Next
	var unindexed []string
	for {
		e := newExprs().statuses(c.Now)
		cond, err := claimGuard(c.Reason, c.Prev, e)
		if err != nil {
			return ClaimResult{}, err
		}
		names, values := e.only(cond)
		items := []types.TransactWriteItem{d.put(encodeRecord(next), cond, names, values)}
		marker := -1
		if c.Count {
			marker = len(items)
			items = append(items, d.put(map[string]types.AttributeValue{"pk": markerKey(next.Key, next.EventID), "ttl": epoch(next.Expires)}, condMarker, nil, nil))
		}
		first := len(items)
		items = append(items, d.index(next, next.Indexed)...)
		failed, err := d.transact(ctx, "claim alert#"+next.Key+" in table "+d.table, items)
		if err != nil {
			return ClaimResult{}, err
		}
		if len(failed) == 0 {
			return ClaimResult{Granted: true, Counted: true, Unindexed: unindexed}, nil
		}
		switch {
		case slices.Contains(failed, 0):
			return ClaimResult{}, nil
		case slices.Contains(failed, marker):
			return ClaimResult{Granted: true}, nil
		}
		for _, i := range failed {
			unindexed = append(unindexed, next.Indexed[i-first])
		}
		next.Indexed = slices.DeleteFunc(slices.Clone(next.Indexed), func(ref string) bool { return slices.Contains(unindexed, ref) })
	}
}

// index returns the updates listing r's key under refs, under
// condIndexRoom, extending each listing's ttl to r's (later claims expire
// later).
func (d *DynamoDB) index(r lifecycle.Record, refs []string) []types.TransactWriteItem {
	var items []types.TransactWriteItem
	for _, ref := range refs {
		e := newExprs()
		e.names["#keys"], e.names["#ttl"] = "keys", "ttl"
		e.values[":keys"], e.values[":key"] = &types.AttributeValueMemberSS{Value: []string{r.Key}}, str(r.Key)
		e.values[":cap"], e.values[":ttl"] = num(maxIndexKeys), epoch(r.Expires)
		set, cond := "ADD #keys :keys SET #ttl = :ttl", condIndexRoom
		names, values := e.only(set, cond)
		items = append(items, d.update(indexKey(r.Account, r.Region, ref), set, cond, names, values))
	}
	return items
}

// Refresh renews the claim under condRefresh.
func (d *DynamoDB) Refresh(ctx context.Context, prev, next lifecycle.Record) (bool, error) {
	e := newExprs().statuses(next.ClaimedAt)
	e.values[":xid"], e.values[":eid"] = str(prev.ExecutionID), str(prev.EventID)
	e.values[":window"], e.values[":lease"], e.values[":ttl"], e.values[":one"] = epoch(next.WindowEnds), epoch(next.LeaseEnds), epoch(next.Expires), num(1)
	e.names["#ttl"] = "ttl"
	set := "SET window_ends = :window, lease_ends = :lease, #ttl = :ttl ADD ver :one"
	names, values := e.only(set, condRefresh)
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(pk(prev.Key)),
		UpdateExpression: aws.String(set), ConditionExpression: aws.String(condRefresh), ExpressionAttributeNames: names, ExpressionAttributeValues: values})
	return conditional(err, "update item alert#"+prev.Key+" in table "+d.table)
}

// Repeat counts the event in one transaction: its marker (condMarker) and
// the record's counts (condRepeat), which it adds to rather than
// overwrites, so concurrent repeats all count.
func (d *DynamoDB) Repeat(ctx context.Context, prev lifecycle.Record, eventID string, seen, now time.Time) (RepeatResult, error) {
	e := newExprs().statuses(now)
	e.values[":one"], e.values[":seen"] = num(1), str(rfc3339(seen))
	set := "SET events = if_not_exists(events, :one) + :one, repeats = if_not_exists(repeats, :zero) + :one, last_seen = :seen ADD ver :one"
	e.values[":zero"] = num(0)
	names, values := e.only(set, condRepeat)
	failed, err := d.transact(ctx, "repeat alert#"+prev.Key+" in table "+d.table, []types.TransactWriteItem{
		d.put(map[string]types.AttributeValue{"pk": markerKey(prev.Key, eventID), "ttl": epoch(prev.Expires)}, condMarker, nil, nil),
		d.update(pk(prev.Key), set, condRepeat, names, values),
	})
	switch {
	case err != nil:
		return RepeatResult{}, err
	case slices.Contains(failed, 1):
		return RepeatResult{}, nil
	case slices.Contains(failed, 0):
		return RepeatResult{Open: true}, nil
	}
	return RepeatResult{Open: true, Counted: true}, nil
}

// Confirm marks the alert open under condConfirm, keeping the first
// opening message id.
func (d *DynamoDB) Confirm(ctx context.Context, k, eventID, messageID string, at time.Time) (bool, error) {
	e := newExprs().statuses(at)
	e.values[":eid"], e.values[":at"], e.values[":one"], e.values[":zero"] = str(eventID), str(rfc3339(at)), num(1), num(0)
	set := "SET #status = :open, sent_at = :at, ver = if_not_exists(ver, :zero) + :one"
	if messageID != "" {
		set += ", message_id = if_not_exists(message_id, :mid)"
		e.values[":mid"] = str(messageID)
	}
	set += " REMOVE lease_ends"
	names, values := e.only(set, condConfirm)
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(pk(k)),
		UpdateExpression: aws.String(set), ConditionExpression: aws.String(condConfirm), ExpressionAttributeNames: names, ExpressionAttributeValues: values})
	return conditional(err, "update item alert#"+k+" in table "+d.table)
}

// Release deletes (or rewrites) the record under its version and
// condRelease, and deletes the event's marker, in one transaction.
func (d *DynamoDB) Release(ctx context.Context, prev, next lifecycle.Record, remove bool) (bool, error) {
	e := newExprs().statuses(time.Now())
	e.values[":eid"] = str(prev.EventID)
	cond := versionGuard(prev, e) + " AND " + condRelease
	names, values := e.only(cond)
	alert := d.put(encodeRecord(next), cond, names, values)
	if remove {
		alert = d.delete(pk(prev.Key), cond, names, values)
	}
	failed, err := d.transact(ctx, "release alert#"+prev.Key+" in table "+d.table,
		[]types.TransactWriteItem{alert, d.delete(markerKey(prev.Key, prev.EventID), "", nil, nil)})
	return len(failed) == 0, err
}

// Replace writes next under prev's version and condReplace.
func (d *DynamoDB) Replace(ctx context.Context, prev, next lifecycle.Record) (bool, error) {
	e := newExprs()
	e.values[":eid"] = str(prev.EventID)
	return d.rewrite(ctx, prev, next, condReplace, e)
}

// Close writes the updated or resolved record under its version and
// condClose.
func (d *DynamoDB) Close(ctx context.Context, prev, next lifecycle.Record) (bool, error) {
	return d.rewrite(ctx, prev, next, condClose, nil)
}

// rewrite puts next in place of prev under prev's version and cond.
func (d *DynamoDB) rewrite(ctx context.Context, prev, next lifecycle.Record, cond string, e *exprs) (bool, error) {
	if e == nil {
		e = newExprs()
	}
	e.statuses(time.Now())
	cond = versionGuard(prev, e) + " AND " + cond
	names, values := e.only(cond)
	_, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: encodeRecord(next),
		ConditionExpression: aws.String(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values})
	return conditional(err, "put item alert#"+prev.Key+" in table "+d.table)
}

// ConfirmMessage settles the message under condMessage.
func (d *DynamoDB) ConfirmMessage(ctx context.Context, k string, kind finding.MessageKind, eventID, messageID string, at time.Time) (bool, error) {
	e := newExprs()
	e.values[":eid"], e.values[":kind"], e.values[":one"], e.values[":at"] = str(eventID), str(string(kind)), num(1), str(rfc3339(at))
	set := "SET msg_sent_at = :at ADD ver :one REMOVE msg_execution, msg_lease_ends"
	if messageID != "" {
		set = "SET msg_sent_at = :at, msg_message_id = :mid ADD ver :one REMOVE msg_execution, msg_lease_ends"
		e.values[":mid"] = str(messageID)
	}
	names, values := e.only(set, condMessage)
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(pk(k)),
		UpdateExpression: aws.String(set), ConditionExpression: aws.String(condMessage), ExpressionAttributeNames: names, ExpressionAttributeValues: values})
	return conditional(err, "update item alert#"+k+" in table "+d.table)
}

// ReleaseMessage writes the record as it was under its version and
// condMessage.
func (d *DynamoDB) ReleaseMessage(ctx context.Context, prev, next lifecycle.Record) (bool, error) {
	m := prev.Message
	if m == nil {
		return false, nil
	}
	e := newExprs()
	e.values[":eid"], e.values[":kind"] = str(m.EventID), str(string(m.Kind))
	return d.rewrite(ctx, prev, next, condMessage, e)
}

// Indexed reads the listings of refs.
func (d *DynamoDB) Indexed(ctx context.Context, account, region string, refs []string) (map[string][]string, error) {
	pks := make([]types.AttributeValue, 0, len(refs))
	byPK := map[string]string{}
	for _, ref := range refs {
		p := indexKey(account, region, ref)
		byPK[p.(*types.AttributeValueMemberS).Value] = ref
		pks = append(pks, p)
	}
	items, err := d.batchGet(ctx, pks)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for p, item := range items {
		if v, ok := item["keys"].(*types.AttributeValueMemberSS); ok {
			out[byPK[p]] = slices.Sorted(slices.Values(v.Value))
		}
	}
	return out, nil
}

// Unindex unlists keys from ref.
func (d *DynamoDB) Unindex(ctx context.Context, account, region, ref string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(d.table), Key: key(indexKey(account, region, ref)),
		UpdateExpression: aws.String("DELETE #keys :keys"), ExpressionAttributeNames: map[string]string{"#keys": "keys"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":keys": &types.AttributeValueMemberSS{Value: keys}}})
	if err != nil {
		return fmt.Errorf("update item res#%s#%s#%s in table %s: %w", account, region, ref, d.table, err)
	}
	return nil
}
