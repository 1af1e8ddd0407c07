package refs

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Format
	}{
		{"bibtex", "@article{a, title={T}}", FormatBibTeX},
		{"bibtex after comments", "% exported by JabRef\nsome notes\n\n  @InProceedings (a,\n title={T})", FormatBibTeX},
		{"ris", "TY  - JOUR\nTI  - T\nER  - \n", FormatRIS},
		{"ris after a header", "\ufeffProvider: Elsevier\nDatabase: ScienceDirect\n\nTY  - JOUR\r\nER  - \r\n", FormatRIS},
		{"ris with one space", "TY - JOUR\nER -\n", FormatRIS},
		{"zotero csv", "\ufeff\"Key\",\"Item Type\",\"Publication Year\",\"Author\",\"Title\"\n", FormatCSV},
		{"papersift csv", "id,title,abstract,authors,date,url\n", FormatCSV},
		{"profile", "  {\"papersift_profile\": 1}", FormatProfile},
		{"json array", "[1, 2]", FormatProfile},
		{"list", "1706.03762\nAttention Is All You Need\n", FormatList},
		{"title with a comma", "Attention, Please: A Title\nAnother, Title\n", FormatList},
		{"title with @", "Why @mentions matter\n", FormatList},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Detect([]byte(tc.in)); got != tc.want {
				t.Errorf("Detect = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestNormalizeDOI(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"10.1038/nature14539", "10.1038/nature14539"},
		{"  10.1162/NECO.1997.9.8.1735 ", "10.1162/neco.1997.9.8.1735"},
		{"https://doi.org/10.1145/2939672.2939785", "10.1145/2939672.2939785"},
		{"http://dx.doi.org/10.1000/ABC", "10.1000/abc"},
		{"https://doi.org/10.1002/%28SICI%291097-4571", "10.1002/(sici)1097-4571"},
		{"doi:10.1000/x", "10.1000/x"},
		{"DOI: 10.1000/x", "10.1000/x"},
		{"doi.org/10.1000/x", "10.1000/x"},
		{"10.48550/arXiv.1706.03762", "10.48550/arxiv.1706.03762"},
		{"https://example.org/10.1000/x", ""},
		{"10.1000", ""},
		{"1706.03762", ""},
		{"10.1000/has space", ""},
		{"", ""},
	} {
		if got := NormalizeDOI(tc.in); got != tc.want {
			t.Errorf("NormalizeDOI(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFindArxiv(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1706.03762v5", "1706.03762"},
		{"arXiv:1706.03762", "1706.03762"},
		{"arXiv preprint arXiv:1810.04805", "1810.04805"},
		{"ArXiv e-prints, arXiv:2301.00001", "2301.00001"},
		{"arXiv 2301.00002", "2301.00002"},
		{"https://arxiv.org/abs/2010.11929v2", "2010.11929"},
		{"http://arxiv.org/pdf/2005.14165v4", "2005.14165"},
		{"https://arxiv.org/html/2403.01234v1#S2", "2403.01234"},
		{"https://arxiv.org/abs/hep-th/9711200", "hep-th/9711200"},
		{"10.48550/arXiv.2301.00003", "2301.00003"},
		{"abs/2301.00004", "2301.00004"},
		{"arXiv:2301.00005 [cs.CL]", "2301.00005"},
		{"Proceedings of ICML 2017, pages 1706.1234", ""},
		{"10.1038/nature14539", ""},
		{"", ""},
	} {
		if got := findArxiv(tc.in); got != tc.want {
			t.Errorf("findArxiv(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDates(t *testing.T) {
	for _, tc := range []struct{ year, month, day, wantYear, wantDate string }{
		{"2017", "", "", "2017", ""},
		{"2017", "jun", "12", "2017", "2017-06-12"},
		{"2017", "June", "12", "2017", "2017-06-12"},
		{"2017", "6", "12", "2017", "2017-06-12"},
		{"{2017}", "sep", "31", "2017", ""},
		{"2016", "feb", "29", "2016", "2016-02-29"},
		{"in press", "", "", "", ""},
		{"c. 1905", "", "", "1905", ""},
	} {
		y, d := dateOf(tc.year, tc.month, tc.day)
		if y != tc.wantYear || d != tc.wantDate {
			t.Errorf("dateOf(%q, %q, %q) = %q, %q, want %q, %q", tc.year, tc.month, tc.day, y, d, tc.wantYear, tc.wantDate)
		}
	}
	for _, tc := range []struct{ in, wantYear, wantDate string }{
		{"2020/01/01/", "2020", "2020-01-01"},
		{"2021-08-01", "2021", "2021-08-01"},
		{"2019///", "2019", ""},
		{"2015-05", "2015", ""},
		{"2024-02-30", "2024", ""},
	} {
		y, d := isoDate(tc.in)
		if y != tc.wantYear || d != tc.wantDate {
			t.Errorf("isoDate(%q) = %q, %q, want %q, %q", tc.in, y, d, tc.wantYear, tc.wantDate)
		}
	}
}

func TestPersonName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"LeCun, Yann", "Yann LeCun"},
		{"Yann LeCun", "Yann LeCun"},
		{"King, Jr., Martin Luther", "Martin Luther King Jr."},
		{"  Brown,  Tom B. ", "Tom B. Brown"},
		{"OpenAI", "OpenAI"},
	} {
		if got := personName(tc.in); got != tc.want {
			t.Errorf("personName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRISFixture(t *testing.T) {
	f, err := Parse(readFixture(t, "publisher.ris"), "publisher.ris")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Line: 5, Type: "JOUR", Title: "Graph neural networks: A review of methods and applications", Authors: []string{"Jie Zhou", "Ganqu Cui", "Shengding Hu"},
			DOI: "10.1016/j.aiopen.2021.01.001", URL: "https://www.sciencedirect.com/science/article/pii/S2666651021000012", Year: "2020", Date: "2020-01-01",
			Abstract: "Lots of learning tasks require dealing with graph data which contains rich relation information among elements. Modeling physics systems, learning molecular fingerprints, predicting protein interface, and classifying diseases demand a model to learn from graph inputs."},
		{Line: 27, Key: "Jumper2021", Type: "JOUR", Title: "Highly accurate protein structure prediction with AlphaFold", Authors: []string{"John Jumper", "Richard Evans", "Demis Hassabis"},
			DOI: "10.1038/s41586-021-03819-2", URL: "https://doi.org/10.1038/s41586-021-03819-2", Year: "2021", Date: "2021-08-01",
			Abstract: "Proteins are essential to life, and understanding their structure can facilitate a mechanistic understanding of their function."},
		{Line: 46, Type: "PREPRINT", Title: "Language Models are Few-Shot Learners", Authors: []string{"Tom B. Brown", "Benjamin Mann"},
			ArxivID: "2005.14165", DOI: "10.48550/arxiv.2005.14165", URL: "http://arxiv.org/abs/2005.14165", Year: "2020", Date: "2020-07-22",
			Abstract: "Recent work has demonstrated substantial gains on many NLP tasks and benchmarks by pre-training on a large corpus of text."},
		{Line: 65, Type: "CONF", Title: "A title-only record from an exporter that writes one space", Authors: []string{"Ana Silva"}, Year: "2019"},
	}
	if f.Format != FormatRIS || !reflect.DeepEqual(f.Entries, want) {
		t.Errorf("got %s\n%+v\nwant\n%+v", f.Format, f.Entries, want)
	}
	if s := []Skip{{Line: 71, Reason: "entry has no title, DOI or arXiv id"}}; !reflect.DeepEqual(f.Skipped, s) {
		t.Errorf("skipped %+v, want %+v", f.Skipped, s)
	}
}

func TestRISErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"no ER before the next record", "TY  - JOUR\nTI  - A\n\nTY  - JOUR\nTI  - B\nER  - \n", 1, `the record of line 1 has no ER line before the next record (line 4): end each record with a line "ER  - "`},
		{"no ER at the end", "TY  - JOUR\nTI  - A\nER  - \nTY  - JOUR\nTI  - B\n", 4, "this record has no ER line"},
		{"a tag outside a record", "TI  - A\nER  - \n", 1, "the TI line is outside a record"},
		{"no records", "TY  - JOUR\nER  - \n"[:0] + "ER  - \n", 1, "the ER line is outside a record"},
		{"invalid UTF-8", "TY  - JOUR\nTI  - caf\xe9\nER  - \n", 2, "invalid UTF-8 at byte 20: save the file as UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRIS([]byte(tc.in), "x.ris")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got %v, want line %d and %q", err, tc.line, tc.msg)
			}
		})
	}
}

