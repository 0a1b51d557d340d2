package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// itemSize is an item's size as DynamoDB counts it: for each attribute the
// UTF-8 bytes of its name, plus those of a string value, or for a number
// one byte per two significant digits and one more, for a string set the
// bytes of its strings, for a list or map 3 bytes plus, for each element,
// one byte and its size (with its name, in a map).
func itemSize(t *testing.T, item map[string]types.AttributeValue) int {
	t.Helper()
	n := 0
	for name, v := range item {
		n += len(name) + valueSize(t, name, v)
	}
	return n
}

func valueSize(t *testing.T, name string, v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return (len(strings.TrimLeft(v.Value, "-0"))+1)/2 + 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(t, name, e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + valueSize(t, name, e)
		}
		return n
	}
	t.Fatalf("attribute %s: %T, which itemSize does not size", name, v)
	return 0
}

// longest is a string of n bytes.
func longest(c string, n int) string { return strings.Repeat(c, n) }

// largestFinding is a finding whose every string is as long as parse lets
// it be, exposing MaxLines lines.
func largestFinding() *finding.Finding {
	text := longest("x", finding.MaxTextBytes)
	f := &finding.Finding{EventID: text, EventName: text, EventSource: "ec2.amazonaws.com", Account: text, Region: text,
		Actor: finding.Actor{ARN: text}, Summary: text, Severity: finding.SeverityHigh, Enriched: true, OpensExposure: true,
		Time: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
	for i := range 20 {
		r := finding.Resource{Type: finding.ResourceType(text), ID: fmt.Sprintf("%d%s", i, text[:finding.MaxTextBytes-3]), Found: boolPtr(true)}
		for j := range lifecycle.MaxLines {
			r.OpenIngress = append(r.OpenIngress, finding.Rule{Protocol: text, FromPort: j, ToPort: 65535, CIDR: "0.0.0.0/0", WorldOpen: true,
				SecurityGroupID: fmt.Sprintf("%d%s", j, text[:finding.MaxTextBytes-3])})
		}
		f.Resources = append(f.Resources, r)
	}
	return f
}

// largestRecord is the largest record a claim and a closing event write.
func largestRecord(t *testing.T) lifecycle.Record {
	t.Helper()
	f := largestFinding()
	far := f.Time
	k := finding.AlertKey(f)
	exec := longest("x", 2048)
	rec := lifecycle.OnOpening(lifecycle.Record{Key: k}, lifecycle.NewReport(f, k, exec, far), testConfig.lifecycle()).Next
	if len(rec.Exposure) != lifecycle.MaxLines || len(rec.Indexed) != lifecycle.MaxIndexed {
		t.Fatalf("the largest record has %d lines and %d indexed resources", len(rec.Exposure), len(rec.Indexed))
	}
	rec.Status, rec.OpeningMessageID, rec.SentAt, rec.DigestID = finding.AlertOpen, longest("m", lifecycle.MaxRefBytes), far, lifecycle.DigestID(longest("a", 32), far)
	c := largestFinding()
	c.ClosesExposure, c.OpensExposure = true, false
	for i := range c.Resources {
		c.Resources[i].OpenIngress = c.Resources[i].OpenIngress[:1]
	}
	closed := lifecycle.OnClosing(rec, c, lifecycle.NewReport(c, "", exec, far), testConfig.lifecycle())
	if closed.Step != lifecycle.StepUpdate {
		t.Fatalf("the largest closing event: %s", closed.Step)
	}
	next := closed.Next
	next.Message.MessageID = longest("m", lifecycle.MaxRefBytes)
	return next
}

// TestLargestItemsFit: the largest items dedupe writes fit DynamoDB's item
// size, and their keys its partition key length: an alert record with
// every string at its bound and as many lines as it keeps, a storm period
// holding all it may, the listing of the due digests and of a resource.
func TestLargestItemsFit(t *testing.T) {
	limit := deployment.Facts.Quotas.ItemBytes.Value
	keyLimit := deployment.Facts.Quotas.PartitionKeyBytes.Value
	rec := largestRecord(t)
	var puts []map[string]types.AttributeValue
	var updates []*types.Update
	client := &fakeDynamoDB{
		TransactWriteItemsFn: func(_ context.Context, in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
			if n, max := len(in.TransactItems), deployment.Facts.Quotas.TransactActions.Value; n > max {
				t.Errorf("a transaction of %d actions, more than DynamoDB's %d", n, max)
			}
			for _, it := range in.TransactItems {
				if it.Put != nil {
					puts = append(puts, it.Put.Item)
				}
				if it.Update != nil {
					updates = append(updates, it.Update)
				}
			}
			return &dynamodb.TransactWriteItemsOutput{}, nil
		},
		PutItemFn: func(_ context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
			puts = append(puts, in.Item)
			return &dynamodb.PutItemOutput{}, nil
		},
	}
	d := NewDynamoDB(client, "trailwatch-dedupe")
	if _, err := d.Claim(context.Background(), Claim{Prev: lifecycle.Record{Key: rec.Key}, Next: rec, Reason: lifecycle.ReasonNew, Now: rec.FirstSeen, Count: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Close(context.Background(), rec, rec); err != nil {
		t.Fatal(err)
	}
	check := func(what string, item map[string]types.AttributeValue) {
		size := itemSize(t, item)
		t.Logf("%s: %d bytes (quota %d)", what, size, limit)
		if size > limit {
			t.Errorf("%s is %d bytes, more than DynamoDB's %d", what, size, limit)
		}
		if p, ok := item["pk"].(*types.AttributeValueMemberS); ok && len(p.Value) > keyLimit {
			t.Errorf("%s: key of %d bytes, more than DynamoDB's %d", what, len(p.Value), keyLimit)
		}
	}
	for i, item := range puts {
		check(fmt.Sprintf("put %d (%s...)", i, item["pk"].(*types.AttributeValueMemberS).Value[:6]), item)
	}
	for _, u := range updates {
		if p := u.Key["pk"].(*types.AttributeValueMemberS).Value; len(p) > keyLimit {
			t.Errorf("index key of %d bytes", len(p))
		}
	}

	text := longest("x", finding.MaxTextBytes)
	member := lifecycle.Member(finding.MessageResolved, rec.Key)
	var sent, held []string
	for i := range MaxStormThreshold {
		sent = append(sent, fmt.Sprintf("%s%03d", member[:len(member)-3], i))
	}
	for i := range maxHeld {
		held = append(held, fmt.Sprintf("%s%04d", member[:len(member)-4], i))
	}
	hash := lifecycle.Storm{Account: text, Actor: text, EventName: text}.Hash()
	check("storm period", map[string]types.AttributeValue{
		"pk": periodKey(hash, rec.FirstSeen), "account": str(text), "actor": str(text), "event_name": str(text),
		"start": epoch(rec.FirstSeen), "end": epoch(rec.FirstSeen), "due": epoch(rec.FirstSeen), "ttl": epoch(rec.FirstSeen),
		"sent": &types.AttributeValueMemberSS{Value: sent}, "held": &types.AttributeValueMemberSS{Value: held}, "overflow": num(1 << 40),
		"digest": str("sending"), "digest_execution": str(longest("x", 2048)), "digest_lease_ends": epoch(rec.FirstSeen),
		"digest_message_id": str(longest("m", lifecycle.MaxRefBytes)), "digest_sent_at": str(rfc3339(rec.FirstSeen)),
	})
	var due []string
	for i := range maxDue {
		due = append(due, lifecycle.DigestID(fmt.Sprintf("%032d", i), rec.FirstSeen))
	}
	check("due digests", map[string]types.AttributeValue{"pk": dueKey, "due": &types.AttributeValueMemberSS{Value: due}})
	var keys []string
	for i := range maxIndexKeys {
		keys = append(keys, fmt.Sprintf("%064d", i))
	}
	check("resource listing", map[string]types.AttributeValue{"pk": indexKey(text, text, longest("r", lifecycle.MaxRefBytes)),
		"keys": &types.AttributeValueMemberSS{Value: keys}, "ttl": epoch(rec.FirstSeen)})
	check("rules file", map[string]types.AttributeValue{"pk": str(deployment.Facts.Rules.ItemKey),
		deployment.Facts.Rules.TextAttribute: str(longest("r", deployment.Facts.Rules.MaxBytes)), deployment.Facts.Rules.DigestAttribute: str(longest("d", 64)),
		deployment.Facts.Rules.NameAttribute: str(longest("f", 4096))})
	if k := markerKey(rec.Key, text).(*types.AttributeValueMemberS).Value; len(k) > keyLimit {
		t.Errorf("marker key of %d bytes", len(k))
	}
}

// TestLargestResultFitsTheState: what dedupe returns travels in the state
// machine's state beside the finding (at most finding.MaxFindingBytes):
// the largest closing result, with maxClosureMessages of the largest
// alerts, and the largest opening result fit Step Functions' payload with
// the finding, notify's answer and room for the state machine's own
// fields; the largest digest fits it alone.
func TestLargestResultFitsTheState(t *testing.T) {
	limit := deployment.Facts.Quotas.PayloadBytes.Value
	rec := largestRecord(t)
	a := rec.Alert()
	closing := finding.DedupeResult{Key: rec.Key, Outcome: finding.OutcomeClosed, Resolved: maxClosesPerEvent, Updated: maxClosesPerEvent}
	for range maxClosureMessages {
		closing.Messages = append(closing.Messages, finding.LifecycleMessage{Kind: finding.MessageUpdate, Alert: a})
	}
	opening := claimed(rec.Key, rec, finding.OutcomeAlert)
	notification := finding.NotifyResult{MessageID: longest("m", 100), Subject: longest("s", 99)}
	const stateFields = 4 << 10 // executionId, error documents, names
	for name, res := range map[string]finding.DedupeResult{"closing": closing, "opening": opening} {
		b, _ := json.Marshal(res)
		n, _ := json.Marshal(notification)
		total := finding.MaxFindingBytes + len(b) + len(n) + stateFields
		t.Logf("state with the largest %s result: %d bytes (result %d; quota %d)", name, total, len(b), limit)
		if total > limit {
			t.Errorf("the largest %s result (%d bytes) leaves the state at %d bytes, more than Step Functions' %d", name, len(b), total, limit)
		}
	}
	var recs = map[string]lifecycle.Record{}
	var held []string
	for i := range maxHeld {
		r := rec
		r.Key = fmt.Sprintf("%064d", i)
		recs[r.Key] = r
		held = append(held, lifecycle.Member(finding.MessageResolved, r.Key))
	}
	d := lifecycle.BuildDigest(lifecycle.Period{ID: rec.DigestID, Held: held}, recs, MaxStormThreshold)
	b, _ := json.Marshal(finding.DedupeResult{Outcome: finding.OutcomeDigest, Digest: &d})
	t.Logf("largest digest result: %d bytes, %d entries listed (quota %d)", len(b), len(d.Held), limit)
	if len(b)+stateFields > limit {
		t.Errorf("the largest digest result is %d bytes, more than Step Functions' %d", len(b), limit)
	}
}
