package main

import (
	"context"
	"testing"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// BenchmarkHandle enriches an instance launched with a public IP in the
// fake world of the tests (lookups answered in memory): the cost of enrich
// itself, without the network.
func BenchmarkHandle(b *testing.B) {
	h := NewHandler(Single{world()}, nil, zerolog.Nop())
	b.ReportAllocs()
	for b.Loop() {
		f := &finding.Finding{EventID: "e1", EventName: "RunInstances", EventSource: "ec2.amazonaws.com", OpensExposure: true,
			Requested: finding.Requested{PublicIP: true}, Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-public"}}}
		if _, err := h.Handle(context.Background(), finding.StepRequest{Finding: f, ExecutionID: "exec-1"}); err != nil {
			b.Fatal(err)
		}
	}
}
