package refs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/papersift/papersift/paper"
)

// The fuzz targets: one per parser, detection, and the two writers. Run
// each briefly:
//
//	go test ./refs -run XXX -fuzz '^FuzzBibTeX$' -fuzztime 10s
//
// (and FuzzParse, FuzzRIS, FuzzCSV, FuzzList, FuzzProfile,
// FuzzBibTeXWrite). None may panic or hang; what the parsers accept must be
// well-formed entries, and what the writers write must read back.

func addSeeds(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if info, err := os.Stat(name); err != nil || info.IsDir() {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", " ", "\n", "@", "@a{", "@a{k,", "@a{k, t = {", "@a{k, t = \"", "@string{x = x # x}", "@comment{",
		"TY  - ", "TY  - JOUR\n", "ER  - ", "Title,DOI\n\"", "{", "[", `{"papersift_profile": 1, "likes": [{}]}`, "\xef\xbb\xbf", "\x00", "\xff", "#", "10.1/x"} {
		f.Add([]byte(s))
	}
}

// checkFile fails on a result no parser may give.
func checkFile(t *testing.T, data []byte, file *File, err error) {
	t.Helper()
	lines := bytes.Count(data, []byte("\n")) + 1
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Source != "fuzz" || pe.Line < 0 || pe.Line > lines {
			t.Fatalf("error %v is not a *ParseError naming the source and a line of it", err)
		}
		if !utf8.ValidString(pe.Msg) || pe.Msg == "" {
			t.Fatalf("error message %q", pe.Msg)
		}
		if file != nil {
			t.Fatal("a file with an error")
		}
		return
	}
	if file.Format != FormatProfile && len(file.Entries)+len(file.Skipped) == 0 {
		t.Fatal("a file without entries was accepted")
	}
	for _, e := range file.Entries {
		if !e.Identified() {
			t.Fatalf("entry without identity: %+v", e)
		}
		if e.Line < 1 || e.Line > lines {
			t.Fatalf("line %d outside the %d lines of the input", e.Line, lines)
		}
		if e.ArxivID != "" && paper.ArxivID(e.ArxivID) != e.ArxivID {
			t.Fatalf("arXiv id %q", e.ArxivID)
		}
		if e.DOI != "" && NormalizeDOI(e.DOI) != e.DOI {
			t.Fatalf("DOI %q", e.DOI)
		}
		if e.Date != "" && (len(e.Date) != 10 || e.Date[:4] != e.Year) {
			t.Fatalf("date %q, year %q", e.Date, e.Year)
		}
		for _, s := range append([]string{e.Title, e.Abstract, e.Key, e.URL}, e.Authors...) {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %+v", e)
			}
		}
		if file.Format != FormatProfile {
			for _, s := range append([]string{e.Title, e.Abstract}, e.Authors...) {
				if s != collapse(s) {
					t.Fatalf("white space left in %q", s)
				}
			}
			for _, a := range e.Authors {
				if a == "" {
					t.Fatalf("empty author in %+v", e)
				}
			}
		}
	}
	for _, s := range file.Skipped {
		if s.Line < 1 || s.Line > lines || s.Reason == "" {
			t.Fatalf("skip %+v", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "fuzz")
		checkFile(t, data, file, err)
		if err == nil && file.Format != Detect(data) {
			t.Fatalf("format %s, detected %s", file.Format, Detect(data))
		}
	})
}

func FuzzBibTeX(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseBibTeX(data, "fuzz")
		checkFile(t, data, file, err)
	})
}

func FuzzRIS(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseRIS(data, "fuzz")
		checkFile(t, data, file, err)
	})
}

func FuzzCSV(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseCSV(data, "fuzz")
		checkFile(t, data, file, err)
	})
}

func FuzzList(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseList(data, "fuzz")
		checkFile(t, data, file, err)
	})
}

// FuzzProfile: a profile that parses is written and parsed back the same.
func FuzzProfile(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(data, "fuzz")
		if err != nil {
			checkFile(t, data, nil, err)
			return
		}
		checkFile(t, data, p.File("fuzz"), nil)
		var buf bytes.Buffer
		if err := WriteProfile(&buf, *p); err != nil {
			t.Fatal(err)
		}
		back, err := ParseProfile(buf.Bytes(), "fuzz")
		if err != nil {
			t.Fatalf("written profile does not parse: %v\n%s", err, buf.Bytes())
		}
		for _, l := range [][2][]Entry{{p.Likes, back.Likes}, {p.Dislikes, back.Dislikes}, {p.Read, back.Read}} {
			if !reflect.DeepEqual(comparable(l[0]), comparable(l[1])) {
				t.Fatalf("lost in the round trip:\n%+v\n%+v", l[0], l[1])
			}
		}
		if len(p.Interests) != len(back.Interests) {
			t.Fatalf("interests %+v, back %+v", p.Interests, back.Interests)
		}
		for i := range p.Interests {
			if p.Interests[i].Text != back.Interests[i].Text || p.Interests[i].At != back.Interests[i].At {
				t.Fatalf("interest %+v back as %+v", p.Interests[i], back.Interests[i])
			}
		}
	})
}

// FuzzBibTeXWrite: whatever the title, names and abstract, WriteBibTeX
// writes BibTeX that ParseBibTeX reads back with the same text.
func FuzzBibTeXWrite(f *testing.F) {
	f.Add("Attention Is All You Need", "Ashish Vaswani", "Noam Shazeer", "We propose the Transformer.", "1706.03762")
	f.Add("50% {of} $x$ -- ``q''", "Barnes and Noble", "King, Jr., Martin", "a\\b ~ ^ # & _", "")
	f.Add("$a\\$", "$x$ y", "others", "@misc{x,", "hep-th/9711200")
	f.Fuzz(func(t *testing.T, title, author1, author2, abstract, arxiv string) {
		for _, s := range []string{title, author1, author2, abstract} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				return
			}
		}
		in := Entry{Title: title, Authors: []string{author1, author2}, Abstract: abstract, ArxivID: paper.ArxivID(arxiv), Year: "2020"}
		var buf bytes.Buffer
		if err := WriteBibTeX(&buf, []Entry{in, in}); err != nil {
			t.Fatal(err)
		}
		file, err := ParseBibTeX(buf.Bytes(), "fuzz")
		if err != nil {
			t.Fatalf("written BibTeX does not parse: %v\n%s", err, buf.Bytes())
		}
		if len(file.Entries)+len(file.Skipped) != 2 {
			t.Fatalf("%d entries and %d skipped back from\n%s", len(file.Entries), len(file.Skipped), buf.Bytes())
		}
		norm1 := func(s string) string { return collapse(norm.NFC.String(s)) }
		var authors []string
		for _, a := range in.Authors {
			if a = norm1(a); a != "" {
				authors = append(authors, a)
			}
		}
		for _, e := range file.Entries {
			if e.Title != norm1(title) || e.Abstract != norm1(abstract) || e.ArxivID != in.ArxivID || !reflect.DeepEqual(e.Authors, authors) {
				t.Fatalf("back as %q %q %q %q, want %q %q %q %q\n%s", e.Title, e.Authors, e.Abstract, e.ArxivID, norm1(title), authors, norm1(abstract), in.ArxivID, buf.Bytes())
			}
		}
		if len(file.Entries) == 2 && file.Entries[0].Key == file.Entries[1].Key {
			t.Fatalf("two entries with key %q", file.Entries[0].Key)
		}
	})
}
