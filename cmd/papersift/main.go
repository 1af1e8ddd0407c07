// Command papersift embeds a day's research papers and answers which papers
// are alike, what today's topics are, and what to read first.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"

	_ "github.com/papersift/papersift/internal/hugestart"
)

// memoryLimit is the heap size from which the garbage collector works
// harder (a soft limit; GOMEMLIMIT overrides it). Loading a million
// vectors leaves as much garbage as it keeps, which the collector would
// otherwise let grow to twice the live heap: group --all of 1,000,000
// papers peaked at 1.32 GB without it, 0.97 GB with it, in the same time;
// digest of them 3.16 GB before it read only the papers its page shows,
// 1.01 GB after (0.97 GiB).
//
// A live heap above the limit (queue --all of a million papers holds about
// 1.4 GB) would make the collector run without pause, capped at half the
// CPU: after each collection the limit is raised to a quarter above the
// live heap when that is higher, so that such a heap is collected as if
// GOGC were 25 (the million's queue: 24-34 s before, see bench/RESULTS.md).
const memoryLimit = 896 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
		followLiveHeap(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// a second Ctrl-C ends the process at once (one that waits on a
	// stalled pipe, say)
	context.AfterFunc(ctx, stop)
	// PAPERSIFT_CPUPROFILE=FILE writes a CPU profile of the command (for
	// developers measuring where time goes: see bench/RESULTS.md)
	if p := os.Getenv("PAPERSIFT_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	pprof.StopCPUProfile()
	os.Exit(code)
}

// followLiveHeap keeps the soft memory limit at least a quarter above the
// live heap, checked after every garbage collection.
func followLiveHeap(floor int64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		sentinel := new([16]byte)
		runtime.SetFinalizer(sentinel, func(*[16]byte) {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				live := int64(sample[0].Value.Uint64())
				debug.SetMemoryLimit(max(floor, live+live/4))
			}
			arm()
		})
	}
	arm()
}
