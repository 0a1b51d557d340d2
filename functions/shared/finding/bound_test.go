package finding_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// hostile is text that costs the most in JSON per byte of event: "<", ">"
// and "&" take 6 bytes each once encoded (\u003c), U+2028 takes 6 for 3, a
// control character 6 (it is 6 in the event too), and multi-byte letters
// test that cuts fall on character boundaries.
const hostile = "<&>\u2028é\u0001\"日本"

// text returns n bytes (as UTF-8) of hostile text, cut on a character
// boundary.
func text(n int) string {
	s := strings.Repeat(hostile, n/len(hostile)+1)
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// putEventsSize is the size EventBridge gives a PutEvents entry (source,
// detail-type, detail and 14 bytes for the time).
func putEventsSize(source, detailType string, detail []byte) int {
	return len(source) + len(detailType) + len(detail) + 14
}

// largestEvent returns the EventBridge event built by shape(n) for the
// largest n whose entry still fits the PutEvents quota.
func largestEvent(t *testing.T, shape func(n int) map[string]any) []byte {
	t.Helper()
	limit := deployment.Facts.Quotas.PutEventsEntryBytes.Value
	build := func(n int) ([]byte, int) {
		detail, err := json.Marshal(shape(n))
		if err != nil {
			t.Fatal(err)
		}
		event, err := json.Marshal(map[string]any{
			"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
			"detail-type": finding.DetailTypeAPICall, "source": "aws.ec2",
			"account": "123456789012", "time": "2025-11-23T09:30:00Z", "region": "us-east-1",
			"resources": []string{}, "detail": json.RawMessage(detail),
		})
		if err != nil {
			t.Fatal(err)
		}
		return event, putEventsSize("aws.ec2", finding.DetailTypeAPICall, detail)
	}
	lo, hi := 0, 1
	for _, size := build(hi); size <= limit; _, size = build(hi) {
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if _, size := build(mid); size <= limit {
			lo = mid
		} else {
			hi = mid
		}
	}
	event, size := build(lo)
	t.Logf("event: %d bytes as a PutEvents entry (quota %d), %d as delivered", size, limit, len(event))
	return event
}

// cloudTrailRecord is a CloudTrail record of eventName whose request and response
// are params and response.
func cloudTrailRecord(eventSource, eventName string, params, response any) map[string]any {
	return map[string]any{
		"eventVersion": "1.09", "eventTime": "2025-11-23T09:30:00Z",
		"eventSource": eventSource, "eventName": eventName, "awsRegion": "us-east-1",
		"sourceIPAddress": "203.0.113.9", "userAgent": "aws-cli/2",
		"userIdentity":      map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/a", "accountId": "123456789012"},
		"requestParameters": params, "responseElements": response,
		"eventID": "3f1c2e7a-0000-4000-8000-000000000001", "eventType": "AwsApiCall",
		"recipientAccountId": "123456789012",
	}
}

// largestShapes are the catalog events whose largest instances make the
// largest findings: text in every field parse copies, as many rules, as many
// instances, and a Family event name of any length.
var largestShapes = map[string]func(n int) map[string]any{
	"text in every copied field": func(n int) map[string]any {
		s := text(n)
		r := cloudTrailRecord("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", map[string]any{
			"groupId": s, "groupName": s,
			"ipPermissions": map[string]any{"items": []any{map[string]any{
				"ipProtocol": s, "fromPort": 22, "toPort": 22,
				"ipRanges":      map[string]any{"items": []any{map[string]any{"cidrIp": s}}},
				"prefixListIds": map[string]any{"items": []any{map[string]any{"prefixListId": s}}},
				"groups":        map[string]any{"items": []any{map[string]any{"groupId": s}}},
			}}},
		}, nil)
		r["eventID"], r["eventVersion"], r["sourceIPAddress"], r["userAgent"] = s, s, s, s
		r["errorCode"], r["errorMessage"], r["vpcEndpointId"] = s, s, s
		r["userIdentity"] = map[string]any{
			"type": s, "principalId": s, "arn": s, "accountId": s, "userName": s, "invokedBy": s,
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"arn": s, "userName": s}},
		}
		return r
	},
	"rules": func(n int) map[string]any {
		var ranges []any
		for i := range n {
			cidr := fmt.Sprintf("10.%d.%d.%d/32", i>>16&255, i>>8&255, i&255)
			if i%7 == 0 {
				cidr = fmt.Sprintf("%d.%d.%d.%d/0", i>>24&255, i>>16&255, i>>8&255, i&255)
			}
			ranges = append(ranges, map[string]any{"cidrIp": cidr})
		}
		return cloudTrailRecord("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", map[string]any{
			"groupId": "sg-0d921df5d84f7270a",
			"ipPermissions": map[string]any{"items": []any{map[string]any{
				"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": map[string]any{"items": ranges},
			}}},
		}, nil)
	},
	"instances": func(n int) map[string]any {
		var instances []any
		for i := range n {
			instances = append(instances, map[string]any{
				"instanceId": fmt.Sprintf("i-%017x", i),
				"groupSet":   map[string]any{"items": []any{map[string]any{"groupId": fmt.Sprintf("sg-%017x", i)}}},
				"networkInterfaceSet": map[string]any{"items": []any{map[string]any{
					"association": map[string]any{"publicIp": fmt.Sprintf("198.%d.%d.%d", i>>16&255, i>>8&255, i&255)},
				}}},
			})
		}
		return cloudTrailRecord("ec2.amazonaws.com", "RunInstances", map[string]any{},
			map[string]any{"instancesSet": map[string]any{"items": instances}})
	},
	"failed call with an error message of emoji": func(n int) map[string]any {
		r := cloudTrailRecord("ec2.amazonaws.com", "RunInstances", map[string]any{"instancesSet": map[string]any{"items": []any{map[string]any{"imageId": "ami-0abcdef1234567890"}}}}, nil)
		r["errorCode"], r["errorMessage"] = "Client.UnauthorizedOperation", strings.Repeat("😀", n/4+1)
		return r
	},
	"long user agent": func(n int) map[string]any {
		r := cloudTrailRecord("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", map[string]any{
			"groupId": "sg-0d921df5d84f7270a",
			"ipPermissions": map[string]any{"items": []any{map[string]any{
				"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": map[string]any{"items": []any{map[string]any{"cidrIp": "0.0.0.0/0"}}},
			}}},
		}, nil)
		r["userAgent"] = "aws-cli/2 " + strings.Repeat("Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1 ", n/52+1)
		return r
	},
	"family event name": func(n int) map[string]any {
		s := text(n)
		return cloudTrailRecord("lambda.amazonaws.com", "AddPermission20150331v2"+s, map[string]any{
			"functionName": s, "action": s, "principal": "*", "functionUrlAuthType": s,
		}, nil)
	},
}

