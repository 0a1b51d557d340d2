package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

// fakeObjects is an Objects with a function per method.
type fakeObjects struct {
	GetFn  func(ctx context.Context, bucket, key string) (io.ReadCloser, error)
	PutFn  func(ctx context.Context, bucket, key string, body []byte, contentType, contentEncoding string) error
	ListFn func(ctx context.Context, bucket, prefix string) ([]string, error)
}

func (f *fakeObjects) Get(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	return f.GetFn(ctx, bucket, key)
}

func (f *fakeObjects) Put(ctx context.Context, bucket, key string, body []byte, contentType, contentEncoding string) error {
	return f.PutFn(ctx, bucket, key, body, contentType, contentEncoding)
}

func (f *fakeObjects) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	return f.ListFn(ctx, bucket, prefix)
}

// store is an in-memory object store behind a fakeObjects.
type store struct {
	mu      sync.Mutex
	objects map[string][]byte // by bucket/key
}

func newStore() *store { return &store{objects: map[string][]byte{}} }

func (s *store) put(bucket, key string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[bucket+"/"+key] = body
}

func (s *store) get(bucket, key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objects[bucket+"/"+key]
	return b, ok
}

func (s *store) fake() *fakeObjects {
	return &fakeObjects{
		GetFn: func(_ context.Context, bucket, key string) (io.ReadCloser, error) {
			b, ok := s.get(bucket, key)
			if !ok {
				return nil, fmt.Errorf("get %s: %w", key, ErrNoObject)
			}
			return io.NopCloser(bytes.NewReader(b)), nil
		},
		PutFn: func(_ context.Context, bucket, key string, body []byte, _, _ string) error {
			s.put(bucket, key, slices.Clone(body))
			return nil
		},
		ListFn: func(_ context.Context, bucket, prefix string) ([]string, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			var keys []string
			for k := range s.objects {
				if rest, ok := strings.CutPrefix(k, bucket+"/"); ok && strings.HasPrefix(rest, prefix) {
					keys = append(keys, rest)
				}
			}
			slices.Sort(keys)
			return keys, nil
		},
	}
}

