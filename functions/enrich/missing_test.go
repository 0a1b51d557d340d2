package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
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
		f, err := settled(h, parsed)
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

// TestHeartbeatPassesWithoutLookups: the canary's heartbeat goes through
// enrich unchanged, with no lookup.
func TestHeartbeatPassesWithoutLookups(t *testing.T) {
	v := &vpc{calls: map[string]int{}}
	h := NewHandler(Single{v.lookups()}, nil, zerolog.Nop())
	in := &finding.Finding{EventID: "hb", EventName: "CreateTags", EventSource: "ec2.amazonaws.com", Account: "123456789012", Region: "eu-west-1",
		Kind: finding.KindHeartbeat, Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-ssh"}}}
	out, err := h.Handle(context.Background(), finding.StepRequest{Finding: in})
	if err != nil || out.Kind != finding.KindHeartbeat || out.Enriched || len(v.calls) != 0 {
		t.Errorf("heartbeat: %+v %v, lookups %v; want it unchanged without lookups", out, err, v.calls)
	}
}

// TestMemberRoleMissingMetric: a lookup refused because the member role
// could not be assumed counts in MemberRoleMissing by account.
func TestMemberRoleMissingMetric(t *testing.T) {
	var logs bytes.Buffer
	refused := &smithy.OperationError{ServiceID: "STS", OperationName: "AssumeRole", Err: &smithy.GenericAPIError{Code: "AccessDenied"}}
	h := NewHandler(failingAccounts{err: refused}, nil, zerolog.New(&logs))
	f := &finding.Finding{EventID: "e", EventName: "AuthorizeSecurityGroupIngress", EventSource: "ec2.amazonaws.com", Account: "210987654321", Region: "eu-west-1",
		OpensExposure: true, Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-1"}}}
	if _, err := h.Handle(context.Background(), finding.StepRequest{Finding: f}); err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(logs.String(), `"Account":"210987654321","MemberRoleMissing":1`) {
		t.Errorf("no MemberRoleMissing{Account=210987654321}: %s", logs.String())
	}
}

// failingAccounts gives no account's lookups: For fails with err.
type failingAccounts struct{ err error }

func (a failingAccounts) For(context.Context, string, string) (Lookups, error) { return nil, a.err }

// TestLookupErrorBounded: a lookup's error text, which the degraded path
// keeps in the finding, is at most MaxLookupErrorBytes.
func TestLookupErrorBounded(t *testing.T) {
	err := &LookupError{Service: "ec2", Op: "DescribeSecurityGroups", Err: errors.New(strings.Repeat("sg-0123456789abcdef0 😀 ", 5000))}
	if n := len(err.Error()); n > MaxLookupErrorBytes || !strings.HasSuffix(err.Error(), "…") {
		t.Errorf("error text of %d bytes, want at most %d, cut with …", n, MaxLookupErrorBytes)
	}
}
