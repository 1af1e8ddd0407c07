package refs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLibraryFixture checks every entry of the acceptance fixture: 10 that
// a database holds (by arXiv id, DOI or title), 5 new ones with abstracts,
// 5 with neither.
func TestLibraryFixture(t *testing.T) {
	f, err := Parse(readFixture(t, "library.bib"), "library.bib")
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != FormatBibTeX || f.Name != "library.bib" || len(f.Skipped) != 0 {
		t.Fatalf("format %s, name %s, skipped %v", f.Format, f.Name, f.Skipped)
	}
	want := []struct {
		key, arxiv, doi, title, year, date, category string
		authors                                      []string
		abstract                                     bool
	}{
		{"vaswani2023attention", "1706.03762", "", "Attention Is All You Need", "2023", "", "cs.CL", []string{"Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones", "Aidan N. Gomez", "Lukasz Kaiser", "Illia Polosukhin"}, false},
		{"devlin2018bert", "1810.04805", "", "Bert: Pre-training of deep bidirectional transformers for language understanding", "2018", "", "", []string{"Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"}, false},
		{"DBLP:journals/corr/abs-2010-11929", "2010.11929", "", "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale", "2020", "", "", []string{"Alexey Dosovitskiy", "Lucas Beyer", "Alexander Kolesnikov", "Neil Houlsby"}, false},
		{"Maldacena1999", "hep-th/9711200", "", "The Large N Limit of Superconformal Field Theories and Supergravity", "1999", "", "", []string{"Juan Maldacena"}, false},
		{"10.1145/2939672.2939785", "", "10.1145/2939672.2939785", "XGBoost: A Scalable Tree Boosting System", "2016", "", "", []string{"Tianqi Chen", "Carlos Guestrin"}, false},
		{"lecun2015deep", "", "10.1038/nature14539", "Deep learning", "2015", "", "", []string{"Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"}, false},
		{"hochreiter1997long", "", "10.1162/neco.1997.9.8.1735", "Long short-term memory", "1997", "", "", []string{"Sepp Hochreiter", "Jürgen Schmidhuber"}, false},
		{"krizhevsky2012imagenet", "", "", "ImageNet Classification with Deep Convolutional Neural Networks", "2012", "", "", []string{"Alex Krizhevsky", "Ilya Sutskever", "Geoffrey E Hinton"}, false},
		{"sutskever2014sequence", "", "", "Sequence to Sequence Learning with Neural Networks", "2014", "", "", []string{"Ilya Sutskever", "Oriol Vinyals", "Quoc V. Le"}, false},
		{"Goodfellow2014", "", "", "Generative Adversarial Nets", "2014", "", "", []string{"Ian Goodfellow", "Jean Pouget-Abadie", "Mehdi Mirza", "Bing Xu", "David Warde-Farley", "Sherjil Ozair", "Aaron Courville", "Yoshua Bengio"}, false},
		{"okafor2024spiking", "2403.01234", "", "Sparse Spiking Transformers for Event Cameras", "2024", "", "cs.NE", []string{"Chidi Okafor", "Ingrid Halvorsen", "Mei Tanaka"}, true},
		{"dvorak_graph_2021", "", "10.1002/jcc.99999", "Graph Networks at Ångström Scale", "2021", "", "", []string{"Tomáš Dvořák", "Anaïs François"}, true},
		{"lindqvist2023tiny", "", "", "Tiny Recurrent Models for Keyword Spotting on Microcontrollers", "2023", "", "", []string{"Sara Lindqvist", "Kwame Osei"}, true},
		{"ferreira2024retrieval", "2403.09876", "", "Retrieval-Augmented Reading Queues", "2024", "2024-03-15", "", []string{"Beatriz Ferreira", "Kenji Nakamura"}, true},
		{"Moreau2022", "", "10.1029/2022gl012345", "Ocean Heat Uptake Under Cloud Feedback Uncertainty", "2022", "", "", []string{"Élise Moreau", "Thị Nguyễn"}, true},
		{"knuth1984texbook", "", "", "The TeXbook", "1984", "", "", []string{"Donald E. Knuth"}, false},
		{"erdos1960evolution", "", "", "On the evolution of random graphs", "1960", "", "", []string{"Paul Erdős", "Alfréd Rényi"}, false},
		{"beck2019report", "", "", "A Report on Reproducibility in Machine Learning", "2019", "", "", []string{"Ulla Beck"}, false},
		{"vanderberg2020thesis", "", "", "Learning to Read: Models of Human Reading Order", "2020", "", "", []string{"Jan van der Berg", "Jörg Müller"}, false},
		{"osei2020federated", "", "10.1145/3386901.3389029", "Federated Tuning of Language Models on Phones", "2020", "", "", []string{"Kwame Osei"}, false},
	}
	if len(f.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(f.Entries), len(want))
	}
	lines := strings.Split(string(readFixture(t, "library.bib")), "\n")
	for i, w := range want {
		e := f.Entries[i]
		if e.Key != w.key || e.ArxivID != w.arxiv || e.DOI != w.doi || e.Title != w.title || e.Year != w.year || e.Date != w.date || e.Category != w.category {
			t.Errorf("entry %d: %q %q %q %q %q %q %q, want %q %q %q %q %q %q %q", i+1, e.Key, e.ArxivID, e.DOI, e.Title, e.Year, e.Date, e.Category, w.key, w.arxiv, w.doi, w.title, w.year, w.date, w.category)
		}
		if !reflect.DeepEqual(e.Authors, w.authors) {
			t.Errorf("entry %d: authors %q, want %q", i+1, e.Authors, w.authors)
		}
		if (e.Abstract != "") != w.abstract {
			t.Errorf("entry %d: abstract %q", i+1, e.Abstract)
		}
		if !strings.HasPrefix(strings.TrimSpace(lines[e.Line-1]), "@") || !strings.Contains(lines[e.Line-1], w.key) {
			t.Errorf("entry %d: line %d is %q", i+1, e.Line, lines[e.Line-1])
		}
	}
	if a := f.Entries[11].Abstract; !strings.Contains(a, "5 Å") || !strings.Contains(a, "$O(n \\log n)$") || !strings.Contains(a, "1 meV — a tenfold") || !strings.Contains(a, "ab initio") {
		t.Errorf("decoded abstract %q", a)
	}
}

