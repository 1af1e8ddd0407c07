// Command papersift embeds a day's research papers and answers which papers
// are alike, what today's topics are, and what to read first.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// memoryLimit is the heap size from which the garbage collector works
// harder (a soft limit; GOMEMLIMIT overrides it). Loading a million
// vectors leaves as much garbage as it keeps, which the collector would
// otherwise let grow to twice the live heap: group --all of 1,000,000
// papers peaked at 1.32 GB without it, 0.97 GB with it, in the same time;
// digest of them 3.16 GB before it read only the papers its page shows,
// 1.01 GB after (0.97 GiB).
const memoryLimit = 896 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// a second Ctrl-C ends the process at once (one that waits on a
	// stalled pipe, say)
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
