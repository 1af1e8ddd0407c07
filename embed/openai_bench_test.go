package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/papersift/papersift/internal/embedtest"
)

// The fake endpoint of the throughput benchmarks: 50 ms a request, at most
// 4 served at once (capacity: 80 requests a second), batches of 32 texts,
// 40 batches a run.
const (
	benchLatency = 50 * time.Millisecond
	benchSlots   = 4
	benchBatch   = 32
	benchBatches = 40
)

func benchEndpoint(b *testing.B) *embedtest.Server {
	b.Helper()
	srv := embedtest.New()
	b.Cleanup(srv.Close)
	srv.Dim = 768
	srv.Latency = benchLatency
	srv.Slots = benchSlots
	return srv
}

// BenchmarkOpenAIThroughput embeds through an endpoint that takes 50 ms a
// request and serves at most 4 at once, so its capacity is 80 requests a
// second. The %capacity metric is the share of that capacity the client
// uses (the target is at least 90).
func BenchmarkOpenAIThroughput(b *testing.B) {
	srv := benchEndpoint(b)
	c, err := NewOpenAI(OpenAIConfig{BaseURL: srv.BaseURL(), Model: "bench", BatchSize: benchBatch, Concurrency: benchSlots})
	if err != nil {
		b.Fatal(err)
	}
	ts := texts(benchBatch*benchBatches, "bench")
	// warm the connections and the server's cache of answers
	if _, err := c.Embed(context.Background(), ts); err != nil {
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
	reportCapacity(b, elapsed)
	b.ReportMetric(float64(b.N*benchBatches)*benchBatch/elapsed.Seconds(), "texts/s")
}

// BenchmarkRawHTTPThroughput is the baseline of BenchmarkOpenAIThroughput
// on the same machine: 4 goroutines sending ready-made requests and
// discarding the answers unread beyond the body. What it misses of 100%
// is the cost of HTTP and scheduling here, not of the client.
func BenchmarkRawHTTPThroughput(b *testing.B) {
	srv := benchEndpoint(b)
	ts := texts(benchBatch*benchBatches, "bench")
	bodies := make([][]byte, benchBatches)
	for i := range bodies {
		bodies[i], _ = json.Marshal(map[string]any{"model": "bench", "input": ts[i*benchBatch : (i+1)*benchBatch], "encoding_format": "base64"})
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * benchSlots
	hc := &http.Client{Transport: tr}
	c, err := NewOpenAI(OpenAIConfig{BaseURL: srv.BaseURL(), Model: "bench", BatchSize: benchBatch, Concurrency: benchSlots})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Embed(context.Background(), ts); err != nil { // the same warm cache
		b.Fatal(err)
	}
	send := func(body []byte) {
		resp, err := hc.Post(srv.BaseURL()+"/embeddings", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		next := make(chan []byte)
		var wg sync.WaitGroup
		for w := 0; w < benchSlots; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for body := range next {
					send(body)
				}
			}()
		}
		for _, body := range bodies {
			next <- body
		}
		close(next)
		wg.Wait()
	}
	reportCapacity(b, time.Since(start))
}

// reportCapacity stops the timer and reports the share of the fake
// endpoint's capacity that b.N runs of benchBatches requests used.
func reportCapacity(b *testing.B, elapsed time.Duration) {
	b.StopTimer()
	requests := float64(b.N * benchBatches)
	ideal := time.Duration(math.Ceil(requests/benchSlots)) * benchLatency
	b.ReportMetric(100*ideal.Seconds()/elapsed.Seconds(), "%capacity")
	b.ReportMetric(requests/elapsed.Seconds(), "req/s")
}