func TestBibTeXQuirks(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Entry
	}{
		{"eprint with another archive is not arXiv", `@misc{a, title={T}, eprint={1234.5678}, archivePrefix={HAL}}`,
			Entry{Key: "a", Type: "misc", Title: "T"}},
		{"arxiv DOI", `@misc{a, title={T}, doi={10.48550/arXiv.2301.00001}}`,
			Entry{Key: "a", Type: "misc", Title: "T", DOI: "10.48550/arxiv.2301.00001", ArxivID: "2301.00001"}},
		{"arxiv in note, DOI in url", `@article{a, title={T}, note={arXiv: 2301.00002v3}, url={https://doi.org/10.1000/ABC}}`,
			Entry{Key: "a", Type: "article", Title: "T", ArxivID: "2301.00002", DOI: "10.1000/abc", URL: "https://doi.org/10.1000/ABC"}},
		{"howpublished url command", `@misc{a, title={T}, howpublished={\url{https://arxiv.org/abs/2301.00003}}}`,
			Entry{Key: "a", Type: "misc", Title: "T", ArxivID: "2301.00003"}},
		{"doi with escapes", `@article{a, title={T}, doi={10.1000/a\_b}}`,
			Entry{Key: "a", Type: "article", Title: "T", DOI: "10.1000/a_b"}},
		{"month and day", `@article{a, title={T}, year={2020}, month=feb, day={29}}`,
			Entry{Key: "a", Type: "article", Title: "T", Year: "2020", Date: "2020-02-29"}},
		{"impossible day", `@article{a, title={T}, year={2021}, month={2}, day={29}}`,
			Entry{Key: "a", Type: "article", Title: "T", Year: "2021"}},
		{"undefined macro keeps its name", `@article{a, title = {T}, journal = jmlr, year = 2001}`,
			Entry{Key: "a", Type: "article", Title: "T", Year: "2001"}},
		{"quoted value with braced quote", `@misc{a, title = "A {"}B{"} C"}`,
			Entry{Key: "a", Type: "misc", Title: `A "B" C`}},
		{"@ inside a value", `@misc{a, title = {Mail me@example.org}, note = {@home}}`,
			Entry{Key: "a", Type: "misc", Title: "Mail me@example.org"}},
		{"first of a repeated field", `@misc{a, title = {First}, title = {Second}}`,
			Entry{Key: "a", Type: "misc", Title: "First"}},
		{"no key", `@misc{title = {Keyless}}`,
			Entry{Type: "misc", Title: "Keyless"}},
		{"comment between fields", "@misc{a,\n% title = {Old},\n title = {New}\n}",
			Entry{Key: "a", Type: "misc", Title: "New"}},
		{"organisation and others", `@misc{a, title={T}, author = {{Barnes and Noble} and Smith, J. and others}}`,
			Entry{Key: "a", Type: "misc", Title: "T", Authors: []string{"Barnes and Noble", "J. Smith"}}},
		{"von and junior", `@misc{a, title={T}, author = {de la Fontaine, Jr., Jean and AND, Ann}}`,
			Entry{Key: "a", Type: "misc", Title: "T", Authors: []string{"Jean de la Fontaine Jr.", "Ann AND"}}},
		{"comma after entry, two entries a line", "@misc{a, title={A}}, @misc{b, title={B}}",
			Entry{Key: "a", Type: "misc", Title: "A"}},
		{"Scholar uppercase journal", `@article{a, title={T}, journal={ArXiv}, volume={abs/2301.00004}}`,
			Entry{Key: "a", Type: "article", Title: "T", ArxivID: "2301.00004"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseBibTeX([]byte(tc.in), "q.bib")
			if err != nil {
				t.Fatal(err)
			}
			got := f.Entries[0]
			tc.want.Line = 1
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestBibTeXErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string // part of the message
	}{
		{"unclosed brace before the next entry", "@article{a,\n  title = {Attention {is all you need},\n  year = {2017}\n}\n\n@article{b,\n  title = {B}\n}\n", 2,
			`entry "a" (line 1): the { that opens the value of title is never closed (the entry on line 6 starts inside it): add the missing }`},
		{"unclosed brace at the end", "@article{a,\n  title = {Attention {is all you need},\n  year = {2017}\n}\n", 2, "never closed before the end of the file"},
		{"a brace too many", "@article{a,\n  title = {Attention}} is all},\n  year = {2017}\n}\n", 2, `ends before "is all}," on the same line: a } too many`},
		{"entry never closed", "@article{a,\n  title = {A},\n\n@article{b, title = {B}}\n", 1, `entry "a" (line 1) is not closed before the entry on line 4: add a } at its end`},
		{"entry never closed, no comma", "@article{a,\n  title = {A}\n@article{b, title = {B}}\n", 1, `is not closed before the entry on line 3`},
		{"entry cut short", "@article{a,\n  title = {A},\n", 1, "is never closed: add a } after its last field"},
		{"unterminated quote", "@article{a,\n  title = \"A,\n  year = 2017\n}\n@misc{b, title={B}}\n", 2, `the quoted value of title never ends before the } on line 4: add the closing "`},
		{"unterminated quote before an entry", "@article{a,\n  title = \"A,\n  year = 2017,\n@misc{b, title={B}}\n", 2, `the quoted value of title never ends (the entry on line 4 starts inside it): add the closing "`},
		{"unterminated quote at the end", "@article{a,\n  title = \"A\n", 2, `the quoted value of title never ends`},
		{"brace closing a quote", "@article{a, title = \"A}\"}\n", 1, "a } without its {"},
		{"missing comma", "@article{a,\n  title = {A}\n  year = {2017}\n}\n", 3, "expected a comma or } after the value of title (line 2)"},
		{"missing equals", "@article{a,\n  title {A}\n}\n", 2, "field title has no = after its name"},
		{"missing value", "@article{a, title = ,}\n", 1, "field title has no value"},
		{"no comma after key", "@article{a title = {A}}\n", 1, "expected a comma after the key"},
		{"bad @string", "@string{= {x}}\n@misc{a, title={A}}", 1, "@string needs a name = value"},
		{"no entries", "% nothing here\n@comment{x}\n", 0, "no BibTeX entries in it"},
		{"NUL", "@misc{a, title={A\x00}}", 1, "NUL byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseBibTeX([]byte(tc.in), "refs.bib")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, %v; want a *ParseError", f, err)
			}
			if pe.Source != "refs.bib" || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got %q (line %d), want line %d and %q", err, pe.Line, tc.line, tc.msg)
			}
		})
	}
}

