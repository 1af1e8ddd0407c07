package sanitize

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain title", "plain title"},
		{"Ünïcödé — 日本語 ok", "Ünïcödé — 日本語 ok"},
		{"two\nlines\tand tab", "two\nlines\tand tab"},
		{"\x1b]0;owned\x07title", "␛]0;owned␇title"},
		{"\x1b[2J\x1b[Hclear", "␛[2J␛[Hclear"},
		{"back\bspace\rreturn\x7f", "back␈space␍return␡"},
		{"c1 \u009b31m csi", "c1 \ufffd31m csi"},
		{"bad \xff utf8", "bad \ufffd utf8"},
		{"evil\u202egnp.exe", "evilgnp.exe"},
		{"zero\u200bwidth\u200d\ufeff\u2066x\u2069", "zerowidthx"},
		{"line\u2028sep", "line sep"},
		{"nul\x00byte", "nul␀byte"},
	} {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
		if Needed(c.in) != (c.in != c.want) {
			t.Errorf("Needed(%q) = %v", c.in, Needed(c.in))
		}
		if got := String(c.in); !utf8.ValidString(got) {
			t.Errorf("String(%q) is not valid UTF-8", c.in)
		}
	}
}

func TestVisible(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"a", true},
		{"", false},
		{" \t\n", false},
		{"\x07", false},
		{"\u200b\u200b\ufeff", false},
		{"\u00a0\u3000\u2003", false},
		{"\x1b[0m", true}, // "[0m" shows
		{"\u202eX", true},
	} {
		if got := Visible(c.in); got != c.want {
			t.Errorf("Visible(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestWriterSplits writes hostile text one byte at a time: a character
// split between writes comes out whole, and nothing raw gets through.
func TestWriterSplits(t *testing.T) {
	in := "日本\x1b]0;x\x07 \u202e évé \xe2\x80"
	for _, step := range []int{1, 2, 3, 5, len(in)} {
		var out bytes.Buffer
		w := NewWriter(&out)
		for i := 0; i < len(in); i += step {
			n, err := w.Write([]byte(in[i:min(i+step, len(in))]))
			if err != nil || n != min(step, len(in)-i) {
				t.Fatalf("step %d: Write = %d, %v", step, n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		want := "日本␛]0;x␇  évé \ufffd"
		if out.String() != want {
			t.Errorf("step %d: got %q, want %q", step, out.String(), want)
		}
		if strings.ContainsAny(out.String(), "\x1b\x07\u202e") {
			t.Errorf("step %d: raw control in %q", step, out.String())
		}
	}
}

func FuzzString(f *testing.F) {
	f.Add("\x1b]0;t\x07 \u202e \xff")
	f.Fuzz(func(t *testing.T, s string) {
		got := String(s)
		if !utf8.ValidString(got) {
			t.Fatalf("String(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if r != '\n' && r != '\t' && (r < 0x20 || r >= 0x7f && r <= 0x9f) || classify(r) == drop {
				t.Fatalf("String(%q) = %q keeps %U", s, got, r)
			}
		}
		if String(got) != got {
			t.Fatalf("String is not idempotent on %q", s)
		}
	})
}