func TestZoteroCSVFixture(t *testing.T) {
	f, err := Parse(readFixture(t, "zotero.csv"), "zotero.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Line: 2, Key: "Q7ZK2M4A", Type: "preprint", Title: "Attention Is All You Need", Authors: []string{"Ashish Vaswani", "Noam Shazeer", "Niki Parmar"},
			ArxivID: "1706.03762", DOI: "10.48550/arxiv.1706.03762", URL: "http://arxiv.org/abs/1706.03762", Year: "2017", Date: "2017-06-12",
			Abstract: "The dominant sequence transduction models are based on complex recurrent or convolutional neural networks."},
		{Line: 3, Key: "8XWQ3B9C", Type: "journalArticle", Title: "Deep learning", Authors: []string{"Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"},
			DOI: "10.1038/nature14539", URL: "https://www.nature.com/articles/nature14539", Year: "2015"},
		{Line: 4, Key: "M2P4L8RT", Type: "conferencePaper", Title: "XGBoost: A Scalable Tree Boosting System", Authors: []string{"Tianqi Chen", "Carlos Guestrin"},
			DOI: "10.1145/2939672.2939785", Year: "2016", Date: "2016-08-13"},
		{Line: 5, Key: "ZT6N1QHV", Type: "bookSection", Title: `Weapons of "Math" Destruction, Revisited`, Authors: []string{"Cathy O'Neil", "OpenAI Team"},
			DOI: "10.1007/978-3-030-12345-6_7", Year: "2019"},
		{Line: 7, Key: "H3JX7CQF", Type: "webpage", Title: "Flash Attention on Consumer GPUs: a Practitioner's Notes", URL: "https://example.org/blog/flash-attention",
			Year: "2024", Date: "2024-02-29", Abstract: "Notes, benchmarks, and pitfalls."},
	}
	got := f.Entries
	if len(got) == len(want) {
		got[1].Abstract = "" // long: checked below
	}
	if f.Format != FormatCSV || !reflect.DeepEqual(got, want) {
		t.Errorf("got %s\n%+v\nwant\n%+v", f.Format, got, want)
	}
	if s := []Skip{{Line: 6, Key: "4KD9RW2E", Reason: `entry "4KD9RW2E" has no title, DOI or arXiv id`}}; !reflect.DeepEqual(f.Skipped, s) {
		t.Errorf("skipped %+v, want %+v", f.Skipped, s)
	}
}

