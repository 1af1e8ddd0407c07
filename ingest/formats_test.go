package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/papersift/papersift/paper"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseFixture(t *testing.T, name, format string) *Listing {
	t.Helper()
	l, err := ParseBytes(readFixture(t, name), Options{Source: name, Format: format})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return l
}

func ip(n int) *int { return &n }

// want is what a test checks of a paper; zero fields are not checked
// except the ones always checked (ID, Title, Abstract).
type want struct {
	ID, ArxivID, Title, Abstract, Date, Org, URL, Category string
	Authors                                                []string
	NAuthors, Comments, Upvotes                            *int
	Links                                                  []string
	Derived                                                bool
	Line                                                   int
}

func checkPaper(t *testing.T, got Record, w want) {
	t.Helper()
	if got.ID != w.ID || got.Title != w.Title || got.Abstract != w.Abstract || got.DerivedID != w.Derived {
		t.Errorf("paper:\n got id=%q derived=%v title=%q abstract=%q\nwant id=%q derived=%v title=%q abstract=%q",
			got.ID, got.DerivedID, got.Title, got.Abstract, w.ID, w.Derived, w.Title, w.Abstract)
	}
	str := func(field, g, w string) {
		if w != "" && g != w {
			t.Errorf("%s %s = %q, want %q", got.ID, field, g, w)
		}
	}
	str("arxiv id", got.ArxivID, w.ArxivID)
	str("date", got.Date, w.Date)
	str("org", got.Org, w.Org)
	str("url", got.URL, w.URL)
	str("category", got.Category, w.Category)
	if w.Authors != nil && !reflect.DeepEqual(got.Authors, w.Authors) {
		t.Errorf("%s authors = %q, want %q", got.ID, got.Authors, w.Authors)
	}
	if w.Links != nil && (len(got.Links) != len(w.Links) || len(w.Links) > 0 && !reflect.DeepEqual(got.Links, w.Links)) {
		t.Errorf("%s links = %q, want %q", got.ID, got.Links, w.Links)
	}
	num := func(field string, g, w *int) {
		if w != nil && (g == nil || *g != *w) {
			t.Errorf("%s %s = %v, want %d", got.ID, field, deref(g), *w)
		}
	}
	num("n_authors", got.NAuthors, w.NAuthors)
	num("comments", got.Comments, w.Comments)
	num("upvotes", got.Upvotes, w.Upvotes)
	if w.Line != 0 && got.Line != w.Line {
		t.Errorf("%s line = %d, want %d", got.ID, got.Line, w.Line)
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestFormats(t *testing.T) {
	tests := []struct {
		file, format string // format "" detects it
		wantFormat   string
		date         string
		papers       []want
		skipped      []string // each skip's reason contains this
	}{
		{
			file: "hf-2024.json", wantFormat: "hf-json", date: "2024-05-27",
			papers: []want{
				{ID: "2405.00001", ArxivID: "2405.00001", Title: "A Synthetic Paper on Hierarchical Encoders",
					Abstract: "We study hierarchical encoders for large multimodal models. Results show gains on seven benchmarks.",
					Authors:  []string{"Ann Author", "Ben Writer"}, NAuthors: ip(2), Date: "2024-05-24", Comments: ip(3), Upvotes: ip(32),
					URL: "https://arxiv.org/abs/2405.00001", Line: 1},
				{ID: "2405.00002", ArxivID: "2405.00002", Title: "Tiny Models, Long Contexts",
					Abstract: "Small models can read long inputs when trained with a curriculum.", Comments: ip(0), Upvotes: ip(5), Line: 2},
			},
			skipped: []string{"item 3 (2405.00003) has no paper.summary"},
		},
		{
			file: "hf-2026.json", wantFormat: "hf-json", date: "2026-08-17",
			papers: []want{
				{ID: "2608.00001", Title: "Agents That Build Worlds",
					Abstract: "Constructing interactive worlds from a query is hard. We propose a framework and a benchmark.",
					Authors:  []string{"Dana Data", "Eli Edge", "Fay Field"}, Org: "Tencent", Date: "2026-08-14", Comments: ip(1), Upvotes: ip(39),
					Links: []string{"https://example.org/worlds", "https://github.com/example/worlds"}, Line: 2},
				{ID: "2608.00002", Title: "Graphs All the Way Down", Abstract: "We show that graphs help.", Date: "2026-08-12", Links: []string{}, Line: 33},
			},
		},
		{
			file: "feed.atom.xml", wantFormat: "arxiv", date: "2024-05-20",
			papers: []want{
				{ID: "2405.12345", ArxivID: "2405.12345", Title: "Learning to Sift Papers & Abstracts",
					Abstract: "We learn to sift papers. Abstracts are embedded and clustered.",
					Authors:  []string{"Ada Lovelace", "Charles Babbage"}, Date: "2024-05-20", Category: "cs.IR",
					URL: "https://arxiv.org/abs/2405.12345", Links: []string{"http://arxiv.org/pdf/2405.12345v2", "http://dx.doi.org/10.0000/example"}, Line: 10},
				{ID: "cond-mat/0102536", ArxivID: "cond-mat/0102536", Title: "An Old-Style Identifier",
					Abstract: "Papers before 2007 have archive/number ids.", Category: "cond-mat.str-el", Date: "2001-02-28",
					URL: "https://arxiv.org/abs/cond-mat/0102536", Line: 35},
			},
			skipped: []string{"entry 3 (http://arxiv.org/abs/2406.00001v1) has no summary"},
		},
		{
			file: "sheet.csv", wantFormat: "csv",
			papers: []want{
				{ID: "2405.11111", Title: `Commas, Quotes and "Spreadsheets"`,
					Abstract: "First line of the abstract, second line after a break. A second paragraph.",
					Authors:  []string{"Ann Author", "Ben Writer"}, Date: "2024-05-20", URL: "https://arxiv.org/abs/2405.11111", Line: 2},
				{ID: paper.TitleID("Plain Title"), Derived: true, Title: "Plain Title", Abstract: "A plain abstract.", Authors: []string{"Solo Author"}, Line: 6},
			},
			skipped: []string{"row 3 (x-3) has no abstract"},
		},
		{
			file: "papers.jsonl", wantFormat: "jsonl",
			papers: []want{
				{ID: "2405.22222", ArxivID: "2405.22222", Title: "JSON Lines Paper One", Abstract: "The first abstract.",
					Authors: []string{"Ann Author", "Ben Writer"}, Date: "2024-05-20", Category: "cs.LG", Line: 1},
				{ID: "42", Title: "A Numeric Id", Abstract: "Ids may be numbers.", Authors: []string{"Cy Coder", "Dee Dev"}, Line: 3},
				{ID: paper.TitleID("No Id Here"), Derived: true, Title: "No Id Here", Abstract: "This record gets an id from its title.",
					Authors: []string{"Eve Example"}, URL: "https://example.org/p", Line: 4},
			},
			skipped: []string{"line 5 (skip-me) has no abstract"},
		},
		{
			file: "papers.json", wantFormat: "jsonl",
			papers: []want{
				{ID: "s1", Title: "Array Paper One", Abstract: "An abstract in an array.", Authors: []string{"A One"}, Line: 2},
				{ID: "s2", Title: "Array Paper Two", Abstract: "The summary field works too.", Date: "2024-01-02", Line: 3},
			},
		},
		{
			// the format named explicitly gives the same result
			file: "feed.atom.xml", format: "arxiv", wantFormat: "arxiv", date: "2024-05-20",
			papers: []want{
				{ID: "2405.12345", Title: "Learning to Sift Papers & Abstracts", Abstract: "We learn to sift papers. Abstracts are embedded and clustered."},
				{ID: "cond-mat/0102536", Title: "An Old-Style Identifier", Abstract: "Papers before 2007 have archive/number ids."},
			},
			skipped: []string{"has no summary"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.format, func(t *testing.T) {
			l := parseFixture(t, tt.file, tt.format)
			if l.Format != tt.wantFormat || l.Date != tt.date || l.Source != tt.file {
				t.Errorf("format %q date %q source %q, want %q %q %q", l.Format, l.Date, l.Source, tt.wantFormat, tt.date, tt.file)
			}
			if len(l.Papers) != len(tt.papers) {
				t.Fatalf("%d papers, want %d: %+v", len(l.Papers), len(tt.papers), l.Papers)
			}
			for i, w := range tt.papers {
				checkPaper(t, l.Papers[i], w)
			}
			if len(l.Skipped) != len(tt.skipped) {
				t.Fatalf("skipped %+v, want %q", l.Skipped, tt.skipped)
			}
			for i, s := range tt.skipped {
				if !strings.Contains(l.Skipped[i].Reason, s) || l.Skipped[i].Line < 1 {
					t.Errorf("skip %d = %+v, want it to say %q and name a line", i, l.Skipped[i], s)
				}
			}
		})
	}
}

func TestAtomPaging(t *testing.T) {
	l := parseFixture(t, "feed.atom.xml", "")
	if l.Paging == nil || *l.Paging != (Paging{Total: 5, Start: 0, PerPage: 3}) {
		t.Fatalf("paging = %+v, want total 5 start 0 per page 3", l.Paging)
	}
}

// TestHFJSONDay: the list day is the URL's ?date= when there is one.
func TestHFJSONDay(t *testing.T) {
	data := readFixture(t, "hf-2026.json")
	tests := []struct{ source, want string }{
		{"hf-2026.json", "2026-08-17"},
		{"https://huggingface.co/api/daily_papers?date=2026-08-20", "2026-08-20"},
		{"https://huggingface.co/api/daily_papers?date=bogus", "2026-08-17"},
		{"https://huggingface.co/api/daily_papers", "2026-08-17"},
	}
	for _, tt := range tests {
		l, err := ParseBytes(data, Options{Source: tt.source})
		if err != nil {
			t.Fatal(err)
		}
		if l.Date != tt.want {
			t.Errorf("%s: day %q, want %q", tt.source, l.Date, tt.want)
		}
	}
}

const seedPage = "../testdata/000_b745d9aefa4b81e4.txt"

// TestHFPageSeed: the seed page's 56 papers and its three entry shapes.
func TestHFPageSeed(t *testing.T) {
	data, err := os.ReadFile(seedPage)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseBytes(data, Options{Source: "seed.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != "hf-page" || len(l.Papers) != 56 || len(l.Skipped) != 0 || l.Date != "2026-01-07" {
		t.Fatalf("format %s, %d papers, %d skipped, day %q; want hf-page, 56, 0, 2026-01-07", l.Format, len(l.Papers), len(l.Skipped), l.Date)
	}
	byTitle := map[string]Record{}
	for _, p := range l.Papers {
		if !p.DerivedID || p.ID != paper.TitleID(p.Title) || p.Line < 1 {
			t.Errorf("%q: id %q derived %v line %d: want a title-derived id and a line", p.Title, p.ID, p.DerivedID, p.Line)
		}
		if _, dup := byTitle[p.Title]; dup {
			t.Errorf("%q twice", p.Title)
		}
		byTitle[p.Title] = p
	}
	tests := []struct {
		title                       string
		nAuthors, comments          *int
		org, date, abstractStarting string
	}{
		// "• 8 authors", "·", "Aug 25, 2025"
		{title: "Disentangling the Factors of Convergence between Brains and Computer Vision Models", nAuthors: ip(8), date: "2025-08-25",
			abstractStarting: "Many AI models trained on natural images develop representations"},
		// the organisation line "openbmb OpenBMB", "·", "Sep 4, 2024 2"
		{title: "Configurable Foundation Models: Building LLMs from a Modular Perspective", org: "OpenBMB", date: "2024-09-04", comments: ip(2),
			abstractStarting: "Advancements in LLMs have recently unveiled challenges"},
		// no metadata lines at all
		{title: "Brain-IT: Image Reconstruction from fMRI via Brain-Interaction Transformer",
			abstractStarting: "Reconstructing images seen by people from their fMRI brain recordings"},
	}
	for _, tt := range tests {
		p, ok := byTitle[tt.title]
		if !ok {
			t.Errorf("%q is missing", tt.title)
			continue
		}
		if !strings.HasPrefix(p.Abstract, tt.abstractStarting) {
			t.Errorf("%q abstract = %.80q...", tt.title, p.Abstract)
		}
		if !reflect.DeepEqual(p.NAuthors, tt.nAuthors) || !reflect.DeepEqual(p.Comments, tt.comments) || p.Org != tt.org || p.Date != tt.date {
			t.Errorf("%q: authors %v comments %v org %q date %q; want %v %v %q %q", tt.title,
				deref(p.NAuthors), deref(p.Comments), p.Org, p.Date, deref(tt.nAuthors), deref(tt.comments), tt.org, tt.date)
		}
	}
}

func TestHFPageSmall(t *testing.T) {
	page := "Daily Papers\n\nMar 3\n\nFirst Title\n\nFirst abstract sentence. Second one.\n\n  • 1 author\n·\nMar 2, 2025\n\n" +
		"Orphan Title\n\nSecond Title\n\nSecond abstract.\n\nacme Acme Labs\n·\nMar 3, 2025 5\n"
	l, err := ParseBytes([]byte(page), Options{Source: "p.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Papers) != 2 || l.Date != "2025-03-03" {
		t.Fatalf("%d papers, day %q: %+v", len(l.Papers), l.Date, l.Papers)
	}
	checkPaper(t, l.Papers[0], want{ID: paper.TitleID("First Title"), Derived: true, Title: "First Title", Abstract: "First abstract sentence. Second one.", NAuthors: ip(1), Date: "2025-03-02", Line: 5})
	checkPaper(t, l.Papers[1], want{ID: paper.TitleID("Second Title"), Derived: true, Title: "Second Title", Abstract: "Second abstract.", Org: "Acme Labs", Comments: ip(5), Date: "2025-03-03", Line: 15})
	if len(l.Skipped) != 1 || l.Skipped[0].Line != 13 || !strings.Contains(l.Skipped[0].Reason, `"Orphan Title" has no abstract`) {
		t.Errorf("skipped = %+v, want Orphan Title at line 13", l.Skipped)
	}
}

// TestSharedData reads the real listings in ../shared/data.
func TestSharedData(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real data not here (%v): skipping", err)
	}
	days, _ := filepath.Glob(filepath.Join(dir, "hf-json", "*.json"))
	if len(days) != 6 {
		t.Fatalf("%d hf-json days, want 6", len(days))
	}
	for _, f := range days {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l, err := ParseBytes(data, Options{Source: f})
		if err != nil {
			t.Fatal(err)
		}
		items := strings.Count(string(data), `"paper":{`) + strings.Count(string(data), `"paper": {`)
		day := strings.TrimSuffix(filepath.Base(f), ".json")
		if l.Format != "hf-json" || len(l.Papers) != items || len(l.Skipped) != 0 || l.Date != day {
			t.Errorf("%s: %s, %d papers of %d items, %d skipped, day %q", f, l.Format, len(l.Papers), items, len(l.Skipped), l.Date)
		}
		for _, p := range l.Papers {
			if p.ArxivID == "" || p.ArxivID != p.ID || len(p.Authors) == 0 || p.Date == "" || p.Upvotes == nil || p.Comments == nil {
				t.Errorf("%s: %s lacks metadata: %+v", f, p.ID, p)
			}
		}
	}
	atom, _ := filepath.Glob(filepath.Join(dir, "arxiv-atom", "*.xml"))
	for _, f := range atom {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l, err := ParseBytes(data, Options{Source: f})
		if err != nil {
			t.Fatal(err)
		}
		if l.Format != "arxiv" || len(l.Papers) != 10 || l.Paging == nil || l.Paging.Total != 152356 || l.Date != "2019-10-29" {
			t.Errorf("%s: %s, %d papers, paging %+v, day %q", f, l.Format, len(l.Papers), l.Paging, l.Date)
		}
		for _, p := range l.Papers {
			if p.ArxivID == "" || p.Category == "" || len(p.Authors) == 0 || strings.Contains(p.Abstract, "\n") {
				t.Errorf("%s: %+v", f, p)
			}
		}
	}
}

func TestClean(t *testing.T) {
	for _, s := range []string{"", "a", "a b", " a", "a ", "a  b", "a\nb", "a\tb", "a\u00a0b", "é  ü", "x\u2028y", "ab\r\n", "日本語 テキスト"} {
		want := strings.Join(strings.Fields(s), " ")
		if got := clean(s); got != want {
			t.Errorf("clean(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		data    string
		hint    Hint
		want    string
		wantErr string
	}{
		{data: `[{"paper":{"id":"1"}}]`, want: "hf-json"},
		{data: `[{"title":"t","abstract":"a"}]`, want: "jsonl"},
		{data: "{\"title\":\"t\"}\n", want: "jsonl"},
		{data: "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>", want: "arxiv"},
		{data: "title;abstract\nT;A\n", want: "csv"},
		{data: "Title\tAbstract\nT\tA\n", want: "csv"},
		{data: "Daily Papers\n\nJan 7\n", want: "hf-page"},
		{data: "just some words\n", hint: Hint{Name: "x.csv"}, want: "csv"},
		{data: "just some words\n", hint: Hint{Name: "https://example.org/x.jsonl?a=b"}, want: "jsonl"},
		{data: "just some words\n", hint: Hint{ContentType: "text/csv; charset=utf-8"}, want: "csv"},
		{data: "just some words\n", wantErr: "cannot tell the format"},
		{data: "<!DOCTYPE html><html><body>hi</body></html>", wantErr: "an HTML page"},
		{data: "<rss version=\"2.0\"></rss>", wantErr: "RSS"},
		{data: "<note>x</note>", wantErr: "not an Atom feed"},
		{data: "[1, 2]", wantErr: "array of numbers"},
		{data: "[]", wantErr: "empty JSON array"},
		{data: "[{", want: "jsonl"}, // the parser says where it breaks
	}
	for _, tt := range tests {
		got, err := Detect([]byte(tt.data), tt.hint)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Detect(%.30q) = %q, %v; want error %q", tt.data, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Detect(%.30q) = %q, %v; want %q", tt.data, got, err, tt.want)
		}
	}
}

// TestBadInput: what is not a listing fails with the source and a line.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name, data, format string
		line               int
		msg                string
	}{
		{name: "empty", data: "", line: 1, msg: "empty"},
		{name: "white space", data: " \n\t\n  \n", line: 4, msg: "only white space"},
		{name: "BOM only", data: "\xef\xbb\xbf", line: 1, msg: "empty"},
		{name: "invalid UTF-8", data: "{\"title\": \"ok\"}\n{\"title\": \"\xff\xfe\"}\n", line: 2, msg: "invalid UTF-8 at byte 27"},
		{name: "NUL", data: "title,abstract\nA,B\x00\n", line: 2, msg: "NUL byte"},
		{name: "UTF-16", data: "\xff\xfet\x00i\x00", line: 1, msg: "UTF-16"},
		{name: "binary", data: "\x7fELF\x02\x01\x01 garbage", line: 1, msg: "cannot tell the format"},
		{name: "truncated JSON array", data: "[\n{\"paper\": {\"id\": \"1\", \"title\": \"t\",\n", line: 3, msg: "ends early"},
		{name: "truncated JSON", data: "[{", line: 1, msg: "ends early"},
		{name: "truncated JSON Lines", data: "{\"title\": \"t\", \"abstract\": \"a\"}\n{\"title\": \"u\", \"abs", line: 2, msg: "invalid JSON"},
		{name: "one JSON object", data: "{\n  \"papers\": []\n}\n", line: 1, msg: "one JSON object, not a listing"},
		{name: "JSON of the wrong shape", data: `[{"foo": 1}, {"bar": 2}]`, line: 1, msg: "no usable papers"},
		{name: "hf-json of the wrong shape", data: `[{"paper": "no"}]`, line: 1, msg: "not a daily_papers item"},
		{name: "JSON strings", data: `["a", "b"]`, line: 1, msg: "array of strings"},
		{name: "deeply nested JSON", data: strings.Repeat("[", 100000) + strings.Repeat("]", 100000), line: 1, msg: "exceeded max depth"},
		{name: "deeply nested JSON Lines", data: strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000), line: 1, msg: "exceeded max depth"},
		{name: "XML not Atom", data: "<?xml version=\"1.0\"?>\n<feed><entry/></feed>", format: "arxiv", line: 2, msg: "not an Atom <feed>"},
		{name: "JSON read as Atom", data: "\n[{\"title\": \"t\"}]", format: "arxiv", line: 1, msg: "not XML"},
		{name: "XML truncated", data: "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<entry><title>x", line: 3, msg: "XML"},
		{name: "Atom with no entries", data: "<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>", msg: "no papers"},
		{name: "arXiv API error", data: "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<entry><id>http://arxiv.org/api/errors#bad</id><title>Error</title><summary>incorrect id format for 1234</summary></entry></feed>", line: 2, msg: "incorrect id format"},
		{name: "CSV missing column", data: "id,title,authors\n1,T,A\n", format: "csv", line: 1, msg: "no abstract column"},
		{name: "CSV ragged rows", data: "id,title,abstract\n1,T,A\n2,U\n", line: 3, msg: "another number of fields"},
		{name: "CSV bare quote", data: "id,title,abstract\n1,T \"x\" y,A\n", line: 2, msg: "quote"},
		{name: "CSV unclosed quote", data: "id,title,abstract\n1,\"T,A\n", line: 2, msg: "quote"},
		{name: "HTML page", data: "<!doctype html>\n<html><head><title>Daily Papers</title></head></html>", line: 1, msg: "HTML page"},
		{name: "page with no entries", data: "Daily Papers\n\nJan 7\n\nlonely words\n", format: "hf-page", line: 1, msg: "no paper entries"},
		{name: "every record skipped", data: "{\"id\": \"a\", \"title\": \"T\"}\n{\"id\": \"b\", \"abstract\": \"A\"}\n", line: 1, msg: "no usable papers"},
		{name: "jsonl field of the wrong type", data: "{\"title\": \"T\", \"abstract\": 7}\n", line: 1, msg: `field "abstract" is a JSON number, not a string`},
		{name: "jsonl not objects", data: "{\"title\": \"T\", \"abstract\": \"A\"}\n[1]\n", line: 2, msg: "expected a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseBytes([]byte(tt.data), Options{Source: "bad.src", Format: tt.format})
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, %v; want a *ParseError", l, err)
			}
			if pe.Source != "bad.src" || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("error %q (line %d); want line %d and %q", err, pe.Line, tt.line, tt.msg)
			}
		})
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := ParseBytes([]byte("x"), Options{Format: "yaml"}); err == nil || !strings.Contains(err.Error(), "hf-json") {
		t.Errorf("unknown format: %v", err)
	}
}

