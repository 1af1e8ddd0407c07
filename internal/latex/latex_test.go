package latex

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain", "Attention Is All You Need", "Attention Is All You Need"},
		{"acute bare", `Bal\'azs`, "Balázs"},
		{"umlaut in group", `Schr{\"o}dinger`, "Schrödinger"},
		{"umlaut with group argument", `Schr\"{o}dinger`, "Schrödinger"},
		{"cedilla", `Fran\c{c}ois`, "François"},
		{"cedilla spaced", `Fran\c cois`, "François"},
		{"caron", `Dvo\v{r}\'ak`, "Dvořák"},
		{"dotless i", `Mart\'{\i}nez`, "Martínez"},
		{"dotless i bare", `Mart\'\i nez`, "Martínez"},
		{"eszett", `Stra\ss e`, "Straße"},
		{"eszett braced", `Gau{\ss}`, "Gauß"},
		{"eszett empty group", `Wei\ss{}mann`, "Weißmann"},
		{"o slash", `Bj{\o}rn`, "Bjørn"},
		{"ring", `\AA{}ngstr\"om`, "Ångström"},
		{"ogonek and stroke", `{\L}ukasz Kami\'nski and Ch\k{e}ci\'nski`, "Łukasz Kamiński and Chęciński"},
		{"double acute", `Erd\H{o}s`, "Erdős"},
		{"tilde accent", `Pe\~na`, "Peña"},
		{"circumflex", `H\^opital`, "Hôpital"},
		{"grave", "Cr\\`eme", "Crème"},
		{"macron", `\=a`, "ā"},
		{"dot above", `\.Z`, "Ż"},
		{"stacked accents", `Nguy{\~{\^e}}n`, "Nguyễn"},
		{"dot below", `Th{\d{i}}`, "Thị"},
		{"accent on a group", `\'{ab}`, "áb"},
		{"accent on no letter", `a\'{}b`, "ab"},
		{"en dash", "pages 1--10", "pages 1–10"},
		{"em dash", "yes---no", "yes—no"},
		{"four hyphens", "a----b", "a—-b"},
		{"single hyphen", "state-of-the-art", "state-of-the-art"},
		{"quotes", "``quoted''", "“quoted”"},
		{"apostrophe kept", "O'Brien's", "O'Brien's"},
		{"braces removed", "{BERT}: Pre-training of {D}eep {T}ransformers", "BERT: Pre-training of Deep Transformers"},
		{"double braces", "{{GPT-4}} Technical Report", "GPT-4 Technical Report"},
		{"ampersand", `Research \& Development`, "Research & Development"},
		{"escapes", `100\% of \$5, \#1 \_x \{y\}`, "100% of $5, #1 _x {y}"},
		{"tie", `D.~E. Knuth`, "D. E. Knuth"},
		{"math kept", `$\alpha$-divergence and $O(n^2)$ time`, `$\alpha$-divergence and $O(n^2)$ time`},
		{"math braces kept", `$\mathcal{O}(1)$ {Fast}`, `$\mathcal{O}(1)$ Fast`},
		{"math dashes kept", `$a--b$ a--b`, `$a--b$ a–b`},
		{"display math", `$$x_{1}$$ y`, `$$x_{1}$$ y`},
		{"escaped dollar in math", `$a\$b$ c`, `$a\$b$ c`},
		{"unclosed math", `costs $5`, `costs $5`},
		{"paren math", `\(x^2\) {y}`, `\(x^2\) y`},
		{"emph", `\emph{Deep} learning`, "Deep learning"},
		{"textbf nested", `\textbf{\textit{Big} Data}`, "Big Data"},
		{"em switch", `{\em Deep} learning`, "Deep learning"},
		{"unknown with argument", `\mycommand{Kept} text`, "Kept text"},
		{"unknown without argument", `the \alpha{} and \beta value`, `the \alpha and \beta value`},
		{"url verbatim", `\url{https://x.org/a--b_c}`, "https://x.org/a--b_c"},
		{"href text", `\href{https://x.org}{the {Site}}`, "the Site"},
		{"logos", `\LaTeX{} and \TeX\ and \BibTeX`, "LaTeX and TeX and BibTeX"},
		{"symbols", `\textendash\textemdash\ldots\S\copyright`, "–—…§©"},
		{"backslash space", `a\ b\\c`, "a b c"},
		{"hyphenation hint", `hy\-phen`, "hyphen"},
		{"white space collapsed", "  Deep\n\t  Learning  ", "Deep Learning"},
		{"stray closing brace", "a}b{c", "abc"},
		{"unclosed group", "a{b", "ab"},
		{"lone backslash", `a\`, "a"},
		{"non-ASCII after backslash", `\é`, "é"},
		{"already Unicode", "Müller and Ñandú", "Müller and Ñandú"},
		{"composed with NFC", "e\u0301", "é"},
		{"braced escapes", `\textbraceleft{}x\textbraceright{} \textbackslash{}n \textasciitilde{}\textasciicircum{}`, `{x} \n ~^`},
		{"broken ligatures", "a-{}-b `{}` '{}'", "a--b `` ''"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Decode(tc.in); got != tc.want {
				t.Errorf("Decode(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain", "Deep Learning", "Deep Learning"},
		{"specials", `50% & #1 _x`, `50\% \& \#1 \_x`},
		{"braces", "{x}", `\textbraceleft{}x\textbraceright{}`},
		{"backslash", `a\b`, `a\textbackslash{}b`},
		{"ligatures", "1--2 ``a'' ---", "1-{}-2 `{}`a'{}' -{}-{}-"},
		{"math kept", `$\alpha$-nets`, `$\alpha$-nets`},
		{"unclosed math", "costs $5", `costs \$5`},
		{"math with unbalanced braces", `${x$`, `\$\textbraceleft{}x\$`},
		{"unicode kept", "Müller–Łukasz", "Müller–Łukasz"},
		{"newlines", "a\nb", "a b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Escape(tc.in)
			if got != tc.want {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if back, want := Decode(got), collapse(norm.NFC.String(tc.in)); back != want {
				t.Errorf("Decode(Escape(%q)) = %q, want %q", tc.in, back, want)
			}
		})
	}
}

// FuzzDecode: no input makes Decode panic or hang, and its output is
// collapsed, NFC text.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`Bal\'azs`, `{\"o}`, `\c{c}`, `\ss`, `a--b`, `$x$`, `\(`, `\href{`, `\'{\'{\'{`, `{{{{`, `}}}}`, `\`, "$$", `\url{`, "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Decode(s)
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("Decode(%q) = %q: white space not collapsed", s, got)
		}
		if utf8.ValidString(s) && !norm.NFC.IsNormalString(got) {
			t.Fatalf("Decode(%q) = %q is not NFC", s, got)
		}
	})
}

// FuzzEscape: Decode undoes Escape, and Escape's output has balanced
// braces (it must fit in a BibTeX field).
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"a--b", "$x$", "$x", "{", `\`, "``''", "$$a$", `$a\$`, "$}{$", "~^%&#_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		e := Escape(s)
		if !balanced(e) {
			t.Fatalf("Escape(%q) = %q: unbalanced braces", s, e)
		}
		if strings.ContainsAny(e, "\n\r") {
			t.Fatalf("Escape(%q) = %q: a line break", s, e)
		}
		if back, want := Decode(e), collapse(norm.NFC.String(s)); back != want {
			t.Fatalf("Decode(Escape(%q)) = %q (escaped %q), want %q", s, back, e, want)
		}
	})
}