// TestLargestFindingsFit sends the largest events EventBridge carries
// through Parse and checks that the finding keeps within its bounds, that
// the largest state and task payload the state machine builds from it fit
// Step Functions' quota, and that its alert fits SNS's.
func TestLargestFindingsFit(t *testing.T) {
	q := deployment.Facts.Quotas
	for name, shape := range largestShapes {
		t.Run(name, func(t *testing.T) {
			event := largestEvent(t, shape)
			f, err := finding.Parse(event)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			encoded, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("finding: %d bytes (bound %d)", len(encoded), finding.MaxFindingBytes)
			if len(encoded) > finding.MaxFindingBytes {
				t.Errorf("finding is %d bytes, more than MaxFindingBytes %d", len(encoded), finding.MaxFindingBytes)
			}
			var decoded any
			if err := json.Unmarshal(encoded, &decoded); err != nil {
				t.Fatal(err)
			}
			eachString(decoded, func(s string) {
				if b, _ := json.Marshal(s); len(b)-2 > finding.MaxTextBytes {
					t.Errorf("a string of the finding is %d bytes encoded, more than MaxTextBytes %d: %.40q", len(b)-2, finding.MaxTextBytes, s)
				}
			})

			if state := largestState(t, encoded); len(state) > q.PayloadBytes.Value {
				t.Errorf("largest state is %d bytes, more than Step Functions' %d", len(state), q.PayloadBytes.Value)
			}
			if len(encoded) > q.VariableBytes.Value {
				t.Errorf("finding is %d bytes, more than a workflow variable's %d (the state machine keeps it in one)", len(encoded), q.VariableBytes.Value)
			}
			for state, size := range statesOf(t, f) {
				t.Logf("state %s: %d bytes", state, size)
				if size > q.PayloadBytes.Value {
					t.Errorf("state %s is %d bytes, more than Step Functions' %d", state, size, q.PayloadBytes.Value)
				}
			}
			direct, piped := parseInputs(t, event)
			t.Logf("parse's task input: %d bytes started with the event, %d from the intake pipe's record", direct, piped)

			m := alert.Render(f)
			if n := len(m.Subject); n > q.SNSSubjectChars.Value {
				t.Errorf("subject is %d characters, more than SNS's %d", n, q.SNSSubjectChars.Value)
			}
			for _, r := range m.Subject {
				if r < 0x20 || r > 0x7e {
					t.Errorf("subject holds %q, which SNS refuses", r)
				}
			}
			size := len(m.Subject) + len(alert.Structured(m))
			for k, v := range m.Attributes {
				size += len(k) + len("String") + len(v)
			}
			if size > q.SNSMessageBytes.Value {
				t.Errorf("message is %d bytes with subject and attributes, more than SNS's %d", size, q.SNSMessageBytes.Value)
			}
		})
	}
}

