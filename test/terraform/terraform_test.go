// Package terraform reads the terraform module's HCL and checks what no
// linter knows: that it deploys the same state machine, rule and
// permissions the code and the local stack use.
package terraform

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/trailwatch/trailwatch/functions/shared/permissions"
	"github.com/zclconf/go-cty/cty"
)

// module is the parsed .tf files of one directory.
type module struct {
	dir    string
	blocks []*hclsyntax.Block
}

func load(t *testing.T, dir string) module {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no .tf files in %s: %v", dir, err)
	}
	p := hclparse.NewParser()
	m := module{dir: dir}
	for _, path := range paths {
		f, diags := p.ParseHCLFile(path)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", path, diags.Error())
		}
		m.blocks = append(m.blocks, f.Body.(*hclsyntax.Body).Blocks...)
	}
	return m
}

// modules returns the root module and every module under terraform/modules.
func modules(t *testing.T) []module {
	t.Helper()
	out := []module{load(t, root)}
	dirs, _ := filepath.Glob(filepath.Join(root, "modules", "*"))
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			out = append(out, load(t, d))
		}
	}
	return out
}

const root = "../../terraform"

// find returns the blocks of a type with the given labels prefix.
func (m module) find(typ string, labels ...string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range m.blocks {
		if b.Type == typ && len(b.Labels) >= len(labels) && slices.Equal(b.Labels[:len(labels)], labels) {
			out = append(out, b)
		}
	}
	return out
}

// walk calls fn for every block nested in bs, bs included.
func walk(bs []*hclsyntax.Block, fn func(*hclsyntax.Block)) {
	for _, b := range bs {
		fn(b)
		walk(b.Body.Blocks, fn)
	}
}

// literal evaluates expr without variables: a literal string, number,
// bool, or list of them.
func literal(t *testing.T, expr hclsyntax.Expression) cty.Value {
	t.Helper()
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		t.Fatalf("%s: not a literal: %s", expr.Range(), diags.Error())
	}
	return v
}

func strings_(t *testing.T, expr hclsyntax.Expression) []string {
	t.Helper()
	var out []string
	v := literal(t, expr)
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e.AsString())
	}
	return out
}

// call returns the function calls named name anywhere in expr.
func calls(expr hclsyntax.Node, name string) []*hclsyntax.FunctionCallExpr {
	var out []*hclsyntax.FunctionCallExpr
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && c.Name == name {
			out = append(out, c)
		}
		return nil
	})
	return out
}

// templateSuffix is the literal end of a template path expression such as
// "${path.module}/../statemachine/pipeline.asl.json".
func templateSuffix(expr hclsyntax.Expression) string {
	tpl, ok := expr.(*hclsyntax.TemplateExpr)
	if !ok || len(tpl.Parts) == 0 {
		return ""
	}
	if lit, ok := tpl.Parts[len(tpl.Parts)-1].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String {
		return lit.Val.AsString()
	}
	return ""
}

func TestStateMachinePlaceholders(t *testing.T) {
	asl, err := os.ReadFile("../../statemachine/pipeline.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range regexp.MustCompile(`\$\{([a-zA-Z0-9_]+)\}`).FindAllStringSubmatch(string(asl), -1) {
		want = append(want, m[1])
	}
	slices.Sort(want)
	want = slices.Compact(want)

	m := load(t, root)
	machines := m.find("resource", "aws_sfn_state_machine")
	if len(machines) != 1 {
		t.Fatalf("%d state machines", len(machines))
	}
	def, ok := machines[0].Body.Attributes["definition"]
	if !ok {
		t.Fatal("state machine has no definition")
	}
	tf := calls(def.Expr, "templatefile")
	if len(tf) != 1 || !strings.HasSuffix(templateSuffix(tf[0].Args[0]), "/statemachine/pipeline.asl.json") {
		t.Fatalf("definition is not templatefile(.../statemachine/pipeline.asl.json, ...)")
	}
	obj, ok := tf[0].Args[1].(*hclsyntax.ObjectConsExpr)
	if !ok {
		t.Fatal("templatefile's variables are not an object literal")
	}
	var got []string
	for _, item := range obj.Items {
		got = append(got, hcl.ExprAsKeyword(item.KeyExpr))
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("placeholders in the ASL file (-) and supplied by templatefile (+) differ:\n%s", diff)
	}
}

func TestStateMachineLogging(t *testing.T) {
	m := load(t, root)
	sm := m.find("resource", "aws_sfn_state_machine")[0]
	if got := literal(t, sm.Body.Attributes["type"].Expr).AsString(); got != "EXPRESS" {
		t.Errorf("type %s, want EXPRESS", got)
	}
	var logging *hclsyntax.Block
	for _, b := range sm.Body.Blocks {
		if b.Type == "logging_configuration" {
			logging = b
		}
	}
	if logging == nil {
		t.Fatal("no logging_configuration: the console shows no Express executions without it")
	}
	if got := literal(t, logging.Body.Attributes["level"].Expr).AsString(); got != "ALL" {
		t.Errorf("logging level %s, want ALL", got)
	}
	if a, ok := logging.Body.Attributes["include_execution_data"]; !ok || !literal(t, a.Expr).True() {
		t.Error("logging does not include execution data")
	}
}

