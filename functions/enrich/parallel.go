package main

import (
	"context"
	"sync"
)

// maxConcurrentLookups bounds how many calls one event's lookups make at
// once.
const maxConcurrentLookups = 4

// parallel runs fns concurrently, at most maxConcurrentLookups at a time,
// and returns the error of the first to fail (the others' context is then
// cancelled). nil fns are skipped.
func parallel(ctx context.Context, fns ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, maxConcurrentLookups)
	var (
		wg   sync.WaitGroup
		once sync.Once
		err  error
	)
	for _, fn := range fns {
		if fn == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				once.Do(func() { err = ctx.Err() })
				return
			}
			defer func() { <-sem }()
			if e := fn(ctx); e != nil {
				once.Do(func() { err = e; cancel() })
			}
		}()
	}
	wg.Wait()
	return err
}
