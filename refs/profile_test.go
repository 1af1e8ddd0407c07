package refs

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./refs -update rewrites it):\n%s", path, got)
	}
}

// oddProfile has a paper in two lists, and every kind of odd character.
func oddProfile() Profile {
	attention := Entry{
		ID: "1706.03762", ArxivID: "1706.03762", Title: "Attention Is All You Need",
		Abstract: "Line one\nline two: \"quoted\", back\\slash, tab\there, </script> & <b>, \u2028 and \x01.",
		Authors:  []string{"Ashish Vaswani", "Noam Shazeer"}, Date: "2017-06-12",
		URL: "https://arxiv.org/abs/1706.03762", Category: "cs.CL", At: "2026-11-01T09:00:00Z",
	}
	return Profile{
		Likes: []Entry{
			attention,
			{ID: "title-0123456789ab", Title: "Café ☕ — “odd” {braces} $\\alpha$ 100% e\u0301 \u202eRTL",
				Abstract: "  leading and trailing space  ", Authors: []string{"Zoë Ünal", "李雷", "O'Brien, Conan"},
				Org: "Ωmega Lab", Links: []string{"https://github.com/x/y", "https://x.org/?a=1&b=2"}, At: "2026-11-02T10:00:00Z"},
			{ID: "10.1000/xyz", DOI: "10.1000/xyz", Title: "A paper known by its DOI", At: "2026-11-03T11:00:00Z"},
		},
		Dislikes: []Entry{{ID: "2401.00001", ArxivID: "2401.00001", Title: "Not for me", Abstract: "Nope.", Date: "2024-01-01", At: "2026-11-04T12:00:00Z"}},
		Read:     []Entry{attention},
		Interests: []Interest{
			{Text: "spiking neural networks", At: "2026-10-30T08:00:00Z"},
			{Text: "odd \"interest\" ✓ \\ \n"},
		},
	}
}

// comparable drops what parsing adds (line, key, rating, year) so that
// entries compare with what was written.
func comparable(es []Entry) []Entry {
	out := make([]Entry, len(es))
	for i, e := range es {
		e.Line, e.Key, e.Rating, e.Year = 0, "", "", ""
		out[i] = e
	}
	return out
}

func TestProfileRoundTrip(t *testing.T) {
	p := oddProfile()
	var buf bytes.Buffer
	if err := WriteProfile(&buf, p); err != nil {
		t.Fatal(err)
	}
	got, err := ParseProfile(buf.Bytes(), "profile.json")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	for _, l := range []struct {
		name      string
		got, want []Entry
		rating    Rating
	}{{"likes", got.Likes, p.Likes, Like}, {"dislikes", got.Dislikes, p.Dislikes, Dislike}, {"read", got.Read, p.Read, Read}} {
		if !reflect.DeepEqual(comparable(l.got), l.want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", l.name, comparable(l.got), l.want)
		}
		for _, e := range l.got {
			if e.Rating != l.rating || e.Key != e.ID || e.Line < 2 || e.Year != e.Date[:min(4, len(e.Date))] {
				t.Errorf("%s: rating %q, key %q, line %d, year %q", l.name, e.Rating, e.Key, e.Line, e.Year)
			}
		}
	}
	for i := range got.Interests {
		got.Interests[i].Line = 0
	}
	if !reflect.DeepEqual(got.Interests, p.Interests) {
		t.Errorf("interests %+v, want %+v", got.Interests, p.Interests)
	}
	// Written again, the same bytes: nothing was lost or changed.
	var again bytes.Buffer
	if err := WriteProfile(&again, *got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Errorf("second write differs:\n%s\nfirst:\n%s", again.Bytes(), buf.Bytes())
	}
	// Parse detects it and flattens it.
	f, err := Parse(buf.Bytes(), "profile.json")
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != FormatProfile || len(f.Entries) != 5 || f.Entries[3].Rating != Dislike || f.Entries[4].Rating != Read || len(f.Interests) != 2 {
		t.Errorf("Parse: %+v", f)
	}
}