// TestRulePatternIsTheGeneratedFile: every rule is one of a for_each over
// local.event_patterns with event_pattern = each.value, and that local is
// read from the generated files, statemachine/event-patterns/*.json (or,
// in a module, a variable that overrides them).
func TestRulePatternIsTheGeneratedFile(t *testing.T) {
	rules := 0
	for _, m := range modules(t) {
		for _, r := range m.find("resource", "aws_cloudwatch_event_rule") {
			rules++
			forEach, ok := r.Body.Attributes["for_each"]
			if !ok || !isLocal(forEach.Expr, "event_patterns") {
				t.Errorf("%s: rule %v is not a for_each over local.event_patterns", m.dir, r.Labels)
			}
			a, ok := r.Body.Attributes["event_pattern"]
			if !ok || !isEachValue(a.Expr) {
				t.Errorf("%s: rule %v: event_pattern is not each.value", m.dir, r.Labels)
			}
			if !patternsFromFiles(m.localExpr(t, "event_patterns"), m.localExpr(t, "event_pattern_dir")) {
				t.Errorf("%s: local.event_patterns is not read from statemachine/event-patterns/*.json", m.dir)
			}
		}
	}
	if rules == 0 {
		t.Fatal("no EventBridge rule")
	}
	// Where a module takes the patterns as a variable, no call passes other
	// patterns.
	for _, dir := range []string{root, filepath.Join(root, "examples", "organization"), filepath.Join(root, "examples", "single-account")} {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		m := load(t, dir)
		for _, call := range m.find("module") {
			if a, ok := call.Body.Attributes["event_patterns"]; ok && !isVar(a.Expr) {
				t.Errorf("%s: module %v: event_patterns is not the generated files", dir, call.Labels)
			}
		}
	}
}

// patternsFromFiles reports whether expr reads every *.json of dir with
// fileset and file, where dir's literal end is /statemachine/event-patterns.
func patternsFromFiles(expr, dir hclsyntax.Expression) bool {
	if !strings.HasSuffix(templateSuffix(dir), "/statemachine/event-patterns") {
		return false
	}
	filesets, files := calls(expr, "fileset"), calls(expr, "file")
	if len(filesets) != 1 || len(files) != 1 || !isLocal(filesets[0].Args[0], "event_pattern_dir") {
		return false
	}
	v, diags := filesets[0].Args[1].Value(nil)
	return !diags.HasErrors() && v.Type() == cty.String && v.AsString() == "*.json"
}

func isLocal(expr hclsyntax.Expression, name string) bool {
	vars := expr.Variables()
	if len(vars) != 1 || vars[0].RootName() != "local" || len(vars[0]) != 2 {
		return false
	}
	attr, ok := vars[0][1].(hcl.TraverseAttr)
	return ok && attr.Name == name
}

func isEachValue(expr hclsyntax.Expression) bool {
	vars := expr.Variables()
	if len(vars) != 1 || vars[0].RootName() != "each" || len(vars[0]) != 2 {
		return false
	}
	attr, ok := vars[0][1].(hcl.TraverseAttr)
	return ok && attr.Name == "value"
}

func isVar(expr hclsyntax.Expression) bool {
	vars := expr.Variables()
	return len(vars) == 1 && vars[0].RootName() == "var"
}

func TestFunctionsRunOnArm64(t *testing.T) {
	m := load(t, root)
	fns := m.find("resource", "aws_lambda_function")
	if len(fns) != 1 {
		t.Fatalf("%d aws_lambda_function blocks: the four functions must come from one for_each", len(fns))
	}
	fn := fns[0]
	if _, ok := fn.Body.Attributes["for_each"]; !ok {
		t.Error("functions are not a for_each")
	}
	if got := literal(t, fn.Body.Attributes["runtime"].Expr).AsString(); got != "provided.al2023" {
		t.Errorf("runtime %s", got)
	}
	if got := strings_(t, fn.Body.Attributes["architectures"].Expr); !slices.Equal(got, []string{"arm64"}) {
		t.Errorf("architectures %v", got)
	}
}

// actionsOf returns the actions of every statement of a policy document
// data source.
func actionsOf(t *testing.T, doc *hclsyntax.Block) []string {
	t.Helper()
	var out []string
	walk([]*hclsyntax.Block{doc}, func(b *hclsyntax.Block) {
		if b.Type == "statement" {
			if a, ok := b.Body.Attributes["actions"]; ok {
				out = append(out, strings_(t, a.Expr)...)
			}
		}
	})
	return out
}

