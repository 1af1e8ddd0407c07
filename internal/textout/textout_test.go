package textout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rivo/uniseg"
)

func TestCSVCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=1+1", "'=1+1"}, {"+x", "'+x"}, {"-x", "'-x"}, {"@x", "'@x"}, {"\tx", "'\tx"}, {"\rx", "'\rx"},
		{"-1.873", "-1.873"}, {"+2", "+2"}, {"3e-5", "3e-5"}, {"-Inf", "'-Inf"}, {"-0x1p3", "'-0x1p3"},
		{"plain", "plain"}, {"", ""}, {"a=b", "a=b"},
	} {
		if got := CSVCell(c.in); got != c.want {
			t.Errorf("CSVCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "-1.873": true, "+2": true, "2e-5": true, "1E+3": true, "10.25": true,
		"": false, "-": false, "1.": false, ".5": false, "1e": false, "Inf": false, "NaN": false, "0x10": false, "1 2": false,
	} {
		if got := IsNumber(s); got != want {
			t.Errorf("IsNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCutWidth(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a longer title", 8, "a longe…"},
		{"界界界界界", 6, "界界…"}, // two columns a character
	} {
		got := CutWidth(c.in, c.n)
		if got != c.want || uniseg.StringWidth(got) > c.n {
			t.Errorf("CutWidth(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestFitTitle(t *testing.T) {
	title := "A title\nover   two lines that is long enough to be cut"
	if got := FitTitle(title, 0, 10); got != OneLine(title) {
		t.Errorf("width 0 cuts: %q", got)
	}
	if got := FitTitle(title, 40, 10); uniseg.StringWidth(got) != 30 || !strings.HasSuffix(got, "…") {
		t.Errorf("FitTitle(40, 10) = %q, want 30 columns", got)
	}
	if got := FitTitle(title, 40, 39); uniseg.StringWidth(got) != MinCut {
		t.Errorf("FitTitle(40, 39) = %q, want %d columns", got, MinCut)
	}
}

func TestWriteText(t *testing.T) {
	tb := &Table{Head: []string{"id", "title"}, Wide: map[int]int{1: 0}, More: 2, MoreHint: " (all: --limit 0)"}
	tb.Add("a1", "A title\twith a tab and\nnew line")
	tb.Add("b22", strings.Repeat("long ", 20))
	var piped bytes.Buffer
	if err := WriteText(&piped, tb, 0); err != nil {
		t.Fatal(err)
	}
	want := "ID   TITLE\n" +
		"a1   A title with a tab and new line\n" +
		"b22  " + strings.TrimSpace(strings.Repeat("long ", 20)) + "\n" +
		"... and 2 more (all: --limit 0)\n"
	if piped.String() != want {
		t.Errorf("piped:\n%s\nwant:\n%s", piped.String(), want)
	}
	var term bytes.Buffer
	if err := WriteText(&term, tb, 40); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(term.String(), "\n"), "\n") {
		if uniseg.StringWidth(line) > 40 && !strings.HasPrefix(line, "...") {
			t.Errorf("a line of %d columns at 40: %q", uniseg.StringWidth(line), line)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	tb := &Table{Head: []string{"score", "title"}}
	tb.Add("-0.125", "=1+1")
	tb.Add("0.5", `say "hi", then go`)
	var b bytes.Buffer
	if err := WriteCSV(&b, tb); err != nil {
		t.Fatal(err)
	}
	want := "score,title\n-0.125,'=1+1\n0.5,\"say \"\"hi\"\", then go\"\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestWriteMarkdown(t *testing.T) {
	tb := &Table{Head: []string{"n", "text"}}
	tb.Add("-1.5", "a | b")
	var b bytes.Buffer
	if err := WriteMarkdown(&b, tb, strings.ToUpper); err != nil {
		t.Fatal(err)
	}
	want := "| N | TEXT |\n| --- | --- |\n| -1.5 | A \\| B |\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestWriteJSON(t *testing.T) {
	v := map[string]any{"a": "<b>", "n": 1}
	var compact, indented bytes.Buffer
	if err := WriteJSON(&compact, v, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&indented, v, true); err != nil {
		t.Fatal(err)
	}
	if compact.String() != "{\"a\":\"<b>\",\"n\":1}\n" {
		t.Errorf("compact: %q", compact.String())
	}
	if indented.String() != "{\n  \"a\": \"<b>\",\n  \"n\": 1\n}\n" {
		t.Errorf("indented: %q", indented.String())
	}
}
