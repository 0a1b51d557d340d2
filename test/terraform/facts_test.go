package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// These tests check that terraform deploys what functions/shared/deployment/
// deployment.json says every deployment shares: the resource names, each
// function's environment and the dedupe durations. They evaluate the
// module's own expressions with var.name at its default and local.facts
// read from the file, the way terraform does.

// localExpr returns the expression of the local called name.
func (m module) localExpr(t *testing.T, name string) hclsyntax.Expression {
	t.Helper()
	for _, l := range m.find("locals") {
		if a, ok := l.Body.Attributes[name]; ok {
			return a.Expr
		}
	}
	t.Fatalf("%s: no local.%s", m.dir, name)
	return nil
}

// resourceAttr returns the expression of attribute attr of resource typ.name.
func (m module) resourceAttr(t *testing.T, typ, name, attr string) hclsyntax.Expression {
	t.Helper()
	rs := m.find("resource", typ, name)
	if len(rs) != 1 {
		t.Fatalf("%s: %d resources %s.%s", m.dir, len(rs), typ, name)
	}
	a, ok := rs[0].Body.Attributes[attr]
	if !ok {
		t.Fatalf("%s: %s.%s has no %s", m.dir, typ, name, attr)
	}
	return a.Expr
}

// variableDefault returns the literal default of variable name.
func (m module) variableDefault(t *testing.T, name string) cty.Value {
	t.Helper()
	vs := m.find("variable", name)
	if len(vs) != 1 {
		t.Fatalf("%s: %d variables %s", m.dir, len(vs), name)
	}
	a, ok := vs[0].Body.Attributes["default"]
	if !ok {
		t.Fatalf("%s: variable %s has no default", m.dir, name)
	}
	return literal(t, a.Expr)
}

// evaluator evaluates expressions of the root module the way terraform
// does, for what names and environments depend on.
type evaluator struct {
	t      *testing.T
	m      module
	vars   map[string]cty.Value
	locals map[string]cty.Value
	other  map[string]cty.Value // resources, by type
}

func newEvaluator(t *testing.T) *evaluator {
	t.Helper()
	m := load(t, root)
	raw, err := os.ReadFile("../../functions/shared/deployment/deployment.json")
	if err != nil {
		t.Fatal(err)
	}
	typ, err := ctyjson.ImpliedType(raw)
	if err != nil {
		t.Fatal(err)
	}
	facts, err := ctyjson.Unmarshal(raw, typ)
	if err != nil {
		t.Fatal(err)
	}
	e := &evaluator{t: t, m: m, vars: map[string]cty.Value{}, locals: map[string]cty.Value{"facts": facts}, other: map[string]cty.Value{}}
	for _, v := range []string{"name", "dedupe_window", "dedupe_retention", "forwarder_name", "member_role_name", "log_level",
		"storm_threshold", "storm_period", "rules_file"} {
		e.vars[v] = m.variableDefault(t, v)
	}
	patterns := map[string]cty.Value{}
	for _, p := range finding.EventPatterns() {
		patterns[p.Name] = cty.StringVal(string(p.JSON))
	}
	e.locals["event_patterns"] = cty.MapVal(patterns)
	// The caller's account and region, as the tests' providers give them.
	e.locals["account_id"] = cty.StringVal(testAccount)
	e.locals["region"] = cty.StringVal(testRegion)
	e.vars["heartbeat_targets"] = m.variableDefault(t, "heartbeat_targets")
	for _, l := range []string{"suffixes", "functions", "function_names", "state_machine_name", "rule_names", "dedupe_lease",
		"intake_queue_name", "parked_queue_name", "pipe_name", "dashboard_name", "trail_name", "heartbeat_self", "heartbeat_targets"} {
		e.locals[l] = e.eval(m.localExpr(t, l), nil)
	}
	return e
}

// The account and region the evaluator's data sources stand for.
const (
	testAccount = "123456789012"
	testRegion  = "eu-west-1"
)