// TestBoundKeepsTheExposure: a finding cut to fit keeps the world-open
// rules, still opens exposure and says in its summary what it left out.
func TestBoundKeepsTheExposure(t *testing.T) {
	f, err := finding.Parse(largestEvent(t, largestShapes["rules"]))
	if err != nil {
		t.Fatal(err)
	}
	small, err := json.Marshal(map[string]any{"detail-type": finding.DetailTypeAPICall, "detail": largestShapes["rules"](8)})
	if err != nil {
		t.Fatal(err)
	}
	uncut, err := finding.Parse(small)
	if err != nil {
		t.Fatal(err)
	}
	if !f.OpensExposure || f.Severity != uncut.Severity {
		t.Errorf("opensExposure %v, severity %s: want an exposure of severity %s, as without the cut", f.OpensExposure, f.Severity, uncut.Severity)
	}
	rules := f.Requested.IngressRules
	if len(rules) == 0 || !rules[0].WorldOpen {
		t.Fatalf("%d rules kept, the first world-open: %v", len(rules), len(rules) > 0 && rules[0].WorldOpen)
	}
	for i := 1; i < len(rules); i++ {
		if rules[i].WorldOpen && !rules[i-1].WorldOpen {
			t.Errorf("rule %d is world-open after one that is not: world-open rules are kept first", i)
		}
	}
	if !strings.Contains(f.Summary, "items left out of this finding") {
		t.Errorf("summary %q does not say that items were left out", f.Summary)
	}
}

