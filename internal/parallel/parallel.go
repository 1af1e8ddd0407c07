// Package parallel runs index loops on all cores.
package parallel

import (
	"context"
	"runtime"
	"sync"
)

// Workers is the number of goroutines a loop uses: GOMAXPROCS.
func Workers() int { return runtime.GOMAXPROCS(0) }

// For calls fn over [0,n) split into contiguous ranges, on all cores, and
// returns ctx.Err() if the context was cancelled. Each index is visited by
// exactly one call; fn must only write state owned by its range. Ranges are
// small enough to balance the load (about 4 per worker).
func For(ctx context.Context, n int, fn func(lo, hi int)) error {
	if n <= 0 {
		return ctx.Err()
	}
	w := Workers()
	parts := 4 * w
	if parts > n {
		parts = n
	}
	if w == 1 || n < 64 {
		fn(0, n)
		return ctx.Err()
	}
	next := make(chan int, parts)
	for p := 0; p < parts; p++ {
		next <- p
	}
	close(next)
	var wg sync.WaitGroup
	for g := 0; g < w; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				if ctx.Err() != nil {
					return
				}
				fn(p*n/parts, (p+1)*n/parts)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// Fixed calls fn(p, lo, hi) for p in [0,parts) over [0,n) split into parts
// contiguous ranges, on all cores. Use it when each part produces a partial
// result that is combined in part order: the split never depends on the
// number of cores, so neither does the result.
func Fixed(ctx context.Context, n, parts int, fn func(p, lo, hi int)) error {
	var wg sync.WaitGroup
	sem := make(chan struct{}, Workers())
	for p := 0; p < parts; p++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(p int) {
			defer wg.Done()
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			fn(p, p*n/parts, (p+1)*n/parts)
		}(p)
	}
	wg.Wait()
	return ctx.Err()
}
