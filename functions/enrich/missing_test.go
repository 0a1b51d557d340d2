package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestMissingGroupJudgedByRequest: a security group the lookups cannot find
// is judged, and its alert keyed, by the rules the request opened: SSH
// and, later, RDP on the same missing group are two alerts of the
// request's severity, not one LOW alert that suppresses the second.
func TestMissingGroupJudgedByRequest(t *testing.T) {
	raw, err := os.ReadFile("../shared/finding/testdata/events/ec2-authorizesecuritygroupingress-ssh-world.json")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, port := range []string{"22", "3389"} {
		event := strings.ReplaceAll(strings.ReplaceAll(string(raw), `"fromPort": 22`, `"fromPort": `+port), `"toPort": 22`, `"toPort": `+port)
		parsed, err := finding.Parse([]byte(event))
		if err != nil {
			t.Fatal(err)
		}
		requested := parsed.Severity
		h := NewHandler(Single{(&vpc{calls: map[string]int{}}).lookups()}, nil, zerolog.Nop())
		f, err := h.Handle(context.Background(), finding.StepRequest{Finding: parsed})
		if err != nil {
			t.Fatal(err)
		}
		if r := f.Resources[0]; r.Found == nil || *r.Found {
			t.Fatalf("port %s: group %s found %v, want it missing", port, r.ID, r.Found)
		}
		if !f.OpensExposure || f.Severity != requested || f.Severity == finding.SeverityLow {
			t.Errorf("port %s: severity %s opens %v, want the request's %s", port, f.Severity, f.OpensExposure, requested)
		}
		keys[port] = finding.AlertKey(f)
	}
	if keys["22"] == keys["3389"] {
		t.Error("SSH and RDP opened on the same missing group share one alert key: the second would be suppressed")
	}
}
