package finding_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixtures returns the event fixtures: real-shaped CloudTrail events whose
// sources testdata/events/README.md names.
func fixtures(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob("testdata/events/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return paths
}

// outcome is what a golden file records: the finding, or the named error.
type outcome struct {
	Finding *finding.Finding `json:"finding,omitempty"`
	Error   string           `json:"error,omitempty"`
	Message string           `json:"message,omitempty"`
}

func TestParseGolden(t *testing.T) {
	for _, path := range fixtures(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := finding.Parse(data)
			got := outcome{Finding: f}
			if err != nil {
				got.Error, got.Message = errorName(t, err), err.Error()
			}
			gotJSON, _ := json.MarshalIndent(got, "", "  ")
			gotJSON = append(gotJSON, '\n')
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, gotJSON, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), string(gotJSON)); diff != "" {
				t.Errorf("finding differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// errorName is the name the Lambda runtime reports for err; Parse must
// return only its two named error types, unwrapped.
func errorName(t *testing.T, err error) string {
	t.Helper()
	switch err.(type) {
	case *finding.MalformedEventError:
		return "MalformedEventError"
	case *finding.UnsupportedEventError:
		return "UnsupportedEventError"
	}
	t.Fatalf("Parse returned %T (%v), want a named error", err, err)
	return ""
}

// record returns the bare CloudTrail record of a fixture, decoded.
func record(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if d, ok := m["detail"].(map[string]any); ok {
		return d
	}
	return m
}

func TestParseErrors(t *testing.T) {
	base := record(t, "ec2-authorizesecuritygroupingress.json")
	without := func(field string) []byte {
		m := map[string]any{}
		for k, v := range base {
			if k != field {
				m[k] = v
			}
		}
		b, _ := json.Marshal(m)
		return b
	}
	// with sets field to v and further field, value pairs in kv.
	with := func(field string, v any, kv ...any) []byte {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		m[field] = v
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{"empty", nil, "MalformedEventError"},
		{"not json", []byte("CloudTrail said hello"), "MalformedEventError"},
		{"truncated", []byte(`{"eventName": "RunInst`), "MalformedEventError"},
		{"array", []byte(`[1,2]`), "MalformedEventError"},
		{"null", []byte(`null`), "MalformedEventError"},
		{"no event id", without("eventID"), "MalformedEventError"},
		{"no event name", without("eventName"), "MalformedEventError"},
		{"no event source", without("eventSource"), "MalformedEventError"},
		{"no event time", without("eventTime"), "MalformedEventError"},
		{"no region", without("awsRegion"), "MalformedEventError"},
		{"bad time", with("eventTime", "yesterday"), "MalformedEventError"},
		{"event name a number", with("eventName", 42), "MalformedEventError"},
		{"parameters a string", with("requestParameters", "groupId=sg-1"), "MalformedEventError"},
		{"port out of range", with("requestParameters", map[string]any{"groupId": "sg-1", "ipPermissions": map[string]any{"items": []any{map[string]any{"ipProtocol": "tcp", "fromPort": 70000, "toPort": 70000}}}}), "MalformedEventError"},
		{"no group", with("requestParameters", map[string]any{"ipPermissions": map[string]any{}}, "responseElements", nil), "MalformedEventError"},
		{"not in catalog", with("eventName", "DescribeInstances"), "UnsupportedEventError"},
		{"other detail type", []byte(`{"version":"0","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{"state":"running"}}`), "UnsupportedEventError"},
		{"envelope without detail", []byte(`{"detail-type":"AWS API Call via CloudTrail","source":"aws.ec2"}`), "MalformedEventError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := finding.Parse(tc.input)
			if err == nil {
				t.Fatalf("Parse = %+v, want %s", f, tc.want)
			}
			if got := errorName(t, err); got != tc.want {
				t.Errorf("error %s (%v), want %s", got, err, tc.want)
			}
		})
	}
}

func TestParseEnvelopeAndBareAgree(t *testing.T) {
	for _, path := range fixtures(t) {
		data, _ := os.ReadFile(path)
		var env struct {
			DetailType string          `json:"detail-type"`
			Detail     json.RawMessage `json:"detail"`
		}
		if json.Unmarshal(data, &env) != nil || env.DetailType == "" {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			a, errA := finding.Parse(data)
			b, errB := finding.Parse(env.Detail)
			if (errA == nil) != (errB == nil) {
				t.Fatalf("envelope error %v, bare error %v", errA, errB)
			}
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("envelope and bare record differ (-envelope +bare):\n%s", diff)
			}
		})
	}
}