func (e *evaluator) eval(expr hclsyntax.Expression, each map[string]cty.Value) cty.Value {
	e.t.Helper()
	vars := map[string]cty.Value{"var": cty.ObjectVal(e.vars), "local": cty.ObjectVal(e.locals)}
	for k, v := range e.other {
		vars[k] = v
	}
	if each != nil {
		vars["each"] = cty.ObjectVal(each)
	}
	v, diags := expr.Value(&hcl.EvalContext{Variables: vars, Functions: map[string]function.Function{
		"keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc, "concat": stdlib.ConcatFunc, "trimsuffix": stdlib.TrimSuffixFunc, "lower": stdlib.LowerFunc,
		"merge": stdlib.MergeFunc, "format": stdlib.FormatFunc, "join": stdlib.JoinFunc, "sort": stdlib.SortFunc, "distinct": stdlib.DistinctFunc,
	}})
	if diags.HasErrors() {
		e.t.Fatalf("%s: %s", expr.Range(), diags.Error())
	}
	return v
}

// str evaluates expr, which must be a string.
func (e *evaluator) str(expr hclsyntax.Expression, each map[string]cty.Value) string {
	e.t.Helper()
	v := e.eval(expr, each)
	if v.Type() != cty.String || v.IsNull() {
		e.t.Fatalf("%s: %#v, want a string", expr.Range(), v)
	}
	return v.AsString()
}

func eachKey(k string) map[string]cty.Value {
	return map[string]cty.Value{"key": cty.StringVal(k), "value": cty.DynamicVal}
}

// TestVariableDefaultsAreTheFacts: variables whose defaults deployment.json
// states default to it, and variables two modules must agree on have the
// same default in both.
func TestVariableDefaultsAreTheFacts(t *testing.T) {
	f := deployment.Facts
	m := load(t, root)
	for v, want := range map[string]string{"name": f.DefaultName, "dedupe_window": f.Dedupe.Window, "dedupe_retention": f.Dedupe.Retention,
		"storm_period": f.Storm.Period} {
		if got := m.variableDefault(t, v).AsString(); got != want {
			t.Errorf("var.%s defaults to %q, deployment.json says %q", v, got, want)
		}
	}
	if got := m.variableDefault(t, "storm_threshold").AsBigFloat().String(); got != fmt.Sprint(f.Storm.Threshold) {
		t.Errorf("var.storm_threshold defaults to %s, deployment.json says %d", got, f.Storm.Threshold)
	}
	for _, pair := range []struct{ rootVar, module, moduleVar string }{
		{"forwarder_name", "forwarder", "name"},
		{"member_role_name", "member-role", "name"},
	} {
		got := load(t, filepath.Join(root, "modules", pair.module)).variableDefault(t, pair.moduleVar).AsString()
		if want := m.variableDefault(t, pair.rootVar).AsString(); got != want {
			t.Errorf("modules/%s var.%s defaults to %q, the root module's var.%s to %q: they must match", pair.module, pair.moduleVar, got, pair.rootVar, want)
		}
	}
}

