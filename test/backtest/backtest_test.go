package backtest

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/test/localstack"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

// binDir holds the functions' host binaries: $TRAILWATCH_BIN (make test
// builds them), or built once by TestMain.
var binDir string

func TestMain(m *testing.M) { os.Exit(pipeline.TestMain(m, &binDir)) }

// Counts is the part of the function's Counts (functions/parse) the test
// checks, as its JSON names them.
type Counts struct {
	Files      int            `json:"files"`
	Unreadable int            `json:"unreadable"`
	Ignored    int            `json:"ignored"`
	Bytes      int64          `json:"bytes"`
	Records    int            `json:"records"`
	Findings   int            `json:"findings"`
	Skipped    int            `json:"skipped"`
	Malformed  int            `json:"malformed"`
	BySeverity map[string]int `json:"bySeverity"`
	ByEvent    map[string]int `json:"byEvent"`
}

type Summary struct {
	Counts
	Run             string `json:"run"`
	Batches         int    `json:"batches"`
	FailedBatches   int    `json:"failedBatches"`
	UnreadableFiles []struct {
		Key string `json:"key"`
	} `json:"unreadableFiles"`
	FindingsPrefix string `json:"findingsPrefix"`
	SummaryKey     string `json:"summaryKey"`
	Map            *struct {
		Bucket string `json:"Bucket"`
		Key    string `json:"Key"`
	} `json:"map"`
}

// found is a line of a findings object.
type found struct {
	LogFile string          `json:"logFile"`
	Record  int             `json:"record"`
	Finding json.RawMessage `json:"finding"`
}

// expect is what ParseLog, run here, makes of the objects the backtest
// lists (those under prefix): the counts and the findings a backtest of
// them must report.
func expect(t *testing.T, objects []Object, prefix string) (Counts, []found, []string) {
	t.Helper()
	c := Counts{BySeverity: map[string]int{}, ByEvent: map[string]int{}}
	var out []found
	var unreadable []string
	for _, o := range objects {
		if !strings.HasPrefix(o.Key, prefix) {
			continue
		}
		if strings.HasSuffix(o.Key, "/") || strings.Contains(o.Key, "/CloudTrail-Digest/") {
			c.Ignored++
			continue
		}
		c.Files++
		c.Bytes += int64(len(o.Body))
		err := finding.ParseLog(bytes.NewReader(o.Body), func(i int, f *finding.Finding, err error) error {
			c.Records++
			var unsupported *finding.UnsupportedEventError
			switch {
			case errors.As(err, &unsupported):
				c.Skipped++
			case err != nil:
				c.Malformed++
			default:
				c.Findings++
				c.BySeverity[string(f.Severity)]++
				c.ByEvent[f.EventName]++
				data, err := json.Marshal(f)
				if err != nil {
					return err
				}
				out = append(out, found{LogFile: o.Key, Record: i, Finding: data})
			}
			return nil
		})
		var logErr *finding.LogError
		if errors.As(err, &logErr) {
			c.Unreadable++
			unreadable = append(unreadable, o.Key)
		} else if err != nil {
			t.Fatal(err)
		}
	}
	return c, out, unreadable
}

