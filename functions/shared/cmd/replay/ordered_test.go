package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// gatedEnricher enriches a finding only once `width` calls are in flight
// at the same time (or its context ends): a pool that runs fewer at once
// never gets past the first.
type gatedEnricher struct {
	width int

	mu       sync.Mutex
	inFlight int
	open     chan struct{}
}

func (g *gatedEnricher) enrich(ctx context.Context, f *finding.Finding) (*finding.Finding, error) {
	g.mu.Lock()
	g.inFlight++
	if g.inFlight == g.width {
		close(g.open)
	}
	open := g.open
	g.mu.Unlock()
	select {
	case <-open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if f.EventName == "fail" {
		return nil, errors.New("enrich failed")
	}
	now := *f
	now.Enriched = true
	return &now, nil
}

func (g *gatedEnricher) close() error { return nil }

// TestEnrichInOrder: findings are enriched several at once, and every
// result (enriched, failed, or not to enrich) is output once, in the order
// added.
func TestEnrichInOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const workers = 4
	enr := &gatedEnricher{width: workers, open: make(chan struct{})}
	var got []string
	pool := newEnrichInOrder(ctx, enr, workers, func(r result, now *finding.Finding, err error) error {
		switch {
		case r.finding == nil:
			got = append(got, "error "+r.err.Error())
		case err != nil:
			got = append(got, "failed "+r.finding.EventID)
		case now != nil && now.Enriched:
			got = append(got, "enriched "+now.EventID)
		default:
			got = append(got, "as is "+r.finding.EventID)
		}
		return nil
	})
	var want []string
	for i := range 20 {
		id := fmt.Sprint(i)
		switch {
		case i%5 == 4:
			want = append(want, "error "+id)
			if err := pool.add(result{err: errors.New(id)}, false); err != nil {
				t.Fatal(err)
			}
		case i%7 == 6:
			want = append(want, "failed "+id)
			if err := pool.add(result{finding: &finding.Finding{EventID: id, EventName: "fail"}}, true); err != nil {
				t.Fatal(err)
			}
		default:
			want = append(want, "enriched "+id)
			if err := pool.add(result{finding: &finding.Finding{EventID: id}}, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := pool.close(); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("the pool never had %d findings in flight at once", workers)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("output\n%v\nwant\n%v", got, want)
	}
}

// TestEnrichInOrderStopsOnOutputError: once output fails, add returns its
// error and close does too.
func TestEnrichInOrderStopsOnOutputError(t *testing.T) {
	broken := errors.New("stdout closed")
	enr := &gatedEnricher{width: 1, open: make(chan struct{})}
	pool := newEnrichInOrder(context.Background(), enr, 1, func(result, *finding.Finding, error) error { return broken })
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = pool.add(result{finding: &finding.Finding{EventID: fmt.Sprint(i)}}, true)
	}
	if closeErr := pool.close(); !errors.Is(closeErr, broken) || err != nil && !errors.Is(err, broken) {
		t.Errorf("add %v, close %v; want %v", err, closeErr, broken)
	}
}
