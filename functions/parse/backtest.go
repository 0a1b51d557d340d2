package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

// BacktestHandler is the _HANDLER value that makes the parse program the
// backtest's function (terraform/modules/backtest sets it as the
// function's handler, the local stack as its environment).
const BacktestHandler = "backtest"

// Backtest is the parse program in backtest mode: the function the
// backtest state machine (statemachine/backtest.asl.json) calls for each
// batch of CloudTrail log files its Distributed Map lists, and once at the
// end to sum the batches up. It reads log files with finding.ParseLog, the
// code replay and the pipeline's parse run, and writes under
// runs/<run>/ of the results bucket (layout.go): the findings of each
// batch, each batch's counts, and the run's summary.
type Backtest struct {
	objects Objects
	log     zerolog.Logger
	// parallel is how many log files of a batch are read at once.
	parallel int
}

// Objects is the object store a backtest reads log files from and writes
// its results to (S3).
type Objects interface {
	// Get returns the body of the object; an error wrapping ErrNoObject
	// when there is none.
	Get(ctx context.Context, bucket, key string) (io.ReadCloser, error)
	// Put stores body as the object key.
	Put(ctx context.Context, bucket, key string, body []byte, contentType, contentEncoding string) error
	// List returns the keys under prefix, sorted, from every page.
	List(ctx context.Context, bucket, prefix string) ([]string, error)
}

// ErrNoObject is what Objects.Get wraps when the object does not exist.
var ErrNoObject = errors.New("no such object")

// DefaultParallel is how many log files of a batch a Backtest reads at
// once: S3 reads wait on the network more than parsing uses the CPU.
const DefaultParallel = 8

// NewBacktest returns a Backtest reading and writing through objects. It
// does no I/O.
func NewBacktest(objects Objects, log zerolog.Logger) *Backtest {
	return &Backtest{objects: objects, log: log, parallel: DefaultParallel}
}

// LogFile is one log file of a backtest: one item of the state machine's
// Map, as its ItemSelector makes it.
type LogFile struct {
	// Bucket and Key locate the log file; Size is its size as listed.
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Size   int64  `json:"size"`
	// Run names the backtest: the execution's name.
	Run string `json:"run"`
	// Results is the bucket the results go to.
	Results string `json:"results"`
}

// BacktestRequest is what the state machine sends: a batch of log files
// (the Map's ItemBatcher makes {"Items": [...]}), one log file (a Map
// without a batcher, as on the local stack, whose moto refuses
// ItemBatcher), or, with Summarize set, the end of a run.
type BacktestRequest struct {
	Items []LogFile `json:"Items"`
	LogFile
	Summarize *SummarizeRequest `json:"summarize"`
}

// BacktestResponse is a batch's result or a run's summary.
type BacktestResponse struct {
	Batch   *BatchResult `json:"batch,omitempty"`
	Summary *Summary     `json:"summary,omitempty"`
}

// Counts are what a backtest counts, per batch and per run.
type Counts struct {
	// Files are the log files read; Unreadable those of them that could
	// not be read through as log files (gone since listed, not gzip or
	// JSON, no Records array), whose records up to there still count;
	// Ignored the listed objects that are not log files by their key
	// (digests, folders, other files).
	Files      int `json:"files"`
	Unreadable int `json:"unreadable"`
	Ignored    int `json:"ignored"`
	// Bytes are the sizes of the log files as listed.
	Bytes int64 `json:"bytes"`
	// Records are the records read, each a finding, outside the catalog
	// (Skipped) or malformed.
	Records   int `json:"records"`
	Findings  int `json:"findings"`
	Skipped   int `json:"skipped"`
	Malformed int `json:"malformed"`
	// BySeverity and ByEvent count the findings by severity and by
	// eventName.
	BySeverity map[finding.Severity]int `json:"bySeverity,omitempty"`
	ByEvent    map[string]int           `json:"byEvent,omitempty"`
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Files += o.Files
	c.Ignored += o.Ignored
	c.Unreadable += o.Unreadable
	c.Bytes += o.Bytes
	c.Records += o.Records
	c.Findings += o.Findings
	c.Skipped += o.Skipped
	c.Malformed += o.Malformed
	c.BySeverity = addCounts(c.BySeverity, o.BySeverity)
	c.ByEvent = addCounts(c.ByEvent, o.ByEvent)
}