// TestBacktest runs a backtest of a few hundred generated log files on the
// local stack (moto's S3 and Distributed Map, the gateway running the
// parse program as the backtest's function) and checks its summary and
// findings against ParseLog run here on the same files.
func TestBacktest(t *testing.T) {
	root, err := pipeline.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	var logs localstack.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b, err := Deploy(ctx, Options{Root: root, Parse: filepath.Join(binDir, "parse", "bootstrap"), MaxConcurrency: 8, Logs: &logs})
	pipeline.Started(t, b, &logs, err)

	objects, err := Logs(root, 200, 12)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objects {
		if err := b.Put(ctx, o.Key, o.Body); err != nil {
			t.Fatal(err)
		}
	}
	want, wantFound, wantUnreadable := expect(t, objects, LogPrefix)
	if want.Files < 200 || want.Findings == 0 || want.Skipped == 0 || want.Unreadable == 0 || want.Ignored == 0 {
		t.Fatalf("the generated files do not hold findings, skipped records, unreadable and ignored objects: %+v", want)
	}

	start := time.Now()
	exec, err := b.Run(ctx, "backtest-1", LogPrefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backtest of %d objects: %s in %s", want.Files+want.Ignored, exec.Status, time.Since(start).Round(time.Millisecond))
	if exec.Status != "SUCCEEDED" {
		t.Fatalf("backtest %s: %s: %s", exec.Status, exec.Error, exec.Cause)
	}

	var got Summary
	if err := json.Unmarshal([]byte(exec.Output), &got); err != nil {
		t.Fatalf("output %s: %v", exec.Output, err)
	}
	if diff := gocmp.Diff(want, got.Counts); diff != "" {
		t.Errorf("summary counts (-ParseLog here +backtest):\n%s", diff)
	}
	// Without ItemBatcher (moto), every listed object is a batch.
	if got.Batches != want.Files+want.Ignored || got.FailedBatches != 0 || got.Run != "backtest-1" {
		t.Errorf("run %q: %d batches (want %d), %d failed", got.Run, got.Batches, want.Files+want.Ignored, got.FailedBatches)
	}
	var gotUnreadable []string
	for _, u := range got.UnreadableFiles {
		gotUnreadable = append(gotUnreadable, u.Key)
	}
	slices.Sort(gotUnreadable)
	if diff := gocmp.Diff(wantUnreadable, gotUnreadable); diff != "" {
		t.Errorf("unreadable files (-want +got):\n%s", diff)
	}

	stored, err := b.Result(ctx, got.SummaryKey)
	if err != nil {
		t.Fatal(err)
	}
	var storedSummary Summary
	if err := json.Unmarshal(stored, &storedSummary); err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(got, storedSummary); diff != "" {
		t.Errorf("%s differs from the execution's output:\n%s", got.SummaryKey, diff)
	}
	if got.Map == nil || got.Map.Bucket != b.Names.ResultsBucket || !strings.HasPrefix(got.Map.Key, "runs/backtest-1/map/") {
		t.Errorf("the Map's ResultWriter manifest: %+v", got.Map)
	} else if _, err := b.Result(ctx, got.Map.Key); err != nil {
		t.Errorf("the Map's manifest: %v", err)
	}

	keys, err := b.Results(ctx, got.FindingsPrefix)
	if err != nil {
		t.Fatal(err)
	}
	var gotFound []found
	for _, key := range keys {
		gotFound = append(gotFound, readFound(t, b, ctx, key)...)
	}
	byRecord := func(a, b found) int { return cmp.Or(strings.Compare(a.LogFile, b.LogFile), a.Record-b.Record) }
	slices.SortFunc(gotFound, byRecord)
	slices.SortFunc(wantFound, byRecord)
	if len(gotFound) != len(wantFound) {
		t.Fatalf("%d findings in %s, ParseLog found %d", len(gotFound), got.FindingsPrefix, len(wantFound))
	}
	for i := range wantFound {
		w, g := wantFound[i], gotFound[i]
		if w.LogFile != g.LogFile || w.Record != g.Record || !jsonEqual(t, w.Finding, g.Finding) {
			t.Errorf("finding %d: %s record %d, want %s record %d (or the findings differ)", i, g.LogFile, g.Record, w.LogFile, w.Record)
		}
	}
}

// readFound reads one findings object.
func readFound(t *testing.T, b *Backtest, ctx context.Context, key string) []found {
	t.Helper()
	body, err := b.Result(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	var out []found
	dec := json.NewDecoder(zr)
	for dec.More() {
		var f found
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		out = append(out, f)
	}
	return out
}

func jsonEqual(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return gocmp.Equal(x, y)
}

// TestRender: the local rendering fills every placeholder and adds only
// MaxConcurrency to the Map, and the definition leaves the fields only a
// deployment sets to it.
func TestRender(t *testing.T) {
	root, err := pipeline.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	asl, err := os.ReadFile(filepath.Join(root, ASLPath))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"trail_bucket": "t", "results_bucket": "r", "backtest_function_arn": "arn"}
	def, err := Render(string(asl), vars, 7)
	if err != nil {
		t.Fatal(err)
	}
	var rendered, file map[string]any
	if err := json.Unmarshal([]byte(def), &rendered); err != nil {
		t.Fatal(err)
	}
	filled := string(asl)
	for k, v := range vars {
		filled = strings.ReplaceAll(filled, "${"+k+"}", v)
	}
	if err := json.Unmarshal([]byte(filled), &file); err != nil {
		t.Fatal(err)
	}
	m := rendered["States"].(map[string]any)[MapState].(map[string]any)
	if m["MaxConcurrency"] != 7.0 {
		t.Errorf("MaxConcurrency %v", m["MaxConcurrency"])
	}
	delete(m, "MaxConcurrency")
	if diff := gocmp.Diff(file, rendered); diff != "" {
		t.Errorf("the local rendering changes more than MaxConcurrency:\n%s", diff)
	}
	fileMap := file["States"].(map[string]any)[MapState].(map[string]any)
	for _, field := range []string{"MaxConcurrency", "ToleratedFailurePercentage", "ToleratedFailureCount", "ItemBatcher"} {
		if _, ok := fileMap[field]; ok {
			t.Errorf("%s sets %s: the deployments set it (terraform's rendering, Render)", ASLPath, field)
		}
	}
	if _, err := Render(string(asl), map[string]string{"trail_bucket": "t"}, 1); err == nil {
		t.Error("Render left placeholders unfilled without an error")
	}
}
