package cost

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"
)

const root = "../.."

// TestREADMESectionIsGenerated: the README's cost section is Render of the
// committed run (make cost regenerates both).
func TestREADMESectionIsGenerated(t *testing.T) {
	run, err := LoadRun(filepath.Join(root, RunFile))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := Section(string(doc))
	if !ok {
		t.Fatalf("README.md has no %s ... %s section", SectionBegin, SectionEnd)
	}
	if diff := cmp.Diff(Render(run, ListPrices), got); diff != "" {
		t.Errorf("README's cost section is not Render(%s) (run make cost):\n%s", RunFile, diff)
	}
}

func history(t *testing.T) []sfntypes.HistoryEvent {
	t.Helper()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ts := func(ms int) *time.Time { v := at.Add(time.Duration(ms) * time.Millisecond); return &v }
	payload := strings.Repeat("x", 1000)
	return []sfntypes.HistoryEvent{
		{Id: 1, Type: sfntypes.HistoryEventTypeExecutionStarted, Timestamp: ts(0),
			ExecutionStartedEventDetails: &sfntypes.ExecutionStartedEventDetails{Input: aws.String(payload), RoleArn: aws.String("arn:aws:iam::1:role/r")}},
		{Id: 2, PreviousEventId: 1, Type: sfntypes.HistoryEventTypeTaskStateEntered, Timestamp: ts(1),
			StateEnteredEventDetails: &sfntypes.StateEnteredEventDetails{Name: aws.String("Parse"), Input: aws.String(payload)}},
		{Id: 3, PreviousEventId: 2, Type: sfntypes.HistoryEventTypeTaskFailed, Timestamp: ts(40),
			TaskFailedEventDetails: &sfntypes.TaskFailedEventDetails{Error: aws.String("MalformedEventError"), Cause: aws.String("bad"),
				Resource: aws.String("invoke"), ResourceType: aws.String("lambda")}},
		{Id: 4, PreviousEventId: 3, Type: sfntypes.HistoryEventTypeExecutionFailed, Timestamp: ts(41),
			ExecutionFailedEventDetails: &sfntypes.ExecutionFailedEventDetails{Error: aws.String("MalformedEventError")}},
	}
}

func TestLoggedBytes(t *testing.T) {
	events := history(t)
	arn := "arn:aws:states:us-east-1:123456789012:express:p:e:1"
	got := map[string]int{}
	for _, l := range Levels {
		n, err := LoggedBytes(arn, events, l)
		if err != nil {
			t.Fatal(err)
		}
		got[l.Name] = n
	}
	if !(got["ALL with data"] > got["ALL without data"]+2000 && got["ALL without data"] > got["ERROR"] && got["ERROR"] > 0 && got["OFF"] == 0) {
		t.Errorf("logged bytes by level %v: want ALL with data > ALL without (the two 1000-byte inputs) > ERROR (the two failures) > OFF = 0", got)
	}
	// One event, as Step Functions logs it.
	msg, err := logEvent(arn, events[2], true)
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(msg, &ev); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": "3", "type": "TaskFailed", "previous_event_id": "2", "execution_arn": arn,
		"event_timestamp": "1796083200040",
		"details":         map[string]any{"error": "MalformedEventError", "cause": "bad", "resource": "invoke", "resourceType": "lambda"},
	}
	if diff := cmp.Diff(want, ev); diff != "" {
		t.Errorf("log event (-want +got):\n%s", diff)
	}
	errBytes, _ := LoggedBytes(arn, events, Level{Level: "ERROR", Data: true})
	sizes := 0
	for _, e := range events[2:] {
		m, _ := logEvent(arn, e, true)
		sizes += len(m) + LogEventOverhead
	}
	if errBytes != sizes {
		t.Errorf("ERROR logs %d bytes, want the two failures' %d", errBytes, sizes)
	}
}

