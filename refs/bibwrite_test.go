package refs

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// exportEntries are likes as a profile export would give them.
func exportEntries() []Entry {
	return []Entry{
		{ArxivID: "1706.03762", Title: "Attention Is All You Need", Authors: []string{"Ashish Vaswani", "Noam Shazeer"},
			Date: "2017-06-12", Category: "cs.CL", Abstract: "We propose the Transformer, based solely on attention mechanisms."},
		{DOI: "10.1038/nature14539", Title: "Deep learning", Authors: []string{"Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"},
			Year: "2015", URL: "https://www.nature.com/articles/nature14539"},
		{ArxivID: "2403.01234", DOI: "10.1145/3600000.3600001", Title: "Both an arXiv id and a journal DOI", Authors: []string{"Ana Silva"}, Year: "2024"},
		{Title: "50% of {Braces}, $\\mathcal{O}(n^2)$ & the C# ~ ^ -- `` '' \\ problem", Authors: []string{"Barnes and Noble", "Martin Luther King Jr.", "Ludwig van Beethoven", "Plato", "Élise Moreau", "O'Brien, Conan"}},
		{Title: "Attention Is All You Need: a Reply", Authors: []string{"Ashish Vaswani"}, Date: "2017-09-01"},
		{Title: "Attention is all you need, again", Authors: []string{"A. Vaswani"}, Year: "2017"},
		{Title: "", DOI: "10.1000/{odd}\\doi"},
	}
}

func TestWriteBibTeXGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteBibTeX(&buf, exportEntries()); err != nil {
		t.Fatal(err)
	}
	golden(t, "export.bib", buf.Bytes())
}

// TestBibTeXRoundTrip: what WriteBibTeX writes, ParseBibTeX reads back with
// the same titles, authors, ids and dates.
func TestBibTeXRoundTrip(t *testing.T) {
	in := exportEntries()
	var buf bytes.Buffer
	if err := WriteBibTeX(&buf, in); err != nil {
		t.Fatal(err)
	}
	f, err := ParseBibTeX(buf.Bytes(), "export.bib")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	if len(f.Entries) != len(in) {
		t.Fatalf("%d entries back, want %d", len(f.Entries), len(in))
	}
	for i, e := range f.Entries {
		w := in[i]
		if e.Title != w.Title || !reflect.DeepEqual(e.Authors, w.Authors) || e.ArxivID != w.ArxivID || e.DOI != NormalizeDOI(strings.NewReplacer("{", "%7b", "}", "%7d", `\`, "%5c").Replace(w.DOI)) || e.Category != w.Category || e.Abstract != w.Abstract {
			t.Errorf("entry %d back as\n%+v\nwritten from\n%+v", i, e, w)
		}
		if wantYear := w.Year + w.Date[:min(4, len(w.Date))]; e.Year != wantYear || e.Date != w.Date {
			t.Errorf("entry %d: year %q date %q, want %q %q", i, e.Year, e.Date, wantYear, w.Date)
		}
	}
}

func TestBibTeXKeys(t *testing.T) {
	in := exportEntries()
	keys := bibKeys(in)
	want := []string{"vaswani2017attentionc", "lecun2015deep", "silva2024both", "noble50", "vaswani2017attentiona", "vaswani2017attentionb", "ref"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	// The same papers in another order get the same keys.
	rev := make([]Entry, len(in))
	for i := range in {
		rev[len(in)-1-i] = in[i]
	}
	back := bibKeys(rev)
	for i := range in {
		if back[len(in)-1-i] != keys[i] {
			t.Errorf("reversed: %q, want %q", back[len(in)-1-i], keys[i])
		}
	}
	for _, tc := range []struct {
		e    Entry
		want string
	}{
		{Entry{Title: "On the Ångström Scale", Authors: []string{"Jörg Müller"}, Year: "2020"}, "muller2020angstrom"},
		{Entry{Title: "The Straße", Authors: []string{"Łukasz Weiß"}}, "lukaszweiss"[6:] + "strasse"},
		{Entry{Title: "2020 Vision"}, "ref2020"},
		{Entry{Title: "李雷的论文", Authors: []string{"李雷"}}, "ref"},
	} {
		if got := baseKey(tc.e); got != tc.want {
			t.Errorf("baseKey(%+v) = %q, want %q", tc.e, got, tc.want)
		}
	}
}
