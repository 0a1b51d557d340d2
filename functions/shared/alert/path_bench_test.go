package alert_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// BenchmarkDomainPath is the domain work of one event through the whole
// pipeline, without AWS: parse, the finding's three JSON hops between the
// steps (parse to enrich, enrich to dedupe, dedupe to notify), reassess,
// dedupe's decision (the alert key, the exposure lines, a new alert's
// claim and the lifecycle it reports) and the alert with its lifecycle in
// its three renderings.
func BenchmarkDomainPath(b *testing.B) {
	event, err := os.ReadFile("../finding/testdata/events/envelope-api-call.json")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2025, 11, 23, 9, 30, 0, 0, time.UTC)
	cfg := lifecycle.Config{Window: 24 * time.Hour, Lease: 5 * time.Minute, Retention: 168 * time.Hour}
	b.ReportAllocs()
	b.SetBytes(int64(len(event)))
	for b.Loop() {
		f, err := finding.Parse(event)
		if err != nil {
			b.Fatal(err)
		}
		f = hop(b, f) // to enrich
		finding.Reassess(f)
		f = hop(b, f) // to dedupe
		key := finding.AlertKey(f)
		d := lifecycle.OnOpening(lifecycle.Record{Key: key}, lifecycle.NewReport(f, key, "exec-1", now), cfg)
		a := d.Next.Alert()
		f = hop(b, f) // to notify
		req := finding.NotifyRequest{Kind: finding.MessageAlert, Finding: f, Alert: &a, ExecutionID: "exec-1"}
		_ = alert.WithFormats(req, alert.Open(f, req.Alert))
	}
}

// hop is the finding as the next step receives it: encoded by the Lambda
// runtime, decoded by the next one.
func hop(b *testing.B, f *finding.Finding) *finding.Finding {
	data, err := json.Marshal(f)
	if err != nil {
		b.Fatal(err)
	}
	next := new(finding.Finding)
	if err := json.Unmarshal(data, next); err != nil {
		b.Fatal(err)
	}
	return next
}
