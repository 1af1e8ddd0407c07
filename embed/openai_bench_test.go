package embed

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/papersift/papersift/internal/embedtest"
)

// BenchmarkOpenAIThroughput embeds through an endpoint that takes 50 ms a
// request and serves at most 4 at once, so its capacity is 80 requests a
// second. The %capacity metric is the share of that capacity the client
// uses (the target is at least 90).
func BenchmarkOpenAIThroughput(b *testing.B) {
	const (
		latency = 50 * time.Millisecond
		slots   = 4
		batch   = 32
		batches = 40
	)
	srv := embedtest.New()
	defer srv.Close()
	srv.Dim = 768
	srv.Latency = latency
	srv.Slots = slots
	c, err := NewOpenAI(OpenAIConfig{BaseURL: srv.BaseURL(), Model: "bench", BatchSize: batch, Concurrency: slots})
	if err != nil {
		b.Fatal(err)
	}
	ts := texts(batch*batches, "bench")
	// warm the connections
	if _, err := c.Embed(context.Background(), ts[:slots*batch]); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := c.Run(context.Background(), ts, func(Batch) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	requests := float64(b.N * batches)
	ideal := time.Duration(math.Ceil(requests/slots)) * latency
	b.ReportMetric(100*ideal.Seconds()/elapsed.Seconds(), "%capacity")
	b.ReportMetric(requests/elapsed.Seconds(), "req/s")
	b.ReportMetric(requests*batch/elapsed.Seconds(), "texts/s")
}