func TestProfileGolden(t *testing.T) {
	p := Profile{
		Likes: []Entry{{ID: "1706.03762", ArxivID: "1706.03762", Title: "Attention Is All You Need",
			Abstract: "The dominant sequence transduction models are based on complex recurrent or convolutional neural networks.",
			Authors:  []string{"Ashish Vaswani", "Noam Shazeer"}, Date: "2017-06-12", URL: "https://arxiv.org/abs/1706.03762",
			Category: "cs.CL", At: "2026-11-01T09:00:00Z"}},
		Dislikes:  []Entry{{ID: "title-5d41402abc4b", DOI: "10.1038/nature14539", Title: "Deep learning", At: "2026-11-02T09:30:00Z"}},
		Interests: []Interest{{Text: "spiking neural networks", At: "2026-10-30T08:00:00Z"}},
	}
	var buf bytes.Buffer
	if err := WriteProfile(&buf, p); err != nil {
		t.Fatal(err)
	}
	golden(t, "profile.json", buf.Bytes())
}

func TestProfileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
	}{
		{"not JSON", "{\n  \"papersift_profile\": 1,\n  \"likes\": [}\n", 3, "not valid JSON"},
		{"an array", "[]", 1, "a profile file is a JSON object"},
		{"no version", `{"likes": []}`, 1, `the object has no "papersift_profile" version`},
		{"a newer version", `{"papersift_profile": 2}`, 1, "profile version 2 is newer than this papersift reads (1): upgrade papersift"},
		{"version zero", `{"papersift_profile": 0}`, 1, "profile version 0 is not a version"},
		{"a version that is text", `{"papersift_profile": "1"}`, 1, "papersift_profile holds a string: it is the profile's version"},
		{"unknown key", "{\"papersift_profile\": 1,\n \"liked\": []}", 2, `unknown key "liked"`},
		{"key twice", "{\"papersift_profile\": 1, \"likes\": [],\n \"likes\": []}", 2, `"likes" is given twice`},
		{"unknown paper field", "{\"papersift_profile\": 1, \"likes\": [\n  {\"id\": \"a\"},\n  {\"titel\": \"x\"}]}", 3, `unknown field "titel" in a paper`},
		{"bad arXiv id", "{\"papersift_profile\": 1, \"likes\": [\n  {\"arxiv_id\": \"1706.03762v2\"}]}", 2, `arxiv_id "1706.03762v2" is not an arXiv id without version`},
		{"bad DOI", "{\"papersift_profile\": 1, \"read\": [{\"doi\": \"https://doi.org/10.1/x\"}]}", 1, "is not a DOI in lowercase"},
		{"bad date", "{\"papersift_profile\": 1, \"likes\": [{\"id\": \"a\", \"date\": \"2017\"}]}", 1, `date "2017" is not written YYYY-MM-DD`},
		{"no identity", "{\"papersift_profile\": 1,\n\"likes\": [{\"abstract\": \"x\"}]}", 2, "a paper without id, arxiv_id, doi or title"},
		{"liked and disliked", "{\"papersift_profile\": 1,\n\"likes\": [{\"id\": \"a\"}],\n\"dislikes\": [{\"id\": \"b\"},\n {\"id\": \"a\"}]}", 4, "this paper is disliked and also liked (line 2)"},
		{"trailing data", "{\"papersift_profile\": 1}\n{}", 2, "something follows the profile"},
		{"empty interest", "{\"papersift_profile\": 1, \"interests\": [\"a\",\n \" \"]}", 2, "an interest without text"},
		{"interest of a wrong kind", "{\"papersift_profile\": 1, \"interests\": [3]}", 1, "an interest is a text"},
		{"likes not a list", "{\"papersift_profile\": 1, \"likes\": {}}", 1, "likes must be a list of papers"},
		{"cut short", "{\"papersift_profile\": 1, \"likes\": [{\"id\": \"a\"}", 1, "the file ends inside the profile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseProfile([]byte(tc.in), "p.json")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Source != "p.json" || pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got %v, want line %d and %q", err, tc.line, tc.msg)
			}
		})
	}
}

func TestProfileAcceptsPlainInterestsAndNull(t *testing.T) {
	p, err := ParseProfile([]byte(`{"papersift_profile": 1, "likes": null, "interests": ["graphs", {"text": "fMRI"}]}`), "p.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Likes) != 0 || len(p.Interests) != 2 || p.Interests[0].Text != "graphs" || p.Interests[1].Text != "fMRI" {
		t.Errorf("%+v", p)
	}
}
