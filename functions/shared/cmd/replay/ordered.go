package main

import (
	"context"
	"sync"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// enrichInOrder runs enrich on up to workers findings at once (each a run
// of enrich's program, which waits on AWS more than it computes) and
// hands every result, enriched or not, to output in the order added, so
// that output stays in log order and is written by one goroutine.
type enrichInOrder struct {
	enr    enricher
	output func(r result, now *finding.Finding, enrichErr error) error
	jobs   chan *enrichJob
	order  chan *enrichJob
	wg     sync.WaitGroup
	done   chan struct{} // closed when output has had every result

	mu  sync.Mutex
	err error // output's first error
}

type enrichJob struct {
	r      result
	enrich bool
	now    *finding.Finding
	err    error
	ready  chan struct{}
}

func newEnrichInOrder(ctx context.Context, enr enricher, workers int, output func(result, *finding.Finding, error) error) *enrichInOrder {
	e := &enrichInOrder{
		enr: enr, output: output,
		jobs:  make(chan *enrichJob),
		order: make(chan *enrichJob, 4*workers),
		done:  make(chan struct{}),
	}
	for range workers {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			for j := range e.jobs {
				j.now, j.err = e.enr.enrich(ctx, j.r.finding)
				close(j.ready)
			}
		}()
	}
	go func() {
		defer close(e.done)
		for j := range e.order {
			<-j.ready
			if err := e.firstErr(); err == nil {
				if err := e.output(j.r, j.now, j.err); err != nil {
					e.mu.Lock()
					e.err = err
					e.mu.Unlock()
				}
			}
		}
	}()
	return e
}

// add queues r: enriched first when enrich is set. It returns output's
// first error, once there is one, so that the replay stops.
func (e *enrichInOrder) add(r result, enrich bool) error {
	if err := e.firstErr(); err != nil {
		return err
	}
	j := &enrichJob{r: r, enrich: enrich, ready: make(chan struct{})}
	e.order <- j
	if enrich {
		e.jobs <- j
	} else {
		close(j.ready)
	}
	return nil
}

// close waits until every result added has been output and returns
// output's first error.
func (e *enrichInOrder) close() error {
	close(e.jobs)
	e.wg.Wait()
	close(e.order)
	<-e.done
	return e.firstErr()
}

func (e *enrichInOrder) firstErr() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}
