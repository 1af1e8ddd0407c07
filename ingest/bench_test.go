package ingest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// synthJSONL is n JSON Lines records of about 1.5 KB, like arXiv's.
func synthJSONL(n int) []byte {
	var b bytes.Buffer
	abstract := ""
	for len(abstract) < 1400 {
		abstract += "We propose a method that improves results on several benchmarks. "
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"id": "s%07d", "title": "A Study of Topic %d and Method %d", "abstract": %q, "authors": ["Ann Author", "Ben Writer"], "label": "cs.LG", "categories": ["cs.LG"], "url": "https://arxiv.org/abs/s%07d"}`+"\n",
			i, i%97, i%13, abstract, i)
	}
	return b.Bytes()
}

func benchParse(b *testing.B, data []byte, format string) {
	b.Helper()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		l, err := ParseBytes(data, Options{Source: "bench", Format: format})
		if err != nil {
			b.Fatal(err)
		}
		n += len(l.Papers)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "papers/s")
}

func BenchmarkParseJSONL(b *testing.B) { benchParse(b, synthJSONL(10_000), "jsonl") }
func BenchmarkParseAuto(b *testing.B)  { benchParse(b, synthJSONL(10_000), "") }

func BenchmarkParseFixtures(b *testing.B) {
	for _, f := range []struct{ file, format string }{{"hf-2026.json", "hf-json"}, {"feed.atom.xml", "arxiv"}, {"sheet.csv", "csv"}} {
		data, err := os.ReadFile(filepath.Join("testdata", f.file))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f.format, func(b *testing.B) { benchParse(b, data, f.format) })
	}
	data, err := os.ReadFile(seedPage)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("hf-page", func(b *testing.B) { benchParse(b, data, "hf-page") })
}