func TestNoWildcardActions(t *testing.T) {
	for _, m := range modules(t) {
		for _, doc := range m.find("data", "aws_iam_policy_document") {
			for _, a := range actionsOf(t, doc) {
				if strings.Contains(a, "*") {
					t.Errorf("%s: policy %s allows %q", m.dir, doc.Labels[1], a)
				}
			}
			walk([]*hclsyntax.Block{doc}, func(b *hclsyntax.Block) {
				if _, ok := b.Body.Attributes["not_actions"]; ok {
					t.Errorf("%s: policy %s uses not_actions", m.dir, doc.Labels[1])
				}
			})
		}
		// Policies written inline with jsonencode.
		for _, b := range m.blocks {
			walk([]*hclsyntax.Block{b}, func(b *hclsyntax.Block) {
				for name, a := range b.Body.Attributes {
					for _, c := range calls(a.Expr, "jsonencode") {
						hclsyntax.VisitAll(c, func(n hclsyntax.Node) hcl.Diagnostics {
							obj, ok := n.(*hclsyntax.ObjectConsExpr)
							if !ok {
								return nil
							}
							for _, item := range obj.Items {
								if hcl.ExprAsKeyword(item.KeyExpr) != "Action" {
									continue
								}
								if v, diags := item.ValueExpr.Value(nil); !diags.HasErrors() && strings.Contains(v.GoString(), "*") {
									t.Errorf("%s: %s.%s: jsonencode policy allows a wildcard action", m.dir, strings.Join(b.Labels, "."), name)
								}
							}
							return nil
						})
					}
				}
			})
		}
	}
}

// TestFunctionPermissions: each function's role allows exactly the calls
// its code makes (permissions.Actions), besides logging, tracing and KMS:
// the root module's four, and the backtest module's function, each module
// listing its functions' policy documents in local.function_policies.
func TestFunctionPermissions(t *testing.T) {
	seen := map[string]bool{}
	for _, dir := range []string{root, filepath.Join(root, "modules", "backtest")} {
		m := load(t, dir)
		for fn := range checkFunctionPolicies(t, m) {
			if seen[fn] {
				t.Errorf("%s: function %s has policies in two modules", dir, fn)
			}
			seen[fn] = true
		}
	}
	for _, fn := range permissions.Functions() {
		if !seen[fn] {
			t.Errorf("function %s has no entry in a module's local.function_policies", fn)
		}
	}
}

// checkFunctionPolicies checks the functions of m's local.function_policies
// against permissions.Actions and returns them.
func checkFunctionPolicies(t *testing.T, m module) map[string]bool {
	t.Helper()
	docs := map[string]*hclsyntax.Block{}
	for _, d := range m.find("data", "aws_iam_policy_document") {
		docs[d.Labels[1]] = d
	}
	var byFunction *hclsyntax.ObjectConsExpr
	for _, l := range m.find("locals") {
		if a, ok := l.Body.Attributes["function_policies"]; ok {
			byFunction, _ = a.Expr.(*hclsyntax.ObjectConsExpr)
		}
	}
	if byFunction == nil {
		t.Fatalf("%s: no local.function_policies map from function to its policy documents", m.dir)
	}
	seen := map[string]bool{}
	for _, item := range byFunction.Items {
		fn := hcl.ExprAsKeyword(item.KeyExpr)
		seen[fn] = true
		var got []string
		for _, v := range item.ValueExpr.Variables() {
			if v.RootName() != "data" || len(v) < 3 {
				continue
			}
			attr, ok := v[1].(hcl.TraverseAttr)
			name, ok2 := v[2].(hcl.TraverseAttr)
			if !ok || !ok2 || attr.Name != "aws_iam_policy_document" {
				continue
			}
			doc, ok := docs[name.Name]
			if !ok {
				t.Fatalf("%s: %s: no policy document %s", m.dir, fn, name.Name)
			}
			for _, a := range actionsOf(t, doc) {
				if !strings.HasPrefix(a, "kms:") {
					got = append(got, a)
				}
			}
		}
		slices.Sort(got)
		got = slices.Compact(got)
		want := permissions.Actions(fn)
		if want == nil {
			t.Errorf("%s: terraform has a function %q the code does not", m.dir, fn)
			continue
		}
		if len(got) == 0 {
			got = []string{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: %s: actions the code calls (-) and the role allows (+) differ:\n%s", m.dir, fn, diff)
		}
	}
	// The base document every function gets holds only logging and tracing.
	base, ok := docs["function_base"]
	if !ok {
		t.Fatalf("%s: no function_base policy document", m.dir)
	}
	for _, a := range actionsOf(t, base) {
		if !strings.HasPrefix(a, "logs:") && !strings.HasPrefix(a, "xray:") {
			t.Errorf("%s: function_base allows %s to every function", m.dir, a)
		}
	}
	return seen
}
