package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"hash/fnv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/papersift/papersift/internal/latex"
	"github.com/papersift/papersift/paper"
)

// The fuzz targets: one per parser, and auto detection. Run each briefly:
//
//	go test ./ingest -run XXX -fuzz FuzzHFPage -fuzztime 10s
//
// (and FuzzHFJSON, FuzzAtom, FuzzArxivRSS, FuzzJSONL, FuzzCSV, FuzzSnapshot,
// FuzzAuto, FuzzSourceName, FuzzSnapshotScan, FuzzParseReader). None may
// panic or hang; what they accept must be well-formed papers.

// addSeeds adds the fixtures and a few small inputs to a fuzz corpus.
func addSeeds(f *testing.F, files ...string) {
	f.Helper()
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", " ", "\n\n", "[", "{", "<", "title,abstract\n", "\xef\xbb\xbf", "\x00", "\xff"} {
		f.Add([]byte(s))
	}
}

// checkListing fails on a result no parser may give.
func checkListing(t *testing.T, data []byte, l *Listing, err error) {
	t.Helper()
	if err != nil {
		var ie *InternalError
		if errors.As(err, &ie) {
			t.Fatalf("%v\n%s", ie, ie.Stack)
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Source != "fuzz" || pe.Line < 0 {
			t.Fatalf("error %v is not a *ParseError naming the source", err)
		}
		if !utf8.ValidString(pe.Msg) {
			t.Fatalf("error message is not UTF-8: %q", pe.Msg)
		}
		return
	}
	if len(l.Papers) == 0 {
		t.Fatal("a listing without papers was accepted")
	}
	lines := strings.Count(string(data), "\n") + 1
	for _, p := range l.Papers {
		if p.ID == "" || p.Title == "" || p.Abstract == "" {
			t.Fatalf("paper without id, title or abstract: %+v", p)
		}
		if p.Title != clean(p.Title) || p.Abstract != clean(p.Abstract) || p.ID != strings.TrimSpace(p.ID) {
			t.Fatalf("white space left in %+v", p)
		}
		if p.DerivedID && p.ID != paper.TitleID(p.Title) {
			t.Fatalf("derived id %q is not the title's", p.ID)
		}
		if p.Line < 1 || p.Line > lines {
			t.Fatalf("line %d outside the %d lines of the input", p.Line, lines)
		}
		if !utf8.ValidString(p.Title) || !utf8.ValidString(p.Abstract) {
			t.Fatalf("invalid UTF-8 in %+v", p)
		}
		if p.Date != "" && len(p.Date) != 10 {
			t.Fatalf("date %q", p.Date)
		}
	}
	for _, s := range l.Skipped {
		if s.Line < 1 || s.Line > lines || s.Reason == "" {
			t.Fatalf("skip %+v", s)
		}
	}
}

func fuzzFormat(f *testing.F, format string, seeds ...string) {
	addSeeds(f, seeds...)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseBytes(data, Options{Source: "fuzz", Format: format})
		checkListing(t, data, l, err)
	})
}

func FuzzHFPage(f *testing.F) {
	page := "Daily Papers\n\nJan 7\n\nA Title\n\nAn abstract. Two sentences.\n\n  • 3 authors\n·\nJan 6, 2026 4\n\nacme Acme\n·\nFeb 30, 2025\n"
	f.Add([]byte(page))
	if b, err := os.ReadFile(seedPage); err == nil {
		f.Add(b[:min(len(b), 6000)])
	}
	fuzzFormat(f, "hf-page")
}

