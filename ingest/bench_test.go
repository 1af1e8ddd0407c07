package ingest

import (
	"bytes"
	"context"
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

// synthSnapshot is n lines of arXiv's metadata snapshot of about 1.7 KB,
// a fifth of the names with LaTeX accents.
func synthSnapshot(n int) []byte {
	var b bytes.Buffer
	abstract := ""
	for len(abstract) < 1400 {
		abstract += "We propose a method that improves results on several\\nbenchmarks and "
	}
	names := []string{`["Smith","Ann",""]`, `["Garc\\'ia","Jos\\'e",""]`, `["Zhang","Wei",""]`, `["Okafor","Olu",""]`, `["Berger","E. L.",""]`}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"id":"%02d%02d.%05d","submitter":"Ann Smith","authors":"Ann Smith, Jos\\'e Garc\\'ia","title":"A Study of Topic %d\n  and Method %d","comments":"12 pages","journal-ref":null,"doi":"10.1000/x.%d","report-no":null,"categories":"cs.LG stat.ML","license":null,"abstract":"  %s\n","versions":[{"version":"v1","created":"Mon, 2 Apr 2007 19:18:42 GMT"},{"version":"v2","created":"Tue, 24 Jul 2007 20:10:27 GMT"}],"update_date":"2008-11-13","authors_parsed":[%s,%s,%s]}`+"\n",
			7+i%18, 1+i%12, i%100000, i%97, i%13, i, abstract, names[i%5], names[(i+1)%5], names[(i+2)%5])
	}
	return b.Bytes()
}

func BenchmarkParseJSONL(b *testing.B)    { benchParse(b, synthJSONL(10_000), "jsonl") }
func BenchmarkParseSnapshot(b *testing.B) { benchParse(b, synthSnapshot(10_000), "arxiv-snapshot") }

// BenchmarkParseReader: streaming, with Emit, as the CLI ingests.
func BenchmarkParseReader(b *testing.B) {
	for _, f := range []struct {
		name string
		data []byte
	}{{"jsonl", synthJSONL(10_000)}, {"arxiv-snapshot", synthSnapshot(10_000)}} {
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(f.data)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				_, err := ParseReader(context.Background(), bytes.NewReader(f.data), Options{Emit: func(ps []Record) error { n += len(ps); return nil }})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "papers/s")
		})
	}
}
func BenchmarkParseAuto(b *testing.B) { benchParse(b, synthJSONL(10_000), "") }

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