// largestState is the largest state the state machine builds around
// finding: after Notify failed and Release, it holds the finding, Dedupe's
// selected result, the notification and the caught error. A caught error's
// Cause is the function's error as JSON; the allowance of 8 KiB is far
// above what the functions' errors say (an SDK error with its request id
// and the resource's ARN).
func largestState(t *testing.T, finding []byte) []byte {
	t.Helper()
	const executionID = "arn:aws-us-gov:states:us-gov-west-1:123456789012:express:" // 80-character names
	state, err := json.Marshal(map[string]any{
		"finding": json.RawMessage(finding),
		"dedupe": map[string]any{
			"key": strings.Repeat("f", 64), "duplicate": false, "windowEnds": "2025-11-24T09:30:00Z",
		},
		"notification": map[string]any{"messageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e", "subject": strings.Repeat("<", 99)},
		"error":        map[string]any{"Error": "PublishRefusedError", "Cause": strings.Repeat("<", 8<<10)},
		"executionId":  executionID + strings.Repeat("x", 80) + ":" + strings.Repeat("y", 80) + ":95df01b4-ee98-5cb9-9903-4c221d41eb5e",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("largest state: %d bytes (quota %d)", len(state), deployment.Facts.Quotas.PayloadBytes.Value)
	return state
}

// statesOf returns the size of each state of the pipeline's alert path
// for the finding f, as statemachine/pipeline.asl.json builds them: the
// finding alone after Parse and Enrich (the raw input is not carried on);
// the degraded finding (Enrich failed: its cause, a function error of the
// longest text LookupError allows, kept as Unconfirmed); after Dedupe, the
// claim's result with the alert (marked as a possible repeat); after an
// uncertain publish, its error and the mark's outcome; after Notify, its
// result. Execution ids are the longest ARNs.
func statesOf(t *testing.T, f *finding.Finding) map[string]int {
	t.Helper()
	executionID := "arn:aws-us-gov:states:us-gov-west-1:123456789012:express:" + strings.Repeat("x", 80) + ":" + strings.Repeat("y", 80) + ":95df01b4-ee98-5cb9-9903-4c221d41eb5e"
	degraded := *f
	cause, err := json.Marshal(map[string]string{"errorType": "LookupError", "errorMessage": text(1024)})
	if err != nil {
		t.Fatal(err)
	}
	degraded.Unconfirmed = &finding.Unconfirmed{Error: "LookupError", Cause: string(cause)}
	key := finding.AlertKey(&degraded)
	rec := lifecycle.OnOpening(lifecycle.Record{Key: key}, lifecycle.NewReport(&degraded, key, executionID, time.Date(2025, 11, 23, 9, 30, 0, 0, time.UTC)),
		lifecycle.Config{Window: 24 * time.Hour, Lease: 5 * time.Minute, Retention: 168 * time.Hour}).Next
	rec.Uncertain = 1
	a := rec.Alert()
	dedupe := finding.DedupeResult{Key: key, WindowEnds: "2025-11-24T09:30:00Z", Outcome: finding.OutcomeAlert, Alert: &a}
	notifyError := map[string]string{"Error": "PublishUncertainError", "Cause": strings.Repeat("<", 8<<10)}
	sizes := map[string]int{}
	for name, state := range map[string]any{
		"Parse, Enrich": map[string]any{"finding": f},
		"Degraded":      map[string]any{"finding": &degraded},
		"Dedupe":        map[string]any{"finding": &degraded, "dedupe": dedupe},
		"MarkUncertain": map[string]any{"finding": &degraded, "dedupe": dedupe, "notifyError": notifyError, "uncertain": map[string]string{"outcome": "resend"}},
		"Notify": map[string]any{"finding": &degraded, "dedupe": dedupe, "notifyError": notifyError, "uncertain": map[string]string{"outcome": "resend"},
			"notification": map[string]string{"messageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e", "subject": strings.Repeat("<", 99)}},
		"notify's payload": map[string]any{"kind": "alert", "finding": &degraded, "alert": &a, "executionId": executionID},
	} {
		b, err := json.Marshal(state)
		if err != nil {
			t.Fatal(err)
		}
		sizes[name] = len(b)
	}
	return sizes
}

// parseInputs returns the size of parse's task input for event started
// directly ({"event": event, "executionId": …}) and from the intake pipe
// (its record, the event as a string body, wrapped the same way).
func parseInputs(t *testing.T, event []byte) (direct, piped int) {
	t.Helper()
	executionID := strings.Repeat("x", 200)
	d, err := json.Marshal(map[string]any{"event": json.RawMessage(event), "executionId": executionID})
	if err != nil {
		t.Fatal(err)
	}
	record, err := json.Marshal([]map[string]any{{
		"messageId": "059f36b4-87a3-44ab-83d2-661975830a7d", "receiptHandle": strings.Repeat("A", 400), "body": string(event),
		"attributes": map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183", "SenderId": "AIDAIENQZJOLO23YVJ4VO",
			"ApproximateFirstReceiveTimestamp": "1545082649185"},
		"messageAttributes": map[string]any{}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3", "eventSource": "aws:sqs",
		"eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:trailwatch-intake", "awsRegion": "us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(map[string]any{"event": json.RawMessage(record), "executionId": executionID})
	if err != nil {
		t.Fatal(err)
	}
	return len(d), len(p)
}

// eachString calls fn for every string in v, a decoded JSON value.
func eachString(v any, fn func(string)) {
	switch v := v.(type) {
	case string:
		fn(v)
	case []any:
		for _, e := range v {
			eachString(e, fn)
		}
	case map[string]any:
		for _, e := range v {
			eachString(e, fn)
		}
	}
}

// TestAlertBoundsFitSNS: whatever the finding, alert's bounds keep a
// message within SNS's: the subject under its length, the body, subject and
// attributes (names, type "String" and values) under its message size.
// (The documents for machine subscribers take what is left: see the alert
// package's TestLargestMessagesFitSNS.)
func TestAlertBoundsFitSNS(t *testing.T) {
	q := deployment.Facts.Quotas
	if alert.MaxSubjectLen > q.SNSSubjectChars.Value {
		t.Errorf("alert.MaxSubjectLen %d, SNS takes at most %d", alert.MaxSubjectLen, q.SNSSubjectChars.Value)
	}
	attrs := 0
	for _, name := range []string{alert.AttrSeverity, alert.AttrEventName, alert.AttrEventSource, alert.AttrAccount,
		alert.AttrRegion, alert.AttrCategory, alert.AttrResourceType, alert.AttrOpensExposure} {
		attrs += len(name) + len("String") + 256*utf8.UTFMax // alert cuts attribute values to 256 characters
	}
	if n := alert.MaxBodyBytes + alert.MaxSubjectLen + attrs; n > q.SNSMessageBytes.Value {
		t.Errorf("the largest message alert renders is %d bytes, SNS takes at most %d", n, q.SNSMessageBytes.Value)
	}
}