// TestBrokenFixture: the acceptance's broken file names the file and line.
func TestBrokenFixture(t *testing.T) {
	_, err := Parse(readFixture(t, "broken.bib"), "testdata/broken.bib")
	want := `testdata/broken.bib:9: entry "devlin2018bert" (line 7): the { that opens the value of title is never closed (the entry on line 14 starts inside it): add the missing } (or remove a stray {)`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

func TestBibTeXSkipsEntryWithoutIdentity(t *testing.T) {
	f, err := ParseBibTeX([]byte("@misc{a, note = {no title}}\n@misc{b, title = {B}}\n@misc{c, title = {{--}}}\n"), "s.bib")
	if err != nil {
		t.Fatal(err)
	}
	want := []Skip{{Line: 1, Key: "a", Reason: `entry "a" has no title, DOI or arXiv id`}, {Line: 3, Key: "c", Reason: `entry "c" has no title, DOI or arXiv id`}}
	if len(f.Entries) != 1 || f.Entries[0].Key != "b" || !reflect.DeepEqual(f.Skipped, want) {
		t.Errorf("entries %+v, skipped %+v", f.Entries, f.Skipped)
	}
}

// TestBibTeXMacroBomb: @string macros that double at each step are refused
// before they are built (63 steps would ask for 92 EB), and so is a file of
// many entries using a large macro.
func TestBibTeXMacroBomb(t *testing.T) {
	doubling := func(steps int) string {
		var b strings.Builder
		b.WriteString("@string{s0 = \"xxxxxxxxxx\"}\n")
		for i := 1; i <= steps; i++ {
			fmt.Fprintf(&b, "@string{s%d = s%d # s%d}\n", i, i-1, i-1)
		}
		return b.String()
	}
	var many strings.Builder
	many.WriteString(doubling(16)) // 640 KB
	for j := range 200 {
		fmt.Fprintf(&many, "@article{k%d, title = s16, abstract = s16, eprint={2109.0572%d}}\n", j, j%10)
	}
	for _, tc := range []struct {
		name, in string
		msg      string
	}{
		{"doubling", doubling(63) + "@article{k1, title = s63, eprint={2109.05721}}\n", "longer than 1 MB once its @string macros are expanded"},
		{"many entries", many.String(), "longer than 64 MB once their @string macros are expanded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBibTeX([]byte(tc.in), "bomb.bib")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Source != "bomb.bib" || pe.Line == 0 || !strings.Contains(pe.Msg, tc.msg) {
				t.Fatalf("got %v, want a *ParseError naming a line and %q", err, tc.msg)
			}
		})
	}
	// below the limits, macros expand as before
	f, err := ParseBibTeX([]byte(doubling(10)+"@article{k1, title = s10, abstract = {A}, eprint={2109.05721}}\n"), "ok.bib")
	if err != nil || len(f.Entries) != 1 || len(f.Entries[0].Title) != 10<<10 {
		t.Fatalf("got %v, %v", f, err)
	}
}

// A JSON profile's \u0000 fails it, as a NUL fails every other format.
func TestProfileNUL(t *testing.T) {
	for _, in := range []string{
		`{"papersift_profile":1,"likes":[{"id":"a\u0000b","title":"t","abstract":"ab"}]}`,
		`{"papersift_profile":1,"likes":[{"id":"ab","title":"t\u0000","abstract":"ab"}]}`,
		`{"papersift_profile":1,"interests":[{"text":"x\u0000y"}]}`,
		`{"papersift_profile":1,"interests":["x\u0000y"]}`,
	} {
		_, err := ParseProfile([]byte(in), "p.json")
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "NUL") {
			t.Errorf("%s: got %v, want a NUL error", in, err)
		}
	}
}

// A Zotero CSV cell is capped as a BibTeX field is.
func TestCSVCellCap(t *testing.T) {
	data := "Key,Title,Abstract Note\nk1,A title,\"" + strings.Repeat("x", maxBibValue+1) + "\"\n"
	_, err := ParseCSV([]byte(data), "z.csv")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(pe.Msg, "longer than 1 MB") {
		t.Fatalf("got %v", err)
	}
}
