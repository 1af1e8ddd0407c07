// Package latex turns the LaTeX of bibliography fields (titles, names,
// abstracts) into plain Unicode text, and plain text back into LaTeX that
// decodes to it.
//
// Decode knows what BibTeX files carry: accents in every form
// (Bal\'azs, {\"o}, \"{o}, \c{c}, \v s, \'{\i}), special letters (\ss, \o,
// \aa, \l, \ae...), escaped characters (\&, \%, \_, \{...), dashes and
// quotes (-- and --- as dashes, doubled backquotes and quotes as curly
// double quotes), ties (~), and text commands whose argument it
// keeps (\emph{x}, \textbf{x}, \url{x}, \href{url}{x}). Braces that only
// group are removed. Math ($...$, \(...\)) is left as it is written, since
// arXiv keeps titles' math as LaTeX too. An unknown command with an
// argument gives its argument; one without keeps its name (\alpha).
//
// Neither function panics or loops on any input, and both take time linear
// in their input.
package latex

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxDepth bounds the nesting of groups the decoder recurses into: deeper
// braces are dropped without recursing.
const maxDepth = 64

// accents are the accent commands and the combining marks they stand for.
var accents = map[string]rune{
	"'": '\u0301', "`": '\u0300', "^": '\u0302', "\"": '\u0308', "~": '\u0303',
	"=": '\u0304', ".": '\u0307', "u": '\u0306', "v": '\u030C', "H": '\u030B',
	"c": '\u0327', "k": '\u0328', "d": '\u0323', "b": '\u0331', "r": '\u030A',
	"t": '\u0361',
}

// words are commands that stand for a text of their own.
var words = map[string]string{
	"ss": "ß", "SS": "SS", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
	"o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "l": "ł", "L": "Ł",
	"i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ",
	"ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
	"textendash": "–", "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
	"textquotedblleft": "“", "textquotedblright": "”", "textquotedbl": "\"",
	"textquotesingle": "'", "guillemotleft": "«", "guillemotright": "»",
	"guilsinglleft": "‹", "guilsinglright": "›", "quotedblbase": "„", "quotesinglbase": "‚",
	"ldots": "…", "dots": "…", "textellipsis": "…", "S": "§", "P": "¶",
	"copyright": "©", "textcopyright": "©", "textregistered": "®", "texttrademark": "™",
	"pounds": "£", "textsterling": "£", "euro": "€", "texteuro": "€", "textdegree": "°",
	"textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^",
	"textunderscore": "_", "textbraceleft": "{", "textbraceright": "}", "textbar": "|", "textless": "<", "textgreater": ">",
	"textbullet": "•", "textdagger": "†", "textdaggerdbl": "‡", "textperiodcentered": "·",
	"textexclamdown": "¡", "textquestiondown": "¿", "textordfeminine": "ª", "textordmasculine": "º",
	"textmu": "µ", "textonehalf": "½", "textonequarter": "¼", "textthreequarters": "¾",
	"texttimes": "×", "textdiv": "÷", "textpm": "±",
	"LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX", "LaTeXe": "LaTeX2ε",
	"XeTeX": "XeTeX", "LuaTeX": "LuaTeX", "slash": "/", "ampersand": "&",
	"quad": " ", "qquad": " ", "space": " ", "newline": " ", "par": " ", "linebreak": " ",
	"relax": "", "protect": "", "noindent": "", "nobreak": "", "hyphen": "-",
	"bf": "", "it": "", "em": "", "sc": "", "rm": "", "sf": "", "tt": "", "sl": "",
	"bfseries": "", "itshape": "", "scshape": "", "rmfamily": "", "sffamily": "",
	"ttfamily": "", "upshape": "", "mdseries": "", "normalfont": "", "small": "",
	"footnotesize": "", "large": "", "Large": "", "tiny": "", "huge": "", "normalsize": "",
}

// wrappers are commands whose one argument is their text.
var wrappers = map[string]bool{
	"emph": true, "textit": true, "textbf": true, "textsc": true, "texttt": true,
	"textrm": true, "textsf": true, "textsl": true, "textup": true, "textmd": true,
	"textnormal": true, "text": true, "mbox": true, "hbox": true, "fbox": true,
	"underline": true, "uline": true, "textsuperscript": true, "textsubscript": true,
	"NoCaseChange": true, "nocase": true, "uppercase": true, "lowercase": true,
	"MakeUppercase": true, "MakeLowercase": true, "textenglish": true, "foreignlanguage": false,
	"enquote": true, "mkbibquote": true, "mkbibemph": true, "mkbibitalic": true, "mkbibbold": true,
}

// verbatims are commands whose argument is taken as it is written.
var verbatims = map[string]bool{"url": true, "nolinkurl": true, "path": true, "doi": true}