// TestRecorder: the recorder forwards to the stack and counts request
// units and publishes as the services bill them.
func TestRecorder(t *testing.T) {
	stack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Header.Get("X-Amz-Target") == "DynamoDB_20120810.GetItem" {
			w.Write([]byte(`{"Item":{"pk":{"S":"a"},"doc":{"S":"` + strings.Repeat("d", 5000) + `"}}}`))
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer stack.Close()
	rec, err := NewRecorder()
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	if err := rec.SetTarget(stack.URL); err != nil {
		t.Fatal(err)
	}
	post := func(target, contentType string, body []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, rec.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	item := `{"pk":{"S":"a"},"doc":{"S":"` + strings.Repeat("d", 1500) + `"}}`
	post("DynamoDB_20120810.PutItem", "application/x-amz-json-1.0", []byte(`{"TableName":"t","Item":`+item+`}`))                                        // 2 units
	post("DynamoDB_20120810.UpdateItem", "application/x-amz-json-1.0", []byte(`{"Key":{"pk":{"S":"a"}},"ExpressionAttributeValues":{":c":{"S":"x"}}}`)) // 2
	post("DynamoDB_20120810.DeleteItem", "application/x-amz-json-1.0", []byte(`{"Key":{"pk":{"S":"a"}}}`))                                              // 2
	post("DynamoDB_20120810.PutItem", "application/x-amz-json-1.0", []byte(`{"Item":{"pk":{"S":"b"}}}`))                                                // 1
	post("DynamoDB_20120810.GetItem", "application/x-amz-json-1.0", []byte(`{"Key":{"pk":{"S":"a"}},"ConsistentRead":true}`))                           // 2 read
	post("", "application/x-www-form-urlencoded", []byte(url.Values{"Action": {"Publish"}, "Message": {strings.Repeat("m", 70<<10)}}.Encode()))         // 2 requests
	post("", "application/x-www-form-urlencoded", []byte(url.Values{"Action": {"Publish"}, "Message": {"short"}}.Encode()))                             // 1
	post("", "application/x-www-form-urlencoded", []byte(url.Values{"Action": {"ListTopics"}}.Encode()))
	got := rec.Calls()
	want := Calls{
		DynamoDB:   map[string]int{"PutItem": 2, "UpdateItem": 1, "DeleteItem": 1, "GetItem": 1},
		WriteUnits: 7, ReadUnits: 2, SNSPublishes: 2, SNSRequests: 3, SNSOtherCalls: map[string]int{"ListTopics": 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestMemoryMB(t *testing.T) {
	if got, err := MemoryMB(root); err != nil || got != 128 {
		t.Errorf("MemoryMB = %d, %v; terraform/lambda.tf gives the functions 128 MB", got, err)
	}
}

// TestEstimates prices a run of two executions by hand.
func TestEstimates(t *testing.T) {
	run := &Run{MemoryMB: 128, Executions: []Execution{
		{DurationMS: 150, Invocations: map[string][]float64{"parse": {10.2}, "enrich": {99.5}}, Logged: map[string]int{"ALL with data": 40000}},
		{DurationMS: 50, Invocations: map[string][]float64{"parse": {0.4}}, Logged: map[string]int{"ALL with data": 20000}},
	}, Calls: Calls{WriteUnits: 4, SNSRequests: 1, SNSPublishes: 1}, FunctionLogBytes: map[string]int{"parse": 2000}}
	e := run.Estimates(ListPrices)[0]
	item := func(name string) float64 {
		for _, it := range e.Items {
			if it.Name == name {
				return it.USD
			}
		}
		t.Fatalf("no item %s", name)
		return 0
	}
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
	// 200 ms and 100 ms billed, at 64 MB; 11 + 100 + 1 ms at 128 MB.
	for name, want := range map[string]float64{
		"Step Functions Express requests":     1.00,
		"Step Functions Express duration":     1e6 * (0.2 + 0.1) / 2 * 0.0625 * 0.00001667,
		"Lambda requests":                     1e6 * 1.5 * 0.20 / 1e6,
		"Lambda duration (arm64)":             1e6 * (0.011 + 0.100 + 0.001) / 2 * 0.125 * 0.0000133334,
		"CloudWatch Logs: state machine":      1e6 * 30000.0 / (1 << 30) * 0.50,
		"CloudWatch Logs: functions":          1e6 * 1000.0 / (1 << 30) * 0.50,
		"DynamoDB on-demand writes and reads": 1e6 * 2 * 0.625 / 1e6,
	} {
		if got := item(name); !near(got, want) {
			t.Errorf("%s: $%.6f, want $%.6f", name, got, want)
		}
	}
}
