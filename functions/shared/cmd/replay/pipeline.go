package main

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// result is what replay makes of one record, or of a file it could not
// read (fileErr).
type result struct {
	file    string
	index   int
	finding *finding.Finding
	err     error // *finding.MalformedEventError or *finding.UnsupportedEventError
	fileErr error
}

// stats counts what replay read, for the progress bar and the summary.
type stats struct {
	files, records, findings, unsupported, malformed atomic.Int64
	printed, enrichFailed, bytes                     atomic.Int64
}

// batch is consecutive records of one file, copied out of its reader.
type batch struct {
	file, seq int
	name      string
	first     int      // index of the first record in the file
	buf       []byte   // the records' bytes
	ends      []int    // where each record ends in buf
	last      bool     // the file's last batch
	fileErr   error    // the file could not be read to its end
	results   []result // filled by the parser
}

// batchBytes is how much of a file one parse job holds: large enough that
// handing it over costs nothing next to parsing it.
const batchBytes = 1 << 20

// buffers recycles the batches' buffers: findings share none of their
// bytes, so a buffer is free once its records are parsed.
var buffers = sync.Pool{New: func() any { return make([]byte, 0, batchBytes+batchBytes/4) }}

func newBatch(file, seq int, name string, first int) *batch {
	return &batch{file: file, seq: seq, name: name, first: first, buf: buffers.Get().([]byte)[:0]}
}

// replay reads inputs on up to workers goroutines, parses their records on
// workers more, and calls emit with every finding and every record or file
// error, in input order and record order. Records outside the catalog are
// counted, not emitted. It stops at emit's first error, which it returns,
// or when ctx is done.
func replay(ctx context.Context, inputs []input, workers int, st *stats, emit func(result) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *batch, 2*workers)
	done := make(chan *batch, 2*workers)
	var next atomic.Int64
	var readers, parsers sync.WaitGroup
	for range min(workers, len(inputs)) {
		readers.Go(func() {
			for {
				n := int(next.Add(1) - 1)
				if n >= len(inputs) || ctx.Err() != nil {
					return
				}
				readFile(ctx, n, inputs[n], st, jobs)
			}
		})
	}
	go func() { readers.Wait(); close(jobs) }()
	for range workers {
		parsers.Go(func() {
			for b := range jobs {
				parseBatch(b, st)
				done <- b
			}
		})
	}
	go func() { parsers.Wait(); close(done) }()

	pending := map[[2]int]*batch{}
	file, seq := 0, 0
	var err error
	for b := range done {
		if err != nil {
			continue // drain, so that every goroutine ends
		}
		pending[[2]int{b.file, b.seq}] = b
		for {
			b, ok := pending[[2]int{file, seq}]
			if !ok {
				break
			}
			delete(pending, [2]int{file, seq})
			for _, r := range b.results {
				if err = emit(r); err != nil {
					cancel()
					break
				}
			}
			if b.fileErr != nil && err == nil {
				err = emit(result{file: b.name, fileErr: b.fileErr})
			}
			if err != nil {
				break
			}
			seq++
			if b.last {
				file, seq = file+1, 0
			}
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// readFile splits one input into batches of records and sends them to
// jobs; the last one says whether the file was read to its end.
func readFile(ctx context.Context, n int, in input, st *stats, jobs chan<- *batch) {
	b := newBatch(n, 0, in.name, 0)
	seq := 0
	send := func(last bool) {
		b.last = last
		first := b.first + len(b.ends)
		jobs <- b
		seq++
		if !last {
			b = newBatch(n, seq, in.name, first)
		}
	}
	rc, err := in.open()
	if err == nil {
		err = finding.ScanLog(&countingReader{r: rc, n: &st.bytes}, func(i int, raw []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			b.buf = append(b.buf, raw...)
			b.ends = append(b.ends, len(b.buf))
			if len(b.buf) >= batchBytes {
				send(false)
			}
			return nil
		})
		rc.Close()
	}
	st.files.Add(1)
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	b.fileErr = err
	send(true)
}

// parseBatch parses b's records into b.results and counts them.
func parseBatch(b *batch, st *stats) {
	start := 0
	for i, end := range b.ends {
		f, err := finding.Parse(b.buf[start:end])
		start = end
		var unsup *finding.UnsupportedEventError
		switch {
		case errors.As(err, &unsup):
			st.unsupported.Add(1)
			continue
		case err != nil:
			st.malformed.Add(1)
		default:
			st.findings.Add(1)
		}
		b.results = append(b.results, result{file: b.name, index: b.first + i, finding: f, err: err})
	}
	st.records.Add(int64(len(b.ends)))
	buffers.Put(b.buf[:0])
	b.buf, b.ends = nil, nil
}

// countingReader adds what it reads to n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
