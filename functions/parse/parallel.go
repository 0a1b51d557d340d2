package main

import (
	"cmp"
	"context"
	"sync"
)

// forEach calls fn for 0 to n-1, at most limit at once, each with a
// context cancelled once any of them failed, and returns the first error
// (or ctx's).
func forEach(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	slots := make(chan struct{}, max(limit, 1))
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if err := fn(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	return cmp.Or(first, ctx.Err())
}
