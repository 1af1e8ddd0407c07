package main

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkEmbedCommand is papersift embed end to end, storing every
// batch in SQLite, against an endpoint that takes 50 ms a request and
// serves 4 at once. %capacity is the share of the endpoint's capacity
// used; here the store, not the client, sets the pace.
func BenchmarkEmbedCommand(b *testing.B) {
	const (
		papers = 2048
		batch  = 64
		slots  = 4
	)
	e := newEnv(b)
	e.srv.Dim = 1536
	e.srv.Slots = slots
	file := e.writePapers("p.jsonl", makePapers(papers))
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		e.vars["PAPERSIFT_DB"] = filepath.Join(e.dir, fmt.Sprintf("bench%d.db", i))
		e.srv.Latency = 0
		if _, errs, code := e.run("ingest", "--no-embed", file); code != 0 {
			b.Fatal(errs)
		}
		e.srv.Latency = 50 * time.Millisecond
		start := time.Now()
		if _, errs, code := e.run("embed", "--batch", fmt.Sprint(batch), "--concurrency", fmt.Sprint(slots), "--quiet"); code != 0 {
			b.Fatal(errs)
		}
		elapsed += time.Since(start)
	}
	requests := float64(b.N * papers / batch)
	ideal := time.Duration(math.Ceil(requests/slots)) * 50 * time.Millisecond
	b.ReportMetric(100*ideal.Seconds()/elapsed.Seconds(), "%capacity")
	b.ReportMetric(float64(b.N*papers)/elapsed.Seconds(), "papers/s")
}
