package ingest

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/papersift/papersift/paper"
)

// TestSnapshot: the 50 papers of the snapshot extract, detected by their
// keys, with every field as a reader wants it.
func TestSnapshot(t *testing.T) {
	data := readFixture(t, "arxiv-snapshot.jsonl")
	if f, err := Detect(data, Hint{Name: "arxiv-metadata-oai-snapshot.json"}); err != nil || f != "arxiv-snapshot" {
		t.Fatalf("Detect = %q, %v", f, err)
	}
	l, err := ParseBytes(data, Options{Source: "snap.json"})
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != "arxiv-snapshot" || len(l.Papers) != 49 || len(l.Skipped) != 1 || l.Skipped[0].Line != 7 ||
		!strings.Contains(l.Skipped[0].Reason, "line 7 (2001.00002) has no abstract") || l.Filtered != 0 || len(l.Warnings) != 0 {
		t.Fatalf("format %s, %d papers, skipped %+v, filtered %d, warnings %+v", l.Format, len(l.Papers), l.Skipped, l.Filtered, l.Warnings)
	}
	byID := map[string]Record{}
	for _, p := range l.Papers {
		byID[p.ID] = p
	}
	n4, n2, n1 := 4, 2, 1
	tests := []struct {
		id   string
		want Record
	}{
		{"0704.0001", Record{Line: 1, Paper: paperOf("0704.0001",
			"Calculation of Schrödinger–type amplitudes for $\\alpha_s$ corrections at Tevatron and LHC energies",
			"A fully differential calculation in perturbative quantum chromodynamics is presented for the production of massive photon pairs at hadron colliders.",
			[]string{"C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"}, &n4, "2007-04-02", "hep-ph",
			"10.1103/physrevd.76.013009", "Phys.Rev.D76:013009,2007")}},
		{"hep-ph/0307015", Record{Line: 2, Paper: paperOf("hep-ph/0307015", "Invented bounds on heavy neutral leptons",
			"We invent bounds on heavy neutral leptons from an imagined beam dump.",
			[]string{"John Smith Jr", "Ana Pérez"}, &n2, "2003-07-01", "hep-ph", "", "Imag.Phys.Lett. B571 (2003) 1-9")}},
		{"math/0601001", Record{Line: 3, Paper: paperOf("math/0601001", "On the invented cohomology of imaginary schemes",
			"We study an invented cohomology theory on imaginary schemes and prove that it vanishes.",
			[]string{"Søren Ødegård", "Zoë Lefèvre"}, &n2, "2005-12-31", "math.AG", "", "")}},
		{"2405.12345", Record{Line: 4, Paper: paperOf("2405.12345", "Made-up retrieval for pretend language models",
			"Pretend language models retrieve made-up passages. We measure nothing real.",
			[]string{"Wei Zhang", "Priya Natarajan"}, &n2, "2024-05-20", "cs.CL", "", "")}},
		{"1501.00001", Record{Line: 5, Paper: paperOf("1501.00001", "Imaginary spin chains", "An imaginary spin chain is solved exactly.",
			[]string{"J. Müller", "A. García"}, &n2, "2014-12-31", "cond-mat.str-el", "", "")}},
		{"1912.04321", Record{Line: 6, Paper: paperOf("1912.04321", "Pretend galaxies at imaginary redshift", "We observe pretend galaxies.",
			[]string{"Olu Okafor"}, &n1, "2019-12-09", "astro-ph.GA", "10.1093/mnras/stz1234", "Mon. Not. R. Astron. Soc. 490, 1 (2019)")}},
	}
	for _, tt := range tests {
		if got := byID[tt.id]; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.id, got, tt.want)
		}
	}
	old, newIDs := 0, 0
	for _, p := range l.Papers {
		if p.ArxivID == "" || p.URL != "https://arxiv.org/abs/"+p.ArxivID || p.Date == "" || p.Category == "" || len(p.Authors) == 0 {
			t.Errorf("line %d: %+v", p.Line, p.Paper)
		}
		if strings.Contains(p.ID, "/") {
			old++
		} else {
			newIDs++
		}
		for _, a := range p.Authors {
			if strings.ContainsAny(a, "\\{}") {
				t.Errorf("line %d: author %q keeps its LaTeX", p.Line, a)
			}
		}
	}
	if old < 5 || newIDs < 30 {
		t.Errorf("%d old and %d new ids", old, newIDs)
	}
}

