package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// BatchResult is what one batch of log files gave: its counts, the
// unreadable files and where its findings are.
type BatchResult struct {
	// Batch names the batch (layout.go).
	Batch string `json:"batch"`
	Counts
	// UnreadableFiles are the first MaxListed unreadable log files.
	UnreadableFiles []FileError `json:"unreadableFiles,omitempty"`
	// FindingsKey is the object in the results bucket holding the
	// batch's findings; empty when it found none.
	FindingsKey string `json:"findingsKey,omitempty"`
}

// FoundRecord is one line of a findings object: a finding, and the log
// file and record (0-based) it was parsed from.
type FoundRecord struct {
	LogFile string           `json:"logFile"`
	Record  int              `json:"record"`
	Finding *finding.Finding `json:"finding"`
}

// fileResult is what reading one log file gave.
type fileResult struct {
	counts     Counts
	found      []FoundRecord
	unreadable *FileError
	err        error // a *StorageError, or the batch was cancelled
}

// scan reads the batch's log files, at most b.parallel at once, and writes
// the batch's findings and result. Any storage error fails the batch (the
// state machine retries it); what it wrote is written again then.
func (b *Backtest) scan(ctx context.Context, files []LogFile) (*BatchResult, error) {
	results := make([]fileResult, len(files))
	if err := forEach(ctx, len(files), b.parallel, func(ctx context.Context, i int) error {
		results[i] = b.readFile(ctx, files[i])
		return results[i].err
	}); err != nil {
		return nil, err
	}
	first := files[0]
	r := &BatchResult{Batch: batchID(files)}
	var found []FoundRecord
	for _, fr := range results {
		r.Counts.Add(fr.counts)
		found = append(found, fr.found...)
		if fr.unreadable != nil && len(r.UnreadableFiles) < MaxListed {
			r.UnreadableFiles = append(r.UnreadableFiles, *fr.unreadable)
		}
	}
	if len(found) > 0 {
		r.FindingsKey = findingsKey(first.Run, r.Batch)
		body, err := jsonLinesGzip(found)
		if err != nil {
			return nil, err
		}
		if err := b.objects.Put(ctx, first.Results, r.FindingsKey, body, "application/x-ndjson", "gzip"); err != nil {
			return nil, &StorageError{Op: "put", Bucket: first.Results, Key: r.FindingsKey, Err: err}
		}
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	key := batchKey(first.Run, r.Batch)
	if err := b.objects.Put(ctx, first.Results, key, body, "application/json", ""); err != nil {
		return nil, &StorageError{Op: "put", Bucket: first.Results, Key: key, Err: err}
	}
	zerolog.Ctx(ctx).Info().Str("batch", r.Batch).Int("files", r.Files).Int("records", r.Records).
		Int("findings", r.Findings).Int("unreadable", r.Unreadable).Int("ignored", r.Ignored).Msg("batch_scanned")
	return r, nil
}

// readFile reads one log file. A file that is not a log file by its key
// is ignored; one gone since it was listed, or that ParseLog cannot read
// (its records up to there are kept), is unreadable.
func (b *Backtest) readFile(ctx context.Context, f LogFile) fileResult {
	var r fileResult
	if !isLogFile(f.Key) {
		r.counts.Ignored = 1
		return r
	}
	r.counts.Files, r.counts.Bytes = 1, f.Size
	body, err := b.objects.Get(ctx, f.Bucket, f.Key)
	if errors.Is(err, ErrNoObject) {
		return unreadable(ctx, r, f.Key, "gone since it was listed")
	}
	if err != nil {
		r.err = &StorageError{Op: "get", Bucket: f.Bucket, Key: f.Key, Err: err}
		return r
	}
	defer body.Close()
	in := &storedReader{r: body}
	err = finding.ParseLog(in, func(i int, fnd *finding.Finding, err error) error {
		r.counts.count(fnd, err)
		if err == nil {
			r.found = append(r.found, FoundRecord{LogFile: f.Key, Record: i, Finding: fnd})
		}
		return ctx.Err()
	})
	var logErr *finding.LogError
	switch {
	case in.err != nil:
		r.err = &StorageError{Op: "read", Bucket: f.Bucket, Key: f.Key, Err: in.err}
	case errors.As(err, &logErr):
		return unreadable(ctx, r, f.Key, logErr.Error())
	case err != nil:
		r.err = err
	}
	return r
}

func unreadable(ctx context.Context, r fileResult, key, reason string) fileResult {
	r.counts.Unreadable = 1
	r.unreadable = &FileError{Key: key, Reason: reason}
	zerolog.Ctx(ctx).Warn().Str("key", key).Str("reason", reason).Msg("log_file_unreadable")
	return r
}

// storedReader keeps the first error other than io.EOF reading an
// object's body: the store's, not the file's.
type storedReader struct {
	r   io.Reader
	err error
}

func (s *storedReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// jsonLinesGzip is records as gzip-compressed JSON lines.
func jsonLinesGzip(records []FoundRecord) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	enc := json.NewEncoder(zw)
	for _, rec := range records {
		if err := enc.Encode(rec); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
