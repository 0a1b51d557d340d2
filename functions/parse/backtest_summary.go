package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/rs/zerolog"
)

// SummarizeRequest is the state machine's last call of a run: sum its
// batches up.
type SummarizeRequest struct {
	// Run names the run (the execution's name); Bucket and Prefix are the
	// log files it read; Results the bucket its results are in.
	Run     string `json:"run"`
	Bucket  string `json:"bucket"`
	Prefix  string `json:"prefix"`
	Results string `json:"results"`
	// Map is where the Distributed Map's ResultWriter put its manifest;
	// nil when the state machine passes none.
	Map *ResultWriterDetails `json:"map"`
}

// ResultWriterDetails locates a Distributed Map's manifest, as Step
// Functions reports it in the Map state's output.
type ResultWriterDetails struct {
	Bucket string `json:"Bucket"`
	Key    string `json:"Key"`
}

// Summary is a run's outcome: the sum of its batches, and the batches
// that failed.
type Summary struct {
	Run    string `json:"run"`
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
	Counts
	// Batches are the batches that wrote a result.
	Batches int `json:"batches"`
	// FailedBatches are the Map's child executions that failed after
	// their retries (from its manifest), within the tolerated failures;
	// FailedBatchFiles are their log files, the first MaxListed: run a
	// backtest of them again.
	FailedBatches    int      `json:"failedBatches"`
	FailedBatchFiles []string `json:"failedBatchFiles,omitempty"`
	// UnreadableFiles are the first MaxListed unreadable log files.
	UnreadableFiles []FileError `json:"unreadableFiles,omitempty"`
	// Results is the results bucket; FindingsPrefix the prefix of the
	// findings objects in it and SummaryKey this summary's object.
	Results        string `json:"results"`
	FindingsPrefix string `json:"findingsPrefix"`
	SummaryKey     string `json:"summaryKey"`
	// Map is the Distributed Map's manifest, when the state machine gave it.
	Map *ResultWriterDetails `json:"map,omitempty"`
}

// summaryReads is how many batch results summarize reads at once.
const summaryReads = 16

// summarize sums the batch results of a run up, reads the failed batches
// from the Map's manifest, and writes the summary.
func (b *Backtest) summarize(ctx context.Context, req SummarizeRequest) (*Summary, error) {
	if !validRun(req.Run) || req.Results == "" {
		return nil, &BacktestRequestError{Reason: fmt.Sprintf("summarize needs a run name and a results bucket (run %q)", req.Run)}
	}
	s := &Summary{
		Run: req.Run, Bucket: req.Bucket, Prefix: req.Prefix, Map: req.Map,
		Results: req.Results, FindingsPrefix: runPrefix(req.Run) + "findings/", SummaryKey: summaryKey(req.Run),
	}
	prefix := batchesPrefix(req.Run)
	keys, err := b.objects.List(ctx, req.Results, prefix)
	if err != nil {
		return nil, &StorageError{Op: "list", Bucket: req.Results, Key: prefix, Err: err}
	}
	batches := make([]BatchResult, len(keys))
	if err := forEach(ctx, len(keys), summaryReads, func(ctx context.Context, i int) error {
		return b.readJSON(ctx, req.Results, keys[i], &batches[i])
	}); err != nil {
		return nil, err
	}
	for _, r := range batches {
		s.Batches++
		s.Counts.Add(r.Counts)
		for _, u := range r.UnreadableFiles {
			if len(s.UnreadableFiles) < MaxListed {
				s.UnreadableFiles = append(s.UnreadableFiles, u)
			}
		}
	}
	if req.Map != nil {
		if err := b.failedBatches(ctx, *req.Map, s); err != nil {
			return nil, err
		}
	}
	body, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := b.objects.Put(ctx, req.Results, s.SummaryKey, body, "application/json", ""); err != nil {
		return nil, &StorageError{Op: "put", Bucket: req.Results, Key: s.SummaryKey, Err: err}
	}
	zerolog.Ctx(ctx).Info().Int("batches", s.Batches).Int("failed_batches", s.FailedBatches).Int("files", s.Files).
		Int("records", s.Records).Int("findings", s.Findings).Msg("backtest_summarized")
	return s, nil
}

// manifest is the part of a Distributed Map's manifest read here: its
// result files by status.
type manifest struct {
	ResultFiles struct {
		Failed []struct {
			Key string `json:"Key"`
		} `json:"FAILED"`
	} `json:"ResultFiles"`
}

// childExecution is one entry of a Map result file: a child execution,
// with its input as a JSON string.
type childExecution struct {
	Input string `json:"Input"`
}

// failedBatches reads the manifest and its FAILED result files into s.
func (b *Backtest) failedBatches(ctx context.Context, at ResultWriterDetails, s *Summary) error {
	var m manifest
	if err := b.readJSON(ctx, at.Bucket, at.Key, &m); err != nil {
		return err
	}
	for _, f := range m.ResultFiles.Failed {
		var children []childExecution
		if err := b.readJSON(ctx, at.Bucket, f.Key, &children); err != nil {
			return err
		}
		for _, c := range children {
			s.FailedBatches++
			var in BacktestRequest
			if json.Unmarshal([]byte(c.Input), &in) != nil {
				continue
			}
			files := in.Items
			if len(files) == 0 && in.Key != "" {
				files = []LogFile{in.LogFile}
			}
			for _, lf := range files {
				if len(s.FailedBatchFiles) < MaxListed {
					s.FailedBatchFiles = append(s.FailedBatchFiles, lf.Key)
				}
			}
		}
	}
	slices.Sort(s.FailedBatchFiles)
	return nil
}

// readJSON decodes the object key into v.
func (b *Backtest) readJSON(ctx context.Context, bucket, key string, v any) error {
	body, err := b.objects.Get(ctx, bucket, key)
	if err != nil {
		return &StorageError{Op: "get", Bucket: bucket, Key: key, Err: err}
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		return &StorageError{Op: "read", Bucket: bucket, Key: key, Err: err}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &StorageError{Op: "decode", Bucket: bucket, Key: key, Err: err}
	}
	return nil
}