func addCounts[K comparable](into, from map[K]int) map[K]int {
	if len(from) == 0 {
		return into
	}
	if into == nil {
		into = make(map[K]int, len(from))
	}
	for k, n := range maps.All(from) {
		into[k] += n
	}
	return into
}

// count counts one parsed record: f, or its error.
func (c *Counts) count(f *finding.Finding, err error) {
	c.Records++
	var unsupported *finding.UnsupportedEventError
	switch {
	case errors.As(err, &unsupported):
		c.Skipped++
	case err != nil:
		c.Malformed++
	default:
		c.Findings++
		c.BySeverity = addCounts(c.BySeverity, map[finding.Severity]int{f.Severity: 1})
		c.ByEvent = addCounts(c.ByEvent, map[string]int{f.EventName: 1})
	}
}

// FileError is a log file that could not be read as one, and why.
type FileError struct {
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

// MaxListed bounds the files a batch result or a summary lists by name
// (unreadable ones, those of failed batches): the counts hold them all.
const MaxListed = 100

// BacktestRequestError is a request the backtest cannot serve: no log
// file, fields missing, or log files of different runs in one batch.
type BacktestRequestError struct {
	Reason string
}

func (e *BacktestRequestError) Error() string { return "backtest request: " + e.Reason }

// StorageError is a read or write of the object store that failed (other
// than a log file gone since it was listed, which is counted as
// unreadable).
type StorageError struct {
	Op, Bucket, Key string
	Err             error
}

func (e *StorageError) Error() string {
	return fmt.Sprintf("%s s3://%s/%s: %v", e.Op, e.Bucket, e.Key, e.Err)
}

func (e *StorageError) Unwrap() error { return e.Err }

// Handle scans a batch of log files, or sums a run up. Errors, returned
// unwrapped: *BacktestRequestError, *StorageError.
func (b *Backtest) Handle(ctx context.Context, req BacktestRequest) (*BacktestResponse, error) {
	if req.Summarize != nil {
		ctx = lambdarun.WithInvocation(ctx, b.log, req.Summarize.Run)
		s, err := b.summarize(ctx, *req.Summarize)
		if err != nil {
			return nil, err
		}
		return &BacktestResponse{Summary: s}, nil
	}
	files := req.Items
	if len(files) == 0 && req.Key != "" {
		files = []LogFile{req.LogFile}
	}
	if err := checkBatch(files); err != nil {
		return nil, err
	}
	ctx = lambdarun.WithInvocation(ctx, b.log, files[0].Run)
	r, err := b.scan(ctx, files)
	if err != nil {
		return nil, err
	}
	return &BacktestResponse{Batch: r}, nil
}

// checkBatch returns a *BacktestRequestError unless files is a batch of
// one run: at least one file, each with its bucket, key, run and results
// bucket, all of the same run and results bucket.
func checkBatch(files []LogFile) error {
	if len(files) == 0 {
		return &BacktestRequestError{Reason: "no log file (want Items, or bucket and key)"}
	}
	first := files[0]
	for _, f := range files {
		switch {
		case f.Bucket == "" || f.Key == "":
			return &BacktestRequestError{Reason: "a log file without bucket or key"}
		case !validRun(f.Run):
			return &BacktestRequestError{Reason: fmt.Sprintf("run %q is not a run name (letters, digits, -, _ and .)", f.Run)}
		case f.Results == "":
			return &BacktestRequestError{Reason: "no results bucket"}
		case f.Run != first.Run || f.Results != first.Results:
			return &BacktestRequestError{Reason: "log files of different runs in one batch"}
		}
	}
	return nil
}