// TestResourceNamesAreTheFacts: each resource's name is the deployment's
// name followed by deployment.json's suffix, as the local stack names it.
func TestResourceNamesAreTheFacts(t *testing.T) {
	e := newEvaluator(t)
	f := deployment.Facts
	name := f.DefaultName
	s := f.Suffixes

	var got []string
	for fn := range e.locals["functions"].AsValueMap() {
		got = append(got, fn)
		if n := e.str(e.m.resourceAttr(t, "aws_lambda_function", "function", "function_name"), eachKey(fn)); n != deployment.Name(name, s.Functions[fn]) {
			t.Errorf("function %s is named %s, deployment.json says %s", fn, n, deployment.Name(name, s.Functions[fn]))
		}
	}
	slices.Sort(got)
	var want []string
	for fn := range s.Functions {
		want = append(want, fn)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("local.functions has %v, deployment.json's functions %v", got, want)
	}

	for _, c := range []struct {
		typ, label, attr string
		want             string
	}{
		{"aws_sfn_state_machine", "pipeline", "name", deployment.Name(name, s.StateMachine)},
		{"aws_dynamodb_table", "dedupe", "name", deployment.Name(name, s.DedupeTable)},
		{"aws_sns_topic", "alerts", "name", deployment.Name(name, s.AlertTopic)},
		{"aws_sns_topic", "ops", "name", deployment.Name(name, s.OpsTopic)},
		{"aws_sns_topic", "chat", "name", deployment.Name(name, s.ChatTopic)},
		{"aws_sqs_queue", "dead_letter", "name", deployment.Name(name, s.DeadLetterQueue)},
		{"aws_sqs_queue", "intake", "name", deployment.Name(name, s.IntakeQueue)},
		{"aws_sqs_queue", "parked", "name", deployment.Name(name, s.ParkedQueue)},
		{"aws_pipes_pipe", "intake", "name", deployment.Name(name, s.Pipe)},
		{"aws_cloudwatch_dashboard", "pipeline", "dashboard_name", deployment.Name(name, s.Dashboard)},
		{"aws_cloudtrail", "trail", "name", deployment.Name(name, s.Trail)},
	} {
		if got := e.str(e.m.resourceAttr(t, c.typ, c.label, c.attr), nil); got != c.want {
			t.Errorf("%s.%s is named %s, deployment.json says %s", c.typ, c.label, got, c.want)
		}
	}

	for _, p := range finding.EventPatterns() {
		want := deployment.Name(name, s.Rule) + "-" + p.Name
		if got := e.str(e.m.resourceAttr(t, "aws_cloudwatch_event_rule", "pipeline", "name"), eachKey(p.Name)); got != want {
			t.Errorf("rule %s is named %s, want %s", p.Name, got, want)
		}
	}
}

// TestAlarmNamesReachTheOpsTopic: the operations topic accepts alarms named
// <name>-* and, in organisation mode, <forwarder_name>-*; every alarm of the
// root module and the forwarder's is named so.
func TestAlarmNamesReachTheOpsTopic(t *testing.T) {
	e := newEvaluator(t)
	e.other["aws_sqs_queue"] = cty.ObjectVal(map[string]cty.Value{"dead_letter": cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal(e.str(e.m.resourceAttr(t, "aws_sqs_queue", "dead_letter", "name"), nil)),
	})})
	prefix := deployment.Facts.DefaultName + "-"
	for _, c := range []struct {
		label string
		each  map[string]cty.Value
	}{
		{"state_machine", eachKey("ExecutionsFailed")},
		{"function", map[string]cty.Value{"key": cty.StringVal("parse-errors"), "value": cty.ObjectVal(map[string]cty.Value{
			"function": cty.StringVal("parse"), "metric": cty.StringVal("Errors"),
		})}},
		{"dead_letter", nil},
	} {
		if got := e.str(e.m.resourceAttr(t, "aws_cloudwatch_metric_alarm", c.label, "alarm_name"), c.each); !strings.HasPrefix(got, prefix) {
			t.Errorf("alarm %s is named %s, which the operations topic (alarm:%s*) refuses", c.label, got, prefix)
		}
	}

	fwd := load(t, filepath.Join(root, "modules", "forwarder"))
	fe := &evaluator{t: t, m: fwd, vars: map[string]cty.Value{"name": cty.StringVal("tw-fwd")}, locals: map[string]cty.Value{}, other: map[string]cty.Value{}}
	fe.other["aws_sqs_queue"] = cty.ObjectVal(map[string]cty.Value{"dead_letter": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("tw-fwd-dlq")})})
	if got := fe.str(fwd.resourceAttr(t, "aws_cloudwatch_metric_alarm", "dead_letter", "alarm_name"), nil); !strings.HasPrefix(got, "tw-fwd-") {
		t.Errorf("the forwarder's alarm with name tw-fwd is %s, which the operations topic (alarm:<forwarder_name>-*) refuses", got)
	}
	ops := e.m.find("data", "aws_iam_policy_document", "ops")
	if len(ops) != 1 {
		t.Fatal("no data.aws_iam_policy_document.ops")
	}
	accepts := false
	walk(ops, func(b *hclsyntax.Block) {
		if b.Type != "condition" {
			return
		}
		if v, ok := b.Body.Attributes["values"]; ok {
			for _, ref := range v.Expr.Variables() {
				if ref.RootName() == "var" && len(ref) > 1 && ref[1].(hcl.TraverseAttr).Name == "forwarder_name" {
					accepts = true
				}
			}
		}
	})
	if !accepts {
		t.Error("the operations topic's policy does not accept alarms named after var.forwarder_name")
	}
}

