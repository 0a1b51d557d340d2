package terraform

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// aslActions are the IAM actions a state machine's role needs for what
// its definition uses, as the Step Functions developer guide lists them:
// Distributed Map (https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html:
// StartExecution of itself for the child executions, DescribeExecution
// and StopExecution of them; ListObjectsV2 for an ItemReader, authorized
// as s3:ListBucket; PutObject, GetObject, ListMultipartUploadParts and
// AbortMultipartUpload for a ResultWriter) and Lambda's invoke
// integration (https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html).
var aslActions = map[string][]string{
	"distributed":                       {"states:StartExecution", "states:DescribeExecution", "states:StopExecution"},
	"arn:aws:states:::s3:listObjectsV2": {"s3:ListBucket"},
	"arn:aws:states:::s3:putObject":     {"s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"},
	"arn:aws:states:::lambda:invoke":    {"lambda:InvokeFunction"},
}

// neededActions walks a definition's states (nested ones included) and
// returns the actions aslActions gives what they use; it fails t on an
// integration it has no entry for.
func neededActions(t *testing.T, states map[string]json.RawMessage, out map[string]bool) {
	t.Helper()
	for name, raw := range states {
		var s struct {
			Resource   string `json:"Resource"`
			ItemReader *struct {
				Resource string `json:"Resource"`
			} `json:"ItemReader"`
			ResultWriter *struct {
				Resource string `json:"Resource"`
			} `json:"ResultWriter"`
			ItemProcessor *struct {
				ProcessorConfig struct {
					Mode string `json:"Mode"`
				} `json:"ProcessorConfig"`
				States map[string]json.RawMessage `json:"States"`
			} `json:"ItemProcessor"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("state %s: %v", name, err)
		}
		resources := []string{s.Resource}
		if s.ItemReader != nil {
			resources = append(resources, s.ItemReader.Resource)
		}
		if s.ResultWriter != nil {
			resources = append(resources, s.ResultWriter.Resource)
		}
		if s.ItemProcessor != nil {
			if s.ItemProcessor.ProcessorConfig.Mode == "DISTRIBUTED" {
				resources = append(resources, "distributed")
			}
			neededActions(t, s.ItemProcessor.States, out)
		}
		for _, r := range resources {
			if r == "" {
				continue
			}
			actions, ok := aslActions[r]
			if !ok {
				t.Fatalf("state %s uses %s, which aslActions does not know: add the actions its role needs", name, r)
			}
			for _, a := range actions {
				out[a] = true
			}
		}
	}
}

// TestBacktestStateMachinePermissions: the backtest state machine's role
// allows exactly what statemachine/backtest.asl.json uses, besides log
// delivery, tracing and KMS.
func TestBacktestStateMachinePermissions(t *testing.T) {
	raw, err := os.ReadFile("../../statemachine/backtest.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		States map[string]json.RawMessage `json:"States"`
	}
	if err := json.Unmarshal(raw, &def); err != nil {
		t.Fatal(err)
	}
	need := map[string]bool{}
	neededActions(t, def.States, need)
	want := slices.Sorted(func(yield func(string) bool) {
		for a := range need {
			if !yield(a) {
				return
			}
		}
	})

	m := load(t, filepath.Join(root, "modules", "backtest"))
	docs := m.find("data", "aws_iam_policy_document", "state_machine")
	if len(docs) != 1 {
		t.Fatalf("%d state_machine policy documents in the backtest module", len(docs))
	}
	var got []string
	for _, a := range actionsOf(t, docs[0]) {
		if !strings.HasPrefix(a, "logs:") && !strings.HasPrefix(a, "xray:") && !strings.HasPrefix(a, "kms:") {
			got = append(got, a)
		}
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, slices.Compact(got)); diff != "" {
		t.Errorf("actions the definition needs (-) and the role allows (+) differ:\n%s", diff)
	}
}