// Decode returns the plain text a LaTeX field value stands for: accents
// composed (NFC), commands replaced, grouping braces removed, white space
// collapsed to single spaces and trimmed. Math is kept as written.
func Decode(s string) string {
	if !strings.ContainsAny(s, "\\{}$~-`'") {
		return collapse(norm.NFC.String(s))
	}
	d := &decoder{s: s}
	d.text(0, false)
	return collapse(norm.NFC.String(d.b.String()))
}

type decoder struct {
	s string
	i int
	b strings.Builder
}

// text decodes until the end, or, in a group, until its closing brace
// (which it consumes).
func (d *decoder) text(depth int, group bool) {
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch c {
		case '}':
			d.i++
			if group {
				return
			}
			// A stray closing brace is dropped.
		case '{':
			d.i++
			if depth < maxDepth {
				d.text(depth+1, true)
			}
		case '\\':
			d.command(depth)
		case '$':
			d.math()
		case '~':
			d.i++
			d.b.WriteByte(' ')
		case '-':
			n := 1
			for d.i+n < len(d.s) && d.s[d.i+n] == '-' && n < 3 {
				n++
			}
			d.i += n
			switch n {
			case 3:
				d.b.WriteString("—")
			case 2:
				d.b.WriteString("–")
			default:
				d.b.WriteByte('-')
			}
		case '`', '\'':
			if d.i+1 < len(d.s) && d.s[d.i+1] == c {
				d.i += 2
				if c == '`' {
					d.b.WriteString("“")
				} else {
					d.b.WriteString("”")
				}
				continue
			}
			d.i++
			d.b.WriteByte(c)
		default:
			d.i++
			d.b.WriteByte(c)
		}
	}
}

// math copies $...$ or $$...$$ as written, to the end when unclosed.
func (d *decoder) math() {
	end, _ := mathEnd(d.s, d.i)
	d.b.WriteString(d.s[d.i:end])
	d.i = end
}

// mathEnd returns the end of the math that starts with the $ at s[i] (just
// past its closing $ or $$) and true, or len(s) and false when it is not
// closed. Inside math a backslash escapes the next character.
func mathEnd(s string, i int) (int, bool) {
	delim := "$"
	if strings.HasPrefix(s[i:], "$$") {
		delim = "$$"
	}
	j := i + len(delim)
	for j < len(s) {
		switch {
		case s[j] == '\\':
			j += 2
		case strings.HasPrefix(s[j:], delim):
			return j + len(delim), true
		default:
			j++
		}
	}
	return len(s), false
}

// command decodes the command at d.s[d.i] == '\\'.
func (d *decoder) command(depth int) {
	d.i++
	if d.i >= len(d.s) {
		return
	}
	c := d.s[d.i]
	if !isLetter(c) {
		d.i++
		name := string(c)
		if mark, ok := accents[name]; ok {
			d.accent(mark, depth)
			return
		}
		switch c {
		case '\\', ' ', '\t', '\n', '\r', ',', ';', ':', '>', '<':
			d.b.WriteByte(' ')
		case '-', '/', '!', '@':
		case '(':
			d.inlineMath()
		default:
			if c >= utf8.RuneSelf {
				d.i-- // a backslash before a non-ASCII character: keep the character
				return
			}
			d.b.WriteByte(c) // \& \% \$ \# \_ \{ \}
		}
		return
	}
	start := d.i
	for d.i < len(d.s) && isLetter(d.s[d.i]) {
		d.i++
	}
	name := d.s[start:d.i]
	skipped := d.skipSpace()
	if mark, ok := accents[name]; ok {
		d.accent(mark, depth)
		return
	}
	if w, ok := words[name]; ok {
		d.b.WriteString(w)
		d.emptyGroup()
		return
	}
	switch {
	case verbatims[name]:
		if arg, ok := d.rawGroup(); ok {
			d.b.WriteString(arg)
		}
		return
	case name == "href":
		d.rawGroup() // the link
		d.argument(depth)
		return
	case name == "foreignlanguage" || name == "textlang":
		d.rawGroup() // the language
		d.argument(depth)
		return
	case wrappers[name]:
		d.argument(depth)
		return
	}
	if d.i < len(d.s) && d.s[d.i] == '{' && !strings.HasPrefix(d.s[d.i:], "{}") {
		d.argument(depth) // an unknown command: its argument is the text
		return
	}
	d.b.WriteString(d.s[start-1 : start+len(name)]) // keep \name
	if skipped {
		d.b.WriteByte(' ')
	}
	d.emptyGroup()
}

// inlineMath copies \( ... \) as written.
func (d *decoder) inlineMath() {
	start := d.i - 2
	end := strings.Index(d.s[d.i:], `\)`)
	if end < 0 {
		d.i = len(d.s)
	} else {
		d.i += end + 2
	}
	d.b.WriteString(d.s[start:d.i])
}