// TestLongLine: a line over MaxRecordBytes fails at once, naming it.
func TestLongLine(t *testing.T) {
	big := `{"title": "` + strings.Repeat("a", MaxRecordBytes) + `", "abstract": "x"}`
	_, err := ParseBytes([]byte("{\"title\":\"t\",\"abstract\":\"a\"}\n"+big+"\n"), Options{Source: "big.jsonl"})
	if err == nil || !strings.Contains(err.Error(), "big.jsonl:2: a line longer than 10 MB") {
		t.Errorf("got %v", err)
	}
	_, err = ParseBytes([]byte("id,title,abstract\n1,t,"+strings.Repeat("b", MaxRecordBytes+1)+"\n"), Options{Source: "big.csv"})
	if err == nil || !strings.Contains(err.Error(), "big.csv:2: a row larger than 10 MB") {
		t.Errorf("got %v", err)
	}
}

// TestKeptIntact: right-to-left scripts, emoji, a 1 MB abstract and
// 100,000 authors are read as they are.
func TestKeptIntact(t *testing.T) {
	title := "نموذج لغوي كبير 🚀 للأوراق البحثية 👩‍🔬"
	abstract := strings.Repeat("word ", 200_000) + "end" // about 1 MB
	authors := make([]string, 100_000)
	for i := range authors {
		authors[i] = "Author " + strings.Repeat("x", i%7)
	}
	var b strings.Builder
	b.WriteString(`{"id": "rtl-1", "title": "` + title + `", "abstract": "` + abstract + `", "authors": [`)
	for i, a := range authors {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"` + a + `"`)
	}
	b.WriteString("]}\n")
	l, err := ParseBytes([]byte(b.String()), Options{Source: "intact.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	p := l.Papers[0]
	if p.Title != title || p.Abstract != abstract || len(p.Authors) != 100_000 || *p.NAuthors != 100_000 || p.Authors[99_999] != authors[99_999] {
		t.Errorf("title %q, abstract %d bytes, %d authors", p.Title, len(p.Abstract), len(p.Authors))
	}
}

// TestCollidingIDs: ids equal once normalised are one paper; a different
// title under the same id is warned about, naming both lines.
func TestCollidingIDs(t *testing.T) {
	data := "{\"id\": \"2405.12345v1\", \"title\": \"Same\", \"abstract\": \"v1\"}\n" +
		"{\"id\": \"arXiv:2405.12345v2\", \"title\": \"Same!\", \"abstract\": \"v2\"}\n" +
		"{\"id\": \" 2405.12345 \", \"title\": \"Another title\", \"abstract\": \"v3\"}\n"
	l, err := ParseBytes([]byte(data), Options{Source: "c.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Papers {
		if p.ID != "2405.12345" {
			t.Errorf("id %q, want 2405.12345", p.ID)
		}
	}
	if len(l.Warnings) != 1 || l.Warnings[0].Line != 3 || !strings.Contains(l.Warnings[0].Msg, "first at line 1") {
		t.Errorf("warnings = %+v, want one for line 3 naming line 1", l.Warnings)
	}
}

// TestHFPageBadMetadata: a metadata line of the page's shape with a year
// that is no year fails, naming its line, instead of passing for text and
// shifting every paper after it; counts no page shows are left out.
func TestHFPageBadMetadata(t *testing.T) {
	page := "Daily Papers\n\nMar 3\n\nFirst Title\n\nFirst abstract.\n\n  • 99999999999999999999999 authors\n·\nMar 2, 2025 88888888888888888888\n\n" +
		"Second Title\n\nSecond abstract.\n\n  • 8 authors\n·\nAug 25, 99999\n\nThird Title\n\nThird abstract.\n\n  • 2 authors\n·\nMar 3, 2025\n"
	_, err := ParseBytes([]byte(page), Options{Source: "p.txt"})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 19 || !strings.Contains(pe.Msg, `"Aug 25, 99999" is not a date`) {
		t.Fatalf("got %v, want line 19: not a date", err)
	}
	page = strings.Replace(page, "Aug 25, 99999", "Aug 25, 2025", 1)
	l, err := ParseBytes([]byte(page), Options{Source: "p.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Papers) != 3 || l.Papers[0].NAuthors != nil || l.Papers[0].Comments != nil || l.Papers[1].Title != "Second Title" {
		t.Fatalf("papers %+v", l.Papers)
	}
}

// A value of the wrong JSON type is said in JSON's words, not Go's.
func TestJSONTypeErrorWords(t *testing.T) {
	data := `[{"paper":[1,2],"title":"x"},{"paper":{"id":"2501.00001","title":"T","summary":"An abstract about things."}}]`
	l, err := ParseBytes([]byte(data), Options{Source: "d.json", Format: "hf-json"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Skipped) != 1 || !strings.Contains(l.Skipped[0].Reason, `field "paper" is an array where an object belongs`) || strings.Contains(l.Skipped[0].Reason, "Go ") {
		t.Fatalf("skipped %+v", l.Skipped)
	}
}
