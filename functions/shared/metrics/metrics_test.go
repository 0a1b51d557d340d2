package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

// TestNamesDeclared: every metric the functions emit is declared in
// deployment.json, and every declared metric has a name here.
func TestNamesDeclared(t *testing.T) {
	declaredNames := map[string]bool{}
	for _, m := range deployment.Facts.Metrics.Names {
		declaredNames[m.Name] = true
	}
	for _, n := range Names {
		if !declaredNames[n] {
			t.Errorf("metric %s is not declared in deployment.json", n)
		}
		delete(declaredNames, n)
	}
	for n := range declaredNames {
		t.Errorf("deployment.json declares %s, which no function emits", n)
	}
}

// TestEmit: an EMF line carries the namespace, the declared unit, the
// dimension set and values and the value, and is written whatever the
// logger's level; an undeclared metric or dimension set is refused.
func TestEmit(t *testing.T) {
	now = func() time.Time { return time.UnixMilli(1764633600000) }
	defer func() { now = time.Now }()
	var buf bytes.Buffer
	ctx := zerolog.New(&buf).Level(zerolog.ErrorLevel).WithContext(context.Background())

	Count(ctx, Events, Dimension{"Outcome", "notified"})
	Emit(ctx, HeartbeatAge, 42)
	Emit(ctx, HeartbeatAge, 7, Dimension{"Region", "eu-west-1"}, Dimension{"Account", "123456789012"})
	Count(ctx, "Invented")
	Count(ctx, Events, Dimension{"Severity", "high"})

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 5:\n%s", len(lines), buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"_aws": map[string]any{"Timestamp": 1764633600000.0, "CloudWatchMetrics": []any{map[string]any{
			"Namespace": "trailwatch", "Dimensions": []any{[]any{"Outcome"}},
			"Metrics": []any{map[string]any{"Name": "Events", "Unit": "Count"}}}}},
		"Outcome": "notified", "Events": 1.0, "message": "metric",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EMF line (-want +got):\n%s", diff)
	}
	for i, wantIn := range []string{`"Dimensions":[[]]`, `"Dimensions":[["Account","Region"]]`, `"metric_undeclared"`, `"metric_undeclared"`} {
		if !strings.Contains(lines[i+1], wantIn) {
			t.Errorf("line %d %s lacks %s", i+2, lines[i+1], wantIn)
		}
	}
	var undeclared *UndeclaredError
	if _, err := Line(Alerts, 1, Dimension{"Severity", "high"}, Dimension{"Kind", "alert"}); !errors.As(err, &undeclared) {
		t.Errorf("Alerts by Severity and Kind at once: %v, want UndeclaredError (two sets are declared, not their union)", err)
	}
}