func TestCSV(t *testing.T) {
	f, err := ParseCSV([]byte("id,title,abstract,authors,date,url\n2405.12345v2,\"A, B\",Text,Ann Lee;Bo Chen,2024-05-20,\n10.1000/XYZ,C,,,,\n,,,,,\n"), "sheet.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Line: 2, Key: "2405.12345v2", ArxivID: "2405.12345", Title: "A, B", Abstract: "Text", Authors: []string{"Ann Lee", "Bo Chen"}, Year: "2024", Date: "2024-05-20"},
		{Line: 3, Key: "10.1000/XYZ", DOI: "10.1000/xyz", Title: "C"},
	}
	if !reflect.DeepEqual(f.Entries, want) || len(f.Skipped) != 0 {
		t.Errorf("got %+v, %+v", f.Entries, f.Skipped)
	}
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"no title column", "\"Key\",\"Item Type\",\"Url\"\n\"A\",\"book\",\"\"\n", 1, "the CSV header has no Title column (nor DOI or arXiv id; it has Key, Item Type, Url)"},
		{"a bare quote", "Title,DOI\nA \"quoted\" title,10.1/x\n", 2, `a " inside a cell must be doubled`},
		{"an unterminated quote", "Title,DOI\n\"A title,10.1/x\n", 2, "not valid CSV"},
		{"only a header", "Title,DOI\n", 0, "no rows in it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV([]byte(tc.in), "x.csv")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got %v, want line %d and %q", err, tc.line, tc.msg)
			}
		})
	}
}

func TestListFixture(t *testing.T) {
	f, err := Parse(readFixture(t, "list.txt"), "list.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Line: 2, Key: "1706.03762", ArxivID: "1706.03762"},
		{Line: 3, Key: "arXiv:1810.04805v2", ArxivID: "1810.04805"},
		{Line: 4, Key: "https://arxiv.org/abs/2010.11929v3", ArxivID: "2010.11929"},
		{Line: 5, Key: "https://arxiv.org/pdf/2005.14165.pdf", ArxivID: "2005.14165"},
		{Line: 6, Key: "arxiv.org/html/2403.01234v1", ArxivID: "2403.01234"},
		{Line: 7, Key: "hep-th/9711200", ArxivID: "hep-th/9711200"},
		{Line: 8, Key: "10.1038/nature14539", DOI: "10.1038/nature14539"},
		{Line: 9, Key: "doi:10.1145/2939672.2939785", DOI: "10.1145/2939672.2939785"},
		{Line: 10, Key: "https://doi.org/10.1162/NECO.1997.9.8.1735", DOI: "10.1162/neco.1997.9.8.1735"},
		{Line: 11, Key: "2106.09685", ArxivID: "2106.09685", Title: "LoRA: Low-Rank Adaptation of Large Language Models"},
		{Line: 13, Title: "Generative Adversarial Nets"},
		{Line: 14, Title: "Sequence to Sequence Learning with Neural Networks"},
	}
	if f.Format != FormatList || !reflect.DeepEqual(f.Entries, want) {
		t.Errorf("got %s\n%+v\nwant\n%+v", f.Format, f.Entries, want)
	}
	if len(f.Skipped) != 1 || f.Skipped[0].Line != 15 || !strings.Contains(f.Skipped[0].Reason, "a link to neither arXiv nor a DOI") {
		t.Errorf("skipped %+v", f.Skipped)
	}
}

func TestListErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"only comments", "# nothing\n\n", 0, "no arXiv ids, DOIs or titles in it"},
		{"empty", "  \n", 0, "the file is empty"},
		{"a line no title is", "title\n" + strings.Repeat("x", 3000), 2, "a line of 3000 bytes is no title"},
		{"UTF-16", "\xff\xfea\x00", 1, "UTF-16 text: save the file as UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in), "l.txt")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got %v, want line %d and %q", err, tc.line, tc.msg)
			}
		})
	}
}