// TestFunctionEnvironmentIsTheFacts: each function gets exactly the
// variables deployment.json lists for it (besides LOG_LEVEL), and dedupe's
// durations are deployment.json's lease and the variables' defaults, which
// are deployment.json's window and retention.
func TestFunctionEnvironmentIsTheFacts(t *testing.T) {
	e := newEvaluator(t)
	env, ok := e.m.localExpr(t, "function_environment").(*hclsyntax.ObjectConsExpr)
	if !ok {
		t.Fatal("local.function_environment is not an object literal")
	}
	seen := map[string]bool{}
	for _, item := range env.Items {
		fn := hcl.ExprAsKeyword(item.KeyExpr)
		seen[fn] = true
		var got []string
		hclsyntax.VisitAll(item.ValueExpr, func(n hclsyntax.Node) hcl.Diagnostics {
			if obj, ok := n.(*hclsyntax.ObjectConsExpr); ok {
				for _, it := range obj.Items {
					got = append(got, hcl.ExprAsKeyword(it.KeyExpr))
				}
			}
			return nil
		})
		slices.Sort(got)
		got = slices.Compact(got)
		want := slices.Sorted(slices.Values(deployment.Facts.Environment[fn]))
		if len(got) == 0 {
			got = nil
		}
		if len(want) == 0 {
			want = nil
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: environment in deployment.json (-) and terraform (+) differ:\n%s", fn, diff)
		}
		if slices.Contains(got, "LOG_LEVEL") {
			t.Errorf("%s: LOG_LEVEL is set for every function, not in function_environment", fn)
		}

		if fn != "dedupe" {
			continue
		}
		e.other["aws_dynamodb_table"] = cty.ObjectVal(map[string]cty.Value{"dedupe": cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal(e.str(e.m.resourceAttr(t, "aws_dynamodb_table", "dedupe", "name"), nil)),
		})})
		d := deployment.Facts.Dedupe
		wantEnv := map[string]string{
			"TABLE_NAME":    deployment.Name(deployment.Facts.DefaultName, deployment.Facts.Suffixes.DedupeTable),
			"DEDUPE_WINDOW": d.Window, "DEDUPE_LEASE": d.Lease, "DEDUPE_RETENTION": d.Retention,
			"STORM_THRESHOLD": fmt.Sprint(deployment.Facts.Storm.Threshold), "STORM_PERIOD": deployment.Facts.Storm.Period,
			// By default only this deployment's own canary is expected.
			"HEARTBEAT_TARGETS": testAccount + ":" + testRegion,
		}
		gotEnv := map[string]string{}
		for k, v := range e.eval(item.ValueExpr, nil).AsValueMap() {
			gotEnv[k] = v.AsString()
		}
		if diff := cmp.Diff(wantEnv, gotEnv); diff != "" {
			t.Errorf("dedupe's environment by default (-want +got):\n%s", diff)
		}
	}
	for fn := range deployment.Facts.Environment {
		if !seen[fn] {
			t.Errorf("local.function_environment has no %s", fn)
		}
	}
}
