package pipeline

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, FixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseEvent(t *testing.T) {
	run := fixture(t, "ec2-runinstances.json")
	envelope, err := json.Marshal(map[string]any{
		"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": finding.DetailTypeAPICall,
		"source": "aws.ec2", "account": "123456789012", "time": "2025-11-23T09:00:00Z", "region": "us-east-1",
		"resources": []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-1"}, "detail": json.RawMessage(run),
	})
	if err != nil {
		t.Fatal(err)
	}
	signin := fixture(t, "signin-consolelogin-root.json")
	tests := []struct {
		name           string
		data           []byte
		wantDetail     []byte
		wantSource     string
		wantDetailType string
		wantResources  int
		wantTime       time.Time
	}{
		{name: "bare record", data: run, wantDetail: run, wantSource: "aws.ec2", wantDetailType: finding.DetailTypeAPICall},
		{name: "console sign-in", data: signin, wantDetail: signin, wantSource: "aws.signin", wantDetailType: finding.DetailTypeConsoleLogin},
		{name: "envelope", data: envelope, wantDetail: run, wantSource: "aws.ec2", wantDetailType: finding.DetailTypeAPICall, wantResources: 1,
			wantTime: time.Date(2025, 11, 23, 9, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := ParseEvent(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Source != tc.wantSource || ev.DetailType != tc.wantDetailType {
				t.Errorf("source %q, detail-type %q; want %q, %q", ev.Source, ev.DetailType, tc.wantSource, tc.wantDetailType)
			}
			if len(ev.Resources) != tc.wantResources || !ev.Time.Equal(tc.wantTime) {
				t.Errorf("resources %v, time %v; want %d resources, time %v", ev.Resources, ev.Time, tc.wantResources, tc.wantTime)
			}
			if !jsonEqual(ev.Detail, tc.wantDetail) {
				t.Errorf("detail is not the record:\n%s", ev.Detail)
			}
		})
	}
}

func TestParseEventErrors(t *testing.T) {
	for _, data := range []string{
		`not json`,
		`["an", "array"]`,
		`{"eventName": "RunInstances"}`,
		`{"source": "aws.ec2", "detail": {"eventName": "RunInstances"}}`,
		`{"source": "aws.ec2", "detail-type": "AWS API Call via CloudTrail", "detail": "a string"}`,
	} {
		if _, err := ParseEvent([]byte(data)); !errors.Is(err, ErrNotCloudTrail) {
			t.Errorf("ParseEvent(%s) = %v, want ErrNotCloudTrail", data, err)
		}
	}
}

// jsonEqual reports whether a and b are the same JSON value.
func jsonEqual(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}