// bareRecords are the fixtures that are bare CloudTrail records (no
// EventBridge envelope), in name order.
func bareRecords(t *testing.T) []json.RawMessage {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(events, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []json.RawMessage
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var probe struct {
			DetailType *string `json:"detail-type"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.DetailType == nil {
			var compact bytes.Buffer
			if err := json.Compact(&compact, data); err != nil {
				t.Fatal(err)
			}
			out = append(out, compact.Bytes())
		}
	}
	return out
}

// logFile is a gzip-compressed CloudTrail log file of records.
func logFile(t *testing.T, records []json.RawMessage) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	body, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(body)
	zw.Close()
	return buf.Bytes()
}

// expected is what ParseLog makes of the log files: the records found and
// the counts, as a backtest of them must report.
func expected(t *testing.T, files map[string][]byte, keys []string) (Counts, []FoundRecord) {
	t.Helper()
	var c Counts
	var found []FoundRecord
	for _, key := range keys {
		if !isLogFile(key) {
			c.Ignored++
			continue
		}
		c.Files++
		body, ok := files[key]
		if !ok {
			c.Unreadable++
			continue
		}
		c.Bytes += int64(len(body))
		err := finding.ParseLog(bytes.NewReader(body), func(i int, f *finding.Finding, err error) error {
			c.count(f, err)
			if err == nil {
				found = append(found, FoundRecord{LogFile: key, Record: i, Finding: f})
			}
			return nil
		})
		if err != nil {
			c.Unreadable++
		}
	}
	return c, found
}

// readFindings reads a findings object.
func readFindings(t *testing.T, body []byte) []FoundRecord {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []FoundRecord
	dec := json.NewDecoder(zr)
	for dec.More() {
		var r FoundRecord
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// roundTrip is found as a findings object decodes it.
func roundTrip(t *testing.T, found []FoundRecord) []FoundRecord {
	t.Helper()
	body, err := jsonLinesGzip(found)
	if err != nil {
		t.Fatal(err)
	}
	return readFindings(t, body)
}

func TestBacktestBatch(t *testing.T) {
	records := bareRecords(t)
	half := len(records) / 2
	files := map[string][]byte{
		"AWSLogs/1/CloudTrail/us-east-1/2024/05/01/a.json.gz":        logFile(t, records[:half]),
		"AWSLogs/1/CloudTrail/us-east-1/2024/05/01/b.json.gz":        logFile(t, records[half:]),
		"AWSLogs/1/CloudTrail/us-east-1/2024/05/01/c.json.gz":        []byte("not a log file"),
		"AWSLogs/1/CloudTrail-Digest/us-east-1/2024/05/01/d.json.gz": logFile(t, nil),
		"AWSLogs/1/CloudTrail/us-east-1/2024/05/01/":                 {},
	}
	keys := []string{"AWSLogs/1/CloudTrail/us-east-1/2024/05/01/gone.json.gz"}
	s := newStore()
	for k, body := range files {
		s.put("trail", k, body)
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var items []LogFile
	for _, k := range keys {
		items = append(items, LogFile{Bucket: "trail", Key: k, Size: int64(len(files[k])), Run: "run-1", Results: "results"})
	}

	bt := NewBacktest(s.fake(), zerolog.Nop())
	resp, err := bt.Handle(context.Background(), BacktestRequest{Items: items})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.Batch
	wantCounts, wantFound := expected(t, files, keys)
	if diff := cmp.Diff(wantCounts, r.Counts); diff != "" {
		t.Errorf("counts (-ParseLog +backtest):\n%s", diff)
	}
	if r.Findings == 0 || r.Skipped == 0 || r.Unreadable != 2 || r.Ignored != 2 {
		t.Errorf("the batch must hold findings, skipped records, two unreadable and two ignored objects: %+v", r.Counts)
	}
	if got, want := len(r.UnreadableFiles), 2; got != want {
		t.Errorf("%d unreadable files named, want %d: %+v", got, want, r.UnreadableFiles)
	}

	body, ok := s.get("results", r.FindingsKey)
	if !ok || r.FindingsKey != "runs/run-1/findings/"+r.Batch+".jsonl.gz" {
		t.Fatalf("no findings object at %q", r.FindingsKey)
	}
	if diff := cmp.Diff(roundTrip(t, wantFound), readFindings(t, body)); diff != "" {
		t.Errorf("findings (-ParseLog +backtest):\n%s", diff)
	}
	stored, ok := s.get("results", "runs/run-1/batches/"+r.Batch+".json")
	if !ok {
		t.Fatal("no batch result object")
	}
	var got BatchResult
	if err := json.Unmarshal(stored, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*r, got); diff != "" {
		t.Errorf("stored batch result differs from the response:\n%s", diff)
	}

	// The same files in another order are the same batch.
	slices.Reverse(items)
	again, err := bt.Handle(context.Background(), BacktestRequest{Items: items})
	if err != nil {
		t.Fatal(err)
	}
	if again.Batch.Batch != r.Batch {
		t.Errorf("batch %s, then %s for the same files", r.Batch, again.Batch.Batch)
	}
}

func TestBacktestOneItem(t *testing.T) {
	s := newStore()
	key := "AWSLogs/1/CloudTrail/us-east-1/2024/05/01/a.json.gz"
	s.put("trail", key, logFile(t, bareRecords(t)))
	item := LogFile{Bucket: "trail", Key: key, Run: "run-1", Results: "results"}
	var req BacktestRequest
	data, _ := json.Marshal(item)
	if err := json.Unmarshal(data, &req); err != nil {
		t.Fatal(err)
	}
	bt := NewBacktest(s.fake(), zerolog.Nop())
	one, err := bt.Handle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := bt.Handle(context.Background(), BacktestRequest{Items: []LogFile{item}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(batch, one); diff != "" {
		t.Errorf("one item and a batch of it differ:\n%s", diff)
	}
	if one.Batch.Files != 1 || one.Batch.Findings == 0 {
		t.Errorf("one item: %+v", one.Batch.Counts)
	}
}

func TestBacktestRequestErrors(t *testing.T) {
	ok := LogFile{Bucket: "trail", Key: "a.json.gz", Run: "run-1", Results: "results"}
	with := func(change func(*LogFile)) LogFile {
		f := ok
		change(&f)
		return f
	}
	tests := []struct {
		name string
		req  BacktestRequest
	}{
		{"empty", BacktestRequest{}},
		{"no key", BacktestRequest{Items: []LogFile{with(func(f *LogFile) { f.Key = "" })}}},
		{"no results bucket", BacktestRequest{Items: []LogFile{with(func(f *LogFile) { f.Results = "" })}}},
		{"run with a slash", BacktestRequest{Items: []LogFile{with(func(f *LogFile) { f.Run = "a/b" })}}},
		{"run ..", BacktestRequest{Items: []LogFile{with(func(f *LogFile) { f.Run = ".." })}}},
		{"two runs", BacktestRequest{Items: []LogFile{ok, with(func(f *LogFile) { f.Run = "run-2" })}}},
		{"summarize without run", BacktestRequest{Summarize: &SummarizeRequest{Results: "results"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bt := NewBacktest(&fakeObjects{}, zerolog.Nop())
			_, err := bt.Handle(context.Background(), tc.req)
			if got := lambdarun.ErrorType(err); got != "BacktestRequestError" {
				t.Errorf("error %v (%s), want a BacktestRequestError", err, got)
			}
		})
	}
}

func TestBacktestStorageErrors(t *testing.T) {
	key := "AWSLogs/1/CloudTrail/us-east-1/2024/05/01/a.json.gz"
	item := LogFile{Bucket: "trail", Key: key, Run: "run-1", Results: "results"}
	denied := errors.New("AccessDenied")
	tests := []struct {
		name string
		objs func(*store) *fakeObjects
	}{
		{"get fails", func(s *store) *fakeObjects {
			f := s.fake()
			f.GetFn = func(context.Context, string, string) (io.ReadCloser, error) { return nil, denied }
			return f
		}},
		{"reading fails", func(s *store) *fakeObjects {
			f := s.fake()
			get := f.GetFn
			f.GetFn = func(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
				body, err := get(ctx, bucket, key)
				if err != nil {
					return nil, err
				}
				return io.NopCloser(io.MultiReader(io.LimitReader(body, 100), iotestErr{denied})), nil
			}
			return f
		}},
		{"put fails", func(s *store) *fakeObjects {
			f := s.fake()
			f.PutFn = func(context.Context, string, string, []byte, string, string) error { return denied }
			return f
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore()
			s.put("trail", key, logFile(t, bareRecords(t)))
			bt := NewBacktest(tc.objs(s), zerolog.Nop())
			_, err := bt.Handle(context.Background(), BacktestRequest{Items: []LogFile{item}})
			if got := lambdarun.ErrorType(err); got != "StorageError" || !errors.Is(err, denied) {
				t.Errorf("error %v (%s), want a StorageError of AccessDenied", err, got)
			}
		})
	}
}

// iotestErr is a reader that fails with err.
type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

func TestBacktestSummarize(t *testing.T) {
	records := bareRecords(t)
	s := newStore()
	bt := NewBacktest(s.fake(), zerolog.Nop())
	var want Counts
	var items []LogFile
	for i := range 3 {
		key := fmt.Sprintf("AWSLogs/1/CloudTrail/us-east-1/2024/05/01/%d.json.gz", i)
		body := logFile(t, records[i*len(records)/3:(i+1)*len(records)/3])
		s.put("trail", key, body)
		item := LogFile{Bucket: "trail", Key: key, Size: int64(len(body)), Run: "run-1", Results: "results"}
		items = append(items, item)
		resp, err := bt.Handle(context.Background(), BacktestRequest{Items: []LogFile{item}})
		if err != nil {
			t.Fatal(err)
		}
		want.Add(resp.Batch.Counts)
	}
	// The Map's manifest names a result file of failed child executions.
	failedInput, _ := json.Marshal(BacktestRequest{Items: items[:2]})
	failed, _ := json.Marshal([]map[string]string{{"Input": string(failedInput), "Status": "FAILED"}})
	s.put("results", "runs/run-1/map/abc/FAILED_0.json", failed)
	s.put("results", "runs/run-1/map/abc/manifest.json", []byte(`{"DestinationBucket":"results","ResultFiles":{"FAILED":[{"Key":"runs/run-1/map/abc/FAILED_0.json","Size":1}],"PENDING":[],"SUCCEEDED":[]}}`))

	resp, err := bt.Handle(context.Background(), BacktestRequest{Summarize: &SummarizeRequest{
		Run: "run-1", Bucket: "trail", Prefix: "AWSLogs/1/", Results: "results",
		Map: &ResultWriterDetails{Bucket: "results", Key: "runs/run-1/map/abc/manifest.json"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	sum := resp.Summary
	if diff := cmp.Diff(want, sum.Counts); diff != "" {
		t.Errorf("summary counts (-sum of batches +summary):\n%s", diff)
	}
	if sum.Batches != 3 || sum.FailedBatches != 1 || !slices.Equal(sum.FailedBatchFiles, []string{items[0].Key, items[1].Key}) {
		t.Errorf("batches %d, failed %d %v", sum.Batches, sum.FailedBatches, sum.FailedBatchFiles)
	}
	stored, ok := s.get("results", "runs/run-1/summary.json")
	if !ok || sum.SummaryKey != "runs/run-1/summary.json" || sum.FindingsPrefix != "runs/run-1/findings/" {
		t.Fatalf("summary at %q, findings at %q", sum.SummaryKey, sum.FindingsPrefix)
	}
	var got Summary
	if err := json.Unmarshal(stored, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*sum, got); diff != "" {
		t.Errorf("stored summary differs from the response:\n%s", diff)
	}
}

func TestIsLogFile(t *testing.T) {
	for key, want := range map[string]bool{
		"AWSLogs/1/CloudTrail/us-east-1/2024/05/01/1_CloudTrail_us-east-1_20240501T0000Z_x.json.gz":               true,
		"AWSLogs/o-1/1/CloudTrail/us-east-1/2024/05/01/x.json":                                                    true,
		"AWSLogs/1/CloudTrail-Digest/us-east-1/2024/05/01/1_CloudTrail-Digest_us-east-1_t_20240501T0000Z.json.gz": false,
		"AWSLogs/1/CloudTrail/us-east-1/2024/05/01/":                                                              false,
		"AWSLogs/1/CloudTrail/us-east-1/2024/05/01/notes.txt":                                                     false,
	} {
		if got := isLogFile(key); got != want {
			t.Errorf("isLogFile(%q) = %v, want %v", key, got, want)
		}
	}
}