func TestFailedCallNeverExposes(t *testing.T) {
	for _, path := range fixtures(t) {
		data, _ := os.ReadFile(path)
		f, err := finding.Parse(data)
		if err != nil || !f.Failed() {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			if f.OpensExposure || f.ClosesExposure {
				t.Errorf("failed call %s: opensExposure=%v closesExposure=%v", f.ErrorCode, f.OpensExposure, f.ClosesExposure)
			}
			want := finding.SeverityLow
			if f.Category == finding.CategoryAudit {
				want = finding.SeverityNone // a refused non-root sign-in is not an attempt at exposure
			}
			if f.Severity != want {
				t.Errorf("severity %s, want %s", f.Severity, want)
			}
		})
	}
}

func TestUnknownFieldsAndVersions(t *testing.T) {
	rec := record(t, "ec2-authorizesecuritygroupingress.json")
	want, err := finding.Parse(mustJSON(t, rec))
	if err != nil {
		t.Fatal(err)
	}
	rec["eventVersion"] = "1.99"
	rec["someFutureField"] = map[string]any{"nested": []any{1, "two"}}
	got, err := finding.Parse(mustJSON(t, rec))
	if err != nil {
		t.Fatalf("Parse with unknown fields: %v", err)
	}
	got.EventVersion = want.EventVersion
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unknown fields changed the finding (-want +got):\n%s", diff)
	}
}

func TestParseRequest(t *testing.T) {
	raw := []byte(`{"eventID":"e1","eventName":"RunInstances"}`)
	tests := []struct {
		name, input, wantEvent, wantExec string
	}{
		{"wrapped", `{"event":` + string(raw) + `,"executionId":"arn:x"}`, string(raw), "arn:x"},
		{"bare", string(raw), string(raw), ""},
		{"envelope", `{"detail-type":"AWS API Call via CloudTrail","detail":{}}`, `{"detail-type":"AWS API Call via CloudTrail","detail":{}}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r finding.ParseRequest
			if err := json.Unmarshal([]byte(tc.input), &r); err != nil {
				t.Fatal(err)
			}
			if got := string(bytes.TrimSpace(r.Event)); got != tc.wantEvent {
				t.Errorf("Event = %s, want %s", got, tc.wantEvent)
			}
			if r.ExecutionID != tc.wantExec {
				t.Errorf("ExecutionID = %q, want %q", r.ExecutionID, tc.wantExec)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestErrorsAreNamed(t *testing.T) {
	var m *finding.MalformedEventError
	_, err := finding.Parse([]byte("{"))
	if !errors.As(err, &m) {
		t.Fatalf("got %T", err)
	}
}

func TestReadmeCatalogIsCurrent(t *testing.T) {
	const path = "../../../README.md"
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := finding.ReplaceCatalog(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	if want != string(readme) {
		t.Errorf("the catalog table in %s is stale: run go generate ./... in functions/shared", path)
	}
}

// TestEveryCatalogEventHasAFixture: each catalog entry has at least one
// fixture that parses to a finding, so its golden file shows what
// trailwatch makes of it.
func TestEveryCatalogEventHasAFixture(t *testing.T) {
	covered := map[string]bool{}
	for _, path := range fixtures(t) {
		data, _ := os.ReadFile(path)
		f, err := finding.Parse(data)
		if err != nil {
			continue
		}
		if e, ok := finding.Lookup(f.EventSource, f.EventName); ok {
			covered[e.EventSource+" "+e.EventName] = true
		}
	}
	for _, e := range finding.Catalog() {
		if !covered[e.EventSource+" "+e.EventName] {
			t.Errorf("no fixture parses to a finding for %s %s", e.EventSource, e.EventName)
		}
	}
}
