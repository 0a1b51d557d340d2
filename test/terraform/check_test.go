package terraform

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// plantedError is one mistake planted in a copy of terraform/.
type plantedError struct {
	name string
	file string // under terraform/
	old  string // replaced once
	new  string
	// byValidate is true when `terraform validate` reports the mistake;
	// tfcheck reports all of them.
	byValidate bool
}

var plantedErrors = []plantedError{
	{"misspelt argument", "sns.tf", "  kms_master_key_id = local.kms_key_arn\n", "  kms_master_keyid = local.kms_key_arn\n", true},
	{"missing required argument", "iam.tf", "  name   = \"pipeline-least-privilege\"\n  role   = aws_iam_role.state_machine.id\n", "  name   = \"pipeline-least-privilege\"\n", true},
	{"attribute that does not exist", "outputs.tf", "  value       = aws_sns_topic.alerts.arn\n", "  value       = aws_sns_topic.alerts.topic_arn\n", true},
	// Plan-time, which validate misses: a resource with count indexed by a
	// string.
	{"wrong instance key", "outputs.tf", "  value       = aws_sns_topic.alerts.arn\n", "  value       = aws_sns_topic.ops[\"x\"].arn\n", false},
}

// copyRepo copies what terraform reads into a new directory: terraform/,
// statemachine/ and functions/shared/deployment/, without .terraform.
func copyRepo(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	for _, dir := range []string{"terraform", "statemachine", "functions/shared/deployment"} {
		src := filepath.Join("../..", dir)
		err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == ".terraform" {
				return filepath.SkipDir
			}
			if d.Name() == ".terraform.lock.hcl" {
				return nil
			}
			rel, _ := filepath.Rel("../..", path)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// checkValidate runs `check.sh --validate dir` from the repository root
// with env added, and returns its exit error and output.
func checkValidate(t *testing.T, dir string, env ...string) (error, string) {
	t.Helper()
	cmd := exec.Command("bash", "terraform/check.sh", "--validate", dir)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return err, out.String()
}

// TestCheckFailsOnPlantedErrors: check.sh passes on terraform/ as it is
// and fails on each planted mistake, with the local provider mirror and
// with the schema stand-in: validate reports those it can see, tfcheck all
// of them. A provider this machine lacks is skipped, saying so.
func TestCheckFailsOnPlantedErrors(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatal("terraform is not installed: make test needs it (terraform fmt, check.sh)")
	}
	providers := []struct {
		name, says string
		env        []string
	}{
		{"mirror", "provider: the local mirror", []string{"TF_PLUGIN_DIR=/opt/tf-plugins"}},
		{"stand-in", "provider: the schema stand-in", []string{"TF_PLUGIN_DIR=/nonexistent", "TF_REGISTRY=off"}},
	}
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			err, out := checkValidate(t, copyRepo(t), p.env...)
			if !strings.Contains(out, p.says) {
				t.Skipf("this machine has no %s (check.sh chose otherwise):\n%s", p.name, out)
			}
			// Without ../shared/tfschema (a user's clone), check.sh skips
			// tfcheck and says so; validate's findings are still checked.
			tfcheck := !strings.Contains(out, "SKIPPED: tfcheck")
			if err != nil {
				t.Fatalf("check.sh --validate fails on terraform/ as it is: %v\n%s", err, out)
			}
			for _, pe := range plantedErrors {
				t.Run(pe.name, func(t *testing.T) {
					if !tfcheck && !pe.byValidate {
						t.Skipf("only tfcheck finds a %s, and check.sh found no tfschema directory for it", pe.name)
					}
					dir := copyRepo(t)
					path := filepath.Join(dir, "terraform", pe.file)
					src, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Contains(src, []byte(pe.old)) {
						t.Fatalf("terraform/%s no longer holds %q: plant the error elsewhere", pe.file, pe.old)
					}
					if err := os.WriteFile(path, bytes.Replace(src, []byte(pe.old), []byte(pe.new), 1), 0o644); err != nil {
						t.Fatal(err)
					}
					err, out := checkValidate(t, dir, p.env...)
					if err == nil {
						t.Fatalf("check.sh passed with a %s planted:\n%s", pe.name, out)
					}
					if tfcheck && !strings.Contains(out, "  - tfcheck\n") {
						t.Errorf("tfcheck did not report the %s:\n%s", pe.name, out)
					}
					if pe.byValidate && !strings.Contains(out, "  - validate terraform/.\n") {
						t.Errorf("validate with the %s did not report the %s:\n%s", p.name, pe.name, out)
					}
				})
			}
		})
	}
}
