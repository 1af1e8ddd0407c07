package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/papersift/papersift/paper"
)

// The fuzz targets: one per parser, and auto detection. Run each briefly:
//
//	go test ./ingest -run XXX -fuzz FuzzHFPage -fuzztime 10s
//
// (and FuzzHFJSON, FuzzAtom, FuzzArxivRSS, FuzzJSONL, FuzzCSV, FuzzAuto,
// FuzzSourceName). None may
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