// accent puts a combining mark on the next letter: a group's first
// letter, a command's letter (\i, \j) or the next character.
func (d *decoder) accent(mark rune, depth int) {
	if d.i >= len(d.s) {
		return
	}
	var base string
	switch c := d.s[d.i]; c {
	case '{':
		d.i++
		if depth >= maxDepth {
			return
		}
		sub := &decoder{s: d.s, i: d.i}
		sub.text(depth+1, true)
		d.i = sub.i
		base = sub.b.String()
	case '\\':
		sub := &decoder{s: d.s, i: d.i}
		sub.command(depth + 1)
		d.i = sub.i
		base = sub.b.String()
	case '}':
		return
	default:
		r, n := utf8.DecodeRuneInString(d.s[d.i:])
		d.i += n
		base = string(r)
	}
	r, n := utf8.DecodeRuneInString(base)
	switch r {
	case 'ı':
		r = 'i'
	case 'ȷ':
		r = 'j'
	case utf8.RuneError:
		if n == 0 {
			return // \'{}: an accent on nothing
		}
	}
	// The mark goes after the letter's own marks (\~{\^e} is ễ).
	first := n
	for n < len(base) {
		m, size := utf8.DecodeRuneInString(base[n:])
		if !unicode.Is(unicode.Mn, m) {
			break
		}
		n += size
	}
	d.b.WriteRune(r)
	d.b.WriteString(base[first:n])
	d.b.WriteRune(mark)
	d.b.WriteString(base[n:])
}

// argument decodes a command's argument: a group, or the next character.
func (d *decoder) argument(depth int) {
	if d.i >= len(d.s) {
		return
	}
	switch c := d.s[d.i]; c {
	case '{':
		d.i++
		if depth < maxDepth {
			d.text(depth+1, true)
		}
	case '}':
	case '\\':
		d.command(depth + 1)
	default:
		_, n := utf8.DecodeRuneInString(d.s[d.i:])
		d.b.WriteString(d.s[d.i : d.i+n])
		d.i += n
	}
}

// rawGroup returns a balanced group's content as written and moves past it.
func (d *decoder) rawGroup() (string, bool) {
	if d.i >= len(d.s) || d.s[d.i] != '{' {
		return "", false
	}
	depth := 0
	for j := d.i; j < len(d.s); j++ {
		switch d.s[j] {
		case '\\':
			j++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				arg := d.s[d.i+1 : j]
				d.i = j + 1
				return arg, true
			}
		}
	}
	arg := d.s[d.i+1:]
	d.i = len(d.s)
	return arg, true
}

// emptyGroup consumes a {} that ends a command (\ss{}).
func (d *decoder) emptyGroup() {
	if strings.HasPrefix(d.s[d.i:], "{}") {
		d.i += 2
	}
}

// skipSpace skips the white space after a command word, as TeX does, and
// reports whether there was any.
func (d *decoder) skipSpace() bool {
	start := d.i
	for d.i < len(d.s) && (d.s[d.i] == ' ' || d.s[d.i] == '\t' || d.s[d.i] == '\n' || d.s[d.i] == '\r') {
		d.i++
	}
	return d.i > start
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// collapse turns every run of white space into one space and trims.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Escape returns LaTeX that Decode turns back into s (with its white space
// collapsed), fit for a BibTeX field in braces: the characters LaTeX treats
// specially are escaped (braces as \textbraceleft{} and \textbraceright{},
// since BibTeX counts every brace, escaped or not), ligatures (doubled
// hyphens, backquotes and quotes) are broken with {}, and math ($...$ with its closing $ and balanced
// braces) is kept as written. Other characters, accented ones included,
// stay as they are: BibTeX files are UTF-8 today.
func Escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	// Once math from some $ (or $$) is found unclosed, math from every later
	// one is too (the scans meet), so it is not looked for again.
	var noSingle, noDouble bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '$':
			double := strings.HasPrefix(s[i:], "$$")
			if double && noDouble || !double && noSingle {
				b.WriteString(`\$`)
				continue
			}
			end, ok := mathEnd(s, i)
			if !ok {
				noDouble = noDouble || double
				noSingle = noSingle || !double
			}
			if ok && balanced(s[i:end]) {
				for _, m := range []byte(s[i:end]) {
					if m == '\n' || m == '\r' || m == '\t' {
						m = ' '
					}
					b.WriteByte(m)
				}
				i = end - 1
				continue
			}
			b.WriteString(`\$`)
		case '\\':
			b.WriteString(`\textbackslash{}`)
		case '{':
			b.WriteString(`\textbraceleft{}`)
		case '}':
			b.WriteString(`\textbraceright{}`)
		case '%', '&', '#', '_':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '~':
			b.WriteString(`\textasciitilde{}`)
		case '^':
			b.WriteString(`\textasciicircum{}`)
		case '-', '`', '\'':
			b.WriteByte(c)
			if i+1 < len(s) && s[i+1] == c {
				b.WriteString("{}")
			}
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// balanced reports whether every brace of s is closed, counting them as
// BibTeX does (a backslash does not escape a brace).
func balanced(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}
