// Package sanitize makes text from papers and servers safe to print on a
// terminal: no control character, escape sequence or bidirectional override
// in it can act on the terminal or hide what is shown.
//
// Every text output of papersift (tables, CSV, Markdown, messages on stderr)
// goes through it; JSON output does not (its encoder escapes control
// characters, and scripts get the data exactly).
//
// What it does to each character:
//   - C0 controls (ESC, BEL, backspace, carriage return...) and DEL become
//     visible as their Unicode control pictures (␛, ␇, ␈, ␍, ␡); newline
//     and tab are kept;
//   - C1 controls (U+0080 to U+009F) and invalid UTF-8 become U+FFFD (�);
//   - bidirectional controls (U+202A to U+202E, U+2066 to U+2069, U+200E,
//     U+200F, U+061C) and invisible characters (zero-width space and
//     joiners, word joiner, invisible operators, byte order mark, soft
//     hyphen, Mongolian vowel separator) are dropped;
//   - the line and paragraph separators U+2028 and U+2029 become spaces.
package sanitize

import (
	"io"
	"strings"
	"unicode/utf8"
)

// action is what happens to a rune.
type action uint8

const (
	keep action = iota
	picture
	replace
	drop
	space
)

func classify(r rune) action {
	switch {
	case r == '\n' || r == '\t':
		return keep
	case r < 0x20 || r == 0x7f:
		return picture
	case r < 0x80:
		return keep
	case r <= 0x9f:
		return replace
	case r == utf8.RuneError:
		return replace
	}
	switch r {
	case 0x2028, 0x2029: // line and paragraph separators
		return space
	case 0x00ad, // soft hyphen
		0x061c,                 // Arabic letter mark
		0x180e,                 // Mongolian vowel separator
		0x200b, 0x200c, 0x200d, // zero-width space, non-joiner, joiner
		0x200e, 0x200f, // left-to-right and right-to-left marks
		0x202a, 0x202b, 0x202c, 0x202d, 0x202e, // embeddings and overrides
		0x2060, 0x2061, 0x2062, 0x2063, 0x2064, // word joiner, invisible operators
		0x2066, 0x2067, 0x2068, 0x2069, // isolates
		0xfeff: // byte order mark, zero-width no-break space
		return drop
	}
	return keep
}

// Needed reports whether s holds anything String would change.
func Needed(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if classify(rune(c)) != keep {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || classify(r) != keep {
			return true
		}
		i += size
	}
	return false
}

// String returns s made safe to print; s itself when it is already.
func String(s string) string {
	if !Needed(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		switch classify(r) {
		case keep:
			b.WriteString(s[i : i+size])
		case picture:
			if r == 0x7f {
				b.WriteRune(0x2421) // ␡
			} else {
				b.WriteRune(0x2400 + r) // ␀ to ␟
			}
		case replace:
			b.WriteRune(utf8.RuneError)
		case space:
			b.WriteByte(' ')
		}
		i += size
	}
	return b.String()
}

// Visible reports whether s shows anything: a character that is neither
// white space, a control nor invisible.
func Visible(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || classify(r) != keep {
			continue
		}
		if r <= ' ' || r == 0xa0 || isSpace(r) {
			continue
		}
		return true
	}
	return false
}

// isSpace is Unicode white space beyond ASCII.
func isSpace(r rune) bool {
	switch r {
	case 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// Writer sanitises what is written through it. A character split between
// two writes is held until its end arrives; Flush writes what is held.
type Writer struct {
	w       io.Writer
	pending []byte
}

// NewWriter returns a Writer that writes the sanitised text to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write sanitises p and writes it; it reports len(p) on success.
func (s *Writer) Write(p []byte) (int, error) {
	buf := p
	if len(s.pending) > 0 {
		buf = append(s.pending, p...)
		s.pending = nil
	}
	// hold an incomplete character at the end
	cut := len(buf)
	for k := 1; k <= utf8.UTFMax-1 && k <= len(buf); k++ {
		c := buf[len(buf)-k]
		if c < utf8.RuneSelf {
			break
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(buf[len(buf)-k:]) {
				cut = len(buf) - k
			}
			break
		}
	}
	if cut < len(buf) {
		s.pending = append([]byte(nil), buf[cut:]...)
	}
	if cut > 0 {
		if _, err := io.WriteString(s.w, String(string(buf[:cut]))); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes a character left incomplete (as U+FFFD).
func (s *Writer) Flush() error {
	if len(s.pending) == 0 {
		return nil
	}
	s.pending = nil
	_, err := io.WriteString(s.w, string(utf8.RuneError))
	return err
}
