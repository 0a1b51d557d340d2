package terraform

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

// TestIntakeOutlastsAnExecution: a message the pipe is running is not seen
// again while its execution may still run: the intake queue's visibility
// timeout (deployment.json, which terraform sets) is longer than the state
// machine's TimeoutSeconds and than Express's five-minute maximum
// (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
func TestIntakeOutlastsAnExecution(t *testing.T) {
	visibility, err := time.ParseDuration(deployment.Facts.Intake.VisibilityTimeout)
	if err != nil {
		t.Fatal(err)
	}
	a := readASL(t)
	if visibility <= time.Duration(a.TimeoutSeconds)*time.Second {
		t.Errorf("intake.visibility_timeout %s does not outlast TimeoutSeconds %d", visibility, a.TimeoutSeconds)
	}
	if visibility <= 5*time.Minute {
		t.Errorf("intake.visibility_timeout %s does not outlast an Express execution's five minutes", visibility)
	}
}

// TestCanaryIgnoresItsHeartbeatTag: the canary's group ignores changes to
// the tag the schedule rewrites; ignore_changes takes only literal keys,
// which must be deployment.json's heartbeat.tag_key.
func TestCanaryIgnoresItsHeartbeatTag(t *testing.T) {
	m := load(t, filepath.Join(root, "modules", "heartbeat"))
	groups := m.find("resource", "aws_security_group", "canary")
	if len(groups) != 1 {
		t.Fatalf("%d aws_security_group.canary", len(groups))
	}
	var keys []string
	for _, b := range groups[0].Body.Blocks {
		if b.Type != "lifecycle" {
			continue
		}
		a, ok := b.Body.Attributes["ignore_changes"]
		if !ok {
			continue
		}
		tuple, ok := a.Expr.(*hclsyntax.TupleConsExpr)
		if !ok {
			t.Fatalf("ignore_changes is not a list: %T", a.Expr)
		}
		for _, e := range tuple.Exprs {
			trav, diags := hcl.AbsTraversalForExpr(e)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			for _, step := range trav {
				if idx, ok := step.(hcl.TraverseIndex); ok {
					keys = append(keys, idx.Key.AsString())
				}
			}
		}
	}
	if len(keys) != 2 {
		t.Fatalf("ignore_changes keys %q, want the heartbeat tag in tags and tags_all", keys)
	}
	for _, k := range keys {
		if k != deployment.Facts.Heartbeat.TagKey {
			t.Errorf("the canary group ignores tag %q, deployment.json's heartbeat.tag_key is %q", k, deployment.Facts.Heartbeat.TagKey)
		}
	}
}

// TestForwardersWaitForTheBusPolicy: the event_bus_arn output, which every
// forwarder's rule target needs, depends on the central bus's policy, so a
// forwarder cannot start before the policy that lets it put events
// (EventBridge sends an event refused for a missing permission straight to
// the dead-letter queue, without retries), and the organisation example
// builds its forwarders on that output.
func TestForwardersWaitForTheBusPolicy(t *testing.T) {
	m := load(t, root)
	outs := m.find("output", "event_bus_arn")
	if len(outs) != 1 {
		t.Fatalf("%d outputs event_bus_arn", len(outs))
	}
	dep, ok := outs[0].Body.Attributes["depends_on"]
	if !ok {
		t.Fatal("output event_bus_arn has no depends_on")
	}
	waits := false
	for _, ref := range dep.Expr.Variables() {
		if ref.RootName() == "aws_cloudwatch_event_bus_policy" {
			waits = true
		}
	}
	if !waits {
		t.Error("output event_bus_arn does not depend on aws_cloudwatch_event_bus_policy")
	}

	ex := load(t, filepath.Join(root, "examples", "organization"))
	forwarders := 0
	for _, b := range ex.blocks {
		if b.Type != "module" {
			continue
		}
		src, ok := b.Body.Attributes["source"]
		if !ok || literal(t, src.Expr).AsString() != "../../modules/forwarder" {
			continue
		}
		forwarders++
		arn, ok := b.Body.Attributes["central_event_bus_arn"]
		if !ok {
			t.Errorf("module %s has no central_event_bus_arn", b.Labels[0])
			continue
		}
		refs := arn.Expr.Variables()
		if len(refs) != 1 || refs[0].RootName() != "module" || len(refs[0]) < 3 ||
			refs[0][1].(hcl.TraverseAttr).Name != "trailwatch" || refs[0][2].(hcl.TraverseAttr).Name != "event_bus_arn" {
			t.Errorf("module %s's central_event_bus_arn is not module.trailwatch.event_bus_arn", b.Labels[0])
		}
	}
	if forwarders == 0 {
		t.Error("the organisation example has no forwarder")
	}
}
