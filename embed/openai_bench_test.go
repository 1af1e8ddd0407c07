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
	b.StopTimer()
	requests := float64(b.N * batches)
	ideal := time.Duration(math.Ceil(requests/slots)) * latency
	b.ReportMetric(100*ideal.Seconds()/elapsed.Seconds(), "%capacity")
	b.ReportMetric(requests/elapsed.Seconds(), "req/s")
	b.ReportMetric(requests*batch/elapsed.Seconds(), "texts/s")
}

// BenchmarkRawHTTPThroughput is the baseline of BenchmarkOpenAIThroughput
// on the same machine: 4 goroutines sending ready-made requests and
// discarding the answers unread beyond the body. What it misses of 100%
// is the cost of HTTP and scheduling here, not of the client.
func BenchmarkRawHTTPThroughput(b *testing.B) {
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
	ts := texts(batch*batches, "bench")
	bodies := make([][]byte, batches)
	for i := range bodies {
		bodies[i], _ = json.Marshal(map[string]any{"model": "bench", "input": ts[i*batch : (i+1)*batch], "encoding_format": "base64"})
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * slots
	hc := &http.Client{Transport: tr}
	c, err := NewOpenAI(OpenAIConfig{BaseURL: srv.BaseURL(), Model: "bench", BatchSize: batch, Concurrency: slots})
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
		for w := 0; w < slots; w++ {
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
	elapsed := time.Since(start)
	b.StopTimer()
	requests := float64(b.N * batches)
	ideal := time.Duration(math.Ceil(requests/slots)) * latency
	b.ReportMetric(100*ideal.Seconds()/elapsed.Seconds(), "%capacity")
	b.ReportMetric(requests/elapsed.Seconds(), "req/s")
}
