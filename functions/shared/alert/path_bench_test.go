package alert_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// BenchmarkDomainPath is the domain work of one event through the whole
// pipeline, without AWS: parse, the finding's three JSON hops between the
// steps (parse to enrich, enrich to dedupe, dedupe to notify), reassess,
// the alert key and the rendered alert.
func BenchmarkDomainPath(b *testing.B) {
	event, err := os.ReadFile("../finding/testdata/events/envelope-api-call.json")
	if err != nil {
		b.Fatal(err)
	}
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
		_ = finding.AlertKey(f)
		f = hop(b, f) // to notify
		_ = alert.Render(f)
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