func paperOf(id, title, abstract string, authors []string, n *int, date, cat, doi, journal string) paper.Paper {
	return paper.Paper{ID: id, ArxivID: id, Title: title, Abstract: abstract, Authors: authors, NAuthors: n,
		Date: date, Category: cat, DOI: doi, Journal: journal, URL: "https://arxiv.org/abs/" + id}
}

// TestSnapshotMalformed: a line cut short fails the source, naming it.
func TestSnapshotMalformed(t *testing.T) {
	data := readFixture(t, "arxiv-snapshot-bad.jsonl")
	_, err := ParseBytes(data, Options{Source: "bad.json"})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Source != "bad.json" || pe.Line != 4 || !strings.Contains(pe.Msg, "invalid JSON") {
		t.Fatalf("got %v", err)
	}
	// a field of the wrong type skips its record only
	l, err := ParseBytes([]byte(`{"id": 704.0001, "title": "T", "abstract": "A", "authors_parsed": []}`+"\n"+
		`{"id": "0704.0002", "title": "T", "abstract": "A", "authors_parsed": [["X","Y",""]]}`+"\n"), Options{})
	if err != nil || len(l.Papers) != 1 || len(l.Skipped) != 1 || !strings.Contains(l.Skipped[0].Reason, `field "id" is a JSON number`) {
		t.Fatalf("got %+v, %v", l, err)
	}
}

// TestSnapshotFilters: categories and the first version's day, counted.
func TestSnapshotFilters(t *testing.T) {
	data := readFixture(t, "arxiv-snapshot.jsonl")
	tests := []struct {
		cats       []string
		since      string
		kept, left int
		check      func(Record) bool
	}{
		{cats: []string{"cs.*"}, kept: 19, left: 31, check: func(p Record) bool { return strings.Contains(" "+p.Category, " cs.") || p.ID == "2310.01234" }},
		{cats: []string{"STAT.ml"}, kept: 6, left: 44, check: func(p Record) bool { return p.Category == "stat.ML" || p.Category == "cs.CL" }},
		{cats: []string{"math"}, kept: 6, left: 44, check: func(p Record) bool { return strings.HasPrefix(p.Category, "math") }},
		{cats: []string{"hep-ex", "astro-ph.CO"}, kept: 2, left: 48, check: func(p Record) bool { return p.ID == "hep-ph/0307015" || p.ID == "1912.04321" }},
		{since: "2020-01-01", kept: 15, left: 35, check: func(p Record) bool { return p.Date >= "2020-01-01" }},
		{cats: []string{"cs.CL"}, since: "2024-01-01", kept: 1, left: 49, check: func(p Record) bool { return p.Date >= "2024" }},
	}
	for _, tt := range tests {
		l, err := ParseBytes(data, Options{Categories: tt.cats, Since: tt.since})
		if err != nil {
			t.Errorf("%v %s: %v", tt.cats, tt.since, err)
			continue
		}
		if len(l.Papers) != tt.kept || l.Filtered+len(l.Skipped) != tt.left {
			t.Errorf("%v %s: kept %d, filtered %d, skipped %d; want %d kept, %d left out", tt.cats, tt.since, len(l.Papers), l.Filtered, len(l.Skipped), tt.kept, tt.left)
		}
		for _, p := range l.Papers {
			if !tt.check(p) {
				t.Errorf("%v %s: kept %s (%s, %s)", tt.cats, tt.since, p.ID, p.Category, p.Date)
			}
		}
	}
	_, err := ParseBytes(data, Options{Categories: []string{"nucl-th"}})
	if err == nil || !strings.Contains(err.Error(), "no paper matches") {
		t.Errorf("nothing kept: %v", err)
	}
	for _, bad := range []Options{{Categories: []string{"cs.["}}, {Since: "2024-13-01"}, {Categories: []string{" "}}} {
		if _, err := ParseBytes(data, bad); err == nil || CheckFilters(bad.Categories, bad.Since) == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestVersionDay(t *testing.T) {
	for in, want := range map[string]string{
		"Mon, 2 Apr 2007 19:18:42 GMT":  "2007-04-02",
		"Tue, 24 Jul 2007 20:10:27 GMT": "2007-07-24",
		"Sat, 29 Feb 2020 00:00:00 GMT": "2020-02-29",
		"Fri, 29 Feb 2019 00:00:00 GMT": "",
		"Mon, 2 Foo 2007 19:18:42 GMT":  "",
		"2007-04-02":                    "2007-04-02",
		"":                              "",
		"Mon, 2 Apr 20":                 "",
	} {
		if got := versionDay(in); got != want {
			t.Errorf("versionDay(%q) = %q, want %q", in, got, want)
		}
	}
}
