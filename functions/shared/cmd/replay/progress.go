package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress is the progress bar on a terminal: bytes read of the inputs'
// total, with files, records and findings. It is silent when standard
// error is not a terminal.
type progress struct {
	w    io.Writer
	bar  *progressbar.ProgressBar
	stop chan struct{}
	done sync.WaitGroup
}

func newProgress(w io.Writer, terminal bool, inputs []input, st *stats) *progress {
	p := &progress{w: w}
	if !terminal {
		return p
	}
	var total int64
	for _, in := range inputs {
		total += in.size
	}
	if total == 0 {
		total = -1 // a spinner: standard input has no size
	}
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
	p.stop = make(chan struct{})
	describe := func() {
		p.bar.Describe(fmt.Sprintf("files %d/%d records %d findings %d", st.files.Load(), len(inputs), st.records.Load(), st.findings.Load()))
		_ = p.bar.Set64(st.bytes.Load())
	}
	p.done.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				describe()
				return
			case <-tick.C:
				describe()
			}
		}
	})
	return p
}

// clear takes the bar off the line before other output.
func (p *progress) clear() {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
}

// finish draws the bar a last time and ends its line.
func (p *progress) finish() {
	if p.bar == nil {
		return
	}
	close(p.stop)
	p.done.Wait()
	_ = p.bar.Finish()
	fmt.Fprintln(p.w)
}