func FuzzHFJSON(f *testing.F) { fuzzFormat(f, "hf-json", "hf-2024.json", "hf-2026.json") }
func FuzzAtom(f *testing.F)   { fuzzFormat(f, "arxiv", "feed.atom.xml") }
func FuzzArxivRSS(f *testing.F) {
	fuzzFormat(f, "arxiv-rss", "arxiv-rss.xml", "arxiv-announce.atom.xml", "arxiv-rss-empty.xml")
}
func FuzzJSONL(f *testing.F) { fuzzFormat(f, "jsonl", "papers.jsonl", "papers.json") }
func FuzzCSV(f *testing.F)   { fuzzFormat(f, "csv", "sheet.csv") }
func FuzzSnapshot(f *testing.F) {
	fuzzFormat(f, "arxiv-snapshot", "arxiv-snapshot.jsonl", "arxiv-snapshot-bad.jsonl")
}

// FuzzSnapshotScan: a line the snapshot's scanner takes is valid JSON, and
// the scanner reads it as the JSON decoder, the reference, does.
func FuzzSnapshotScan(f *testing.F) {
	for _, l := range bytes.Split(readFixture(f, "arxiv-snapshot.jsonl"), []byte("\n")) {
		f.Add(l)
	}
	for _, s := range []string{`{}`, `{"id":"1","ID":"2"}`, `{"title":"a\u00a0 b\n","abstract":"  x \t y\u2028"}`,
		`{"abstract":"a","abstract":null}`, `{"versions":[{"created":"Mon, 2 Apr 2007 19:18:42 GMT"},{"created":"x"}],"versions":[]}`,
		`{"authors_parsed":[["L","F","S","x"],[],["  ","\u00e9"]],"title":"T \\'e","abstract":"A"}`, `{"title":"\ud83d\ude00","abstract":"a"}`,
		`{"x":[1,-0.5e+3,true,false,null,{"a":[]}],"title":"t","abstract":"a  b"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || badTextAt(line) >= 0 || bytes.IndexByte(line, '\n') >= 0 {
			return // what the line checks refuse before
		}
		var fast snapshotFields
		var scratch []byte
		if !scanSnapshot(line, &fast, &scratch) {
			return
		}
		if !json.Valid(line) {
			t.Fatalf("the scanner takes invalid JSON %q", line)
		}
		ref, err := decodeSnapshot(line)
		if err != nil {
			t.Fatalf("the scanner takes %q, the decoder refuses it: %v", line, err)
		}
		day := func(f snapshotFields) string {
			if d := versionDay(f.created); d != "" {
				return d
			}
			return isoDate(f.updateDate)
		}
		if day(fast) != day(ref) || fast.categories != ref.categories {
			t.Fatalf("%q: day %q, categories %q; the decoder: %q, %q", line, day(fast), fast.categories, day(ref), ref.categories)
		}
		pf, rf := fast.paper(1, day(fast))
		pr, rr := ref.paper(1, day(ref))
		if !reflect.DeepEqual(pf, pr) || rf != rr {
			t.Fatalf("%q:\n scanner %+v %q\n decoder %+v %q", line, pf.Paper, rf, pr.Paper, rr)
		}
	})
}

// FuzzParseReader: ParseReader, in chunks of a few bytes read a few bytes
// at a time, gives what ParseBytes gives.
func FuzzParseReader(f *testing.F) {
	for _, name := range []string{"papers.jsonl", "sheet.csv", "arxiv-snapshot-bad.jsonl", "hf-2024.json"} {
		b := readFixture(f, name)
		f.Add(b[:min(len(b), 3000)])
	}
	f.Add([]byte("{\"title\":\"t\",\"abstract\":\"a\"}\n{\"title\": \n"))
	f.Add([]byte("title,abstract\nT,\"A\nB\"\nU,\xe2\x82\n"))
	// small chunks, for every input of this run: set once, never while a
	// parse of an earlier input may still be reading
	old := chunkBytes
	chunkBytes = 16
	f.Cleanup(func() { chunkBytes = old })
	f.Fuzz(func(t *testing.T, data []byte) {
		want := parseAll(data, Options{Source: "fuzz"}, nil)
		// a reader's goroutine may outlive a parse that fails: it reads a
		// copy, not the engine's buffer, which the next input overwrites
		data = bytes.Clone(data)
		got := parseAll(data, Options{Source: "fuzz"}, iotest.HalfReader(bytes.NewReader(data)))
		if got.err != "" && want.err != "" {
			// both refuse the input; with chunks of 16 bytes, the reader
			// may see less of a short source's start than ParseBytes and
			// say why in other words
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseReader gives %s\nParseBytes %s", brief(got), brief(want))
		}
	})
}
func FuzzAuto(f *testing.F) {
	fuzzFormat(f, "auto", "hf-2024.json", "feed.atom.xml", "arxiv-rss.xml", "arxiv-announce.atom.xml", "papers.jsonl", "papers.json", "sheet.csv")
}

// FuzzClean: clean is strings.Fields joined by spaces, faster.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", " a  b ", "a\u00a0b", "\xff \xfe", "x\u2028\u0085y", "\t\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := clean(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("clean(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzDecodeLaTeX: decodeLaTeX is latex.Decode (for the UTF-8 text the
// line checks let through).
func FuzzDecodeLaTeX(f *testing.F) {
	for _, s := range []string{"Bal\\'azs", "Søren  Ødegård", "a--b", "O'Neil", "e\u0301", "{\\\"o}", "x $a_1$  y", "``q''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		if got, want := decodeLaTeX(s), latex.Decode(s); got != want {
			t.Fatalf("decodeLaTeX(%q) = %q, latex.Decode %q", s, got, want)
		}
	})
}

// FuzzTitleHash: titleHash is the FNV-1a hash of paper.TitleKey.
func FuzzTitleHash(f *testing.F) {
	for _, s := range []string{"", "Hello, World!", "  Ünïcode — 2 ", "\xff\xfeA", "ΣΑΣ Straße İ", "a\u0301b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := fnv.New64a()
		h.Write([]byte(paper.TitleKey(s)))
		if got, want := titleHash(s), h.Sum64(); got != want {
			t.Fatalf("titleHash(%q) = %x, want %x (key %q)", s, got, want, paper.TitleKey(s))
		}
	})
}

// FuzzSourceName: a source name is read or refused as a bad source, and
// what is read asks for a past day or well-formed categories.
func FuzzSourceName(f *testing.F) {
	for _, s := range []string{"hf:today", "hf:yesterday", "hf:2026-08-21", "hf:2026-08-22", "arxiv:cs.CL,cs.LG", "arxiv:CS.cl+hep-th",
		"arxiv:", "arxiv:,", "foo:bar", "hf:", ":", "", "hf:2026-02-30", "arxiv:cond-mat.str-el"} {
		f.Add(s)
	}
	now := time.Date(2026, 8, 21, 23, 30, 0, 0, time.FixedZone("UTC-8", -8*3600))
	f.Fuzz(func(t *testing.T, name string) {
		n, err := parseName(name, now)
		if err != nil {
			var se *SourceError
			if !errors.As(err, &se) || !errors.Is(err, ErrBadSource) || !utf8.ValidString(se.Msg) {
				t.Fatalf("error %#v is not a bad source with a readable message", err)
			}
			return
		}
		if !IsNamed(name) {
			t.Fatalf("%q was read but IsNamed says it is no name", name)
		}
		switch n.kind {
		case "hf":
			if _, err := time.Parse("2006-01-02", n.day); err != nil || n.day > "2026-08-22" || len(n.cats) != 0 {
				t.Fatalf("%q: %+v", name, n)
			}
		case "arxiv":
			seen := map[string]bool{}
			if len(n.cats) == 0 || len(n.cats) > maxCategories || n.day != "" {
				t.Fatalf("%q: %+v", name, n)
			}
			for _, c := range n.cats {
				if !arxivCategory.MatchString(c) || seen[c] {
					t.Fatalf("%q: category %q", name, c)
				}
				seen[c] = true
			}
		default:
			t.Fatalf("%q: kind %q", name, n.kind)
		}
	})
}
