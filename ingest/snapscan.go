package ingest

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The arXiv snapshot's lines are read by a scanner of their own: one pass
// over the line that checks it is JSON, decodes only the fields a paper
// keeps (the first version's date, not every version; the abstract
// unescaped and its white space collapsed at once) and allocates little,
// several times the speed of a general JSON decoder. It takes the plain
// shape of the snapshot only: anything else (invalid JSON, a field of
// another type, a key escaped or in another case, null inside an array, a
// key twice that holds an array, a surrogate escape, deep nesting) is
// left to the JSON decoder (snapshotRecord), the reference, which gives
// the same paper for every line the scanner takes (FuzzSnapshotScan).

// snapshotFields are what a paper is made of, from either reader.
type snapshotFields struct {
	id, title, journal, doi, categories, updateDate, created string

	abstract string
	cleaned  bool // abstract has its white space collapsed already

	names []string // authors_parsed as "First Last Suffix", before LaTeX decoding

	// the authors string, when authors_parsed gives no name: decoded
	// (authors), or as the line has it (authorsJSON, scanned, decoded
	// only when needed)
	authors     string
	authorsJSON []byte
}

// authorsString is the authors string.
func (f *snapshotFields) authorsString() string {
	if f.authorsJSON == nil {
		return f.authors
	}
	s := jsonScanner{b: f.authorsJSON}
	b, _ := s.str(nil, false)
	return string(b)
}

// fields are a decoded record's snapshotFields.
func (r *snapshotRecord) fields() snapshotFields {
	f := snapshotFields{id: r.ID, authors: r.Authors, title: r.Title, journal: r.JournalRef, doi: r.DOI,
		categories: r.Categories, updateDate: r.UpdateDate, abstract: r.Abstract}
	if len(r.Versions) > 0 {
		f.created = r.Versions[0].Created
	}
	for _, a := range r.AuthorsParsed {
		name := ""
		for _, i := range [3]int{1, 0, 2} { // first, last, suffix
			if i < len(a) {
				if s := strings.TrimSpace(a[i]); s != "" && name != "" {
					name += " " + s
				} else if s != "" {
					name = s
				}
			}
		}
		f.names = append(f.names, name)
	}
	return f
}

// jsonScanner reads JSON from b at i.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jsonScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *jsonScanner) lit(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// scanSnapshot reads a snapshot line (trimmed) into f; false when it is
// not of the plain shape the scanner takes. scratch is working space.
func scanSnapshot(line []byte, f *snapshotFields, scratch *[]byte) bool {
	s := jsonScanner{b: line}
	if !s.eat('{') {
		return false
	}
	s.ws()
	if s.eat('}') {
		return s.end()
	}
	var seenVersions, seenAuthors bool
	for {
		s.ws()
		key, ok := s.key()
		if !ok {
			return false
		}
		s.ws()
		if !s.eat(':') {
			return false
		}
		s.ws()
		switch string(key) {
		case "id":
			ok = s.field(&f.id, scratch)
		case "authors":
			if s.lit("null") {
				break
			}
			start := s.i
			var b []byte
			if b, ok = s.str((*scratch)[:0], false); ok {
				*scratch = b
				f.authorsJSON = line[start:s.i]
			}
		case "title":
			ok = s.title(f, scratch)
		case "journal-ref":
			ok = s.field(&f.journal, scratch)
		case "doi":
			ok = s.field(&f.doi, scratch)
		case "categories":
			ok = s.field(&f.categories, scratch)
		case "update_date":
			ok = s.field(&f.updateDate, scratch)
		case "abstract":
			if s.lit("null") {
				break
			}
			var b []byte
			if b, ok = s.str((*scratch)[:0], true); ok {
				*scratch = b
				f.abstract, f.cleaned = string(b), true
			}
		case "versions":
			ok = !seenVersions && s.versions(f, scratch)
			seenVersions = true
		case "authors_parsed":
			ok = !seenAuthors && s.authorsParsed(f, scratch)
			seenAuthors = true
		default:
			ok = !snapshotKey(key) && s.skip(0)
		}
		if !ok {
			return false
		}
		s.ws()
		if s.eat(',') {
			continue
		}
		return s.eat('}') && s.end()
	}
}

func (s *jsonScanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// snapshotKey reports whether a key that is not one of the kept fields
// as written might still be one for a JSON decoder, which matches keys
// without regard to case (and folds some non-ASCII letters to ASCII).
func snapshotKey(key []byte) bool {
	var lower [32]byte
	upper := false
	for i, c := range key {
		if c >= utf8.RuneSelf {
			return true
		}
		if i >= len(lower) {
			return false // longer than any of them
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
			upper = true
		}
		lower[i] = c
	}
	if !upper {
		return false // the kept fields as written are read as such
	}
	switch string(lower[:len(key)]) {
	case "id", "authors", "title", "journal-ref", "doi", "categories", "update_date", "abstract", "versions", "authors_parsed":
		return true
	}
	return false
}

// foldsTo reports whether a JSON decoder might take key for k: the same
// letters in another case, or any key with non-ASCII letters.
func foldsTo(key []byte, k string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return strings.EqualFold(string(key), k)
}

// key reads an object's key: a string without escapes or control bytes.
func (s *jsonScanner) key() ([]byte, bool) {
	if !s.eat('"') {
		return nil, false
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], true
		case c == '\\' || c < ' ':
			return nil, false
		}
		s.i++
	}
	return nil, false
}

// field reads a string field: a string, or null, which leaves it as it is
// (as a JSON decoder does).
func (s *jsonScanner) field(dst *string, scratch *[]byte) bool {
	if s.lit("null") {
		return true
	}
	b, ok := s.str((*scratch)[:0], false)
	if ok {
		*scratch = b
		*dst = string(b)
	}
	return ok
}

// title reads the title: when it holds no LaTeX, with its white space
// collapsed (decodeLaTeX then keeps it as it is).
func (s *jsonScanner) title(f *snapshotFields, scratch *[]byte) bool {
	if s.lit("null") {
		return true
	}
	start := s.i
	b, ok := s.str((*scratch)[:0], false)
	if !ok {
		return false
	}
	if plainLaTeX(b) != asciiText {
		*scratch = b
		f.title = string(b)
		return true
	}
	s.i = start
	b, _ = s.str(b[:0], true)
	*scratch = b
	f.title = string(b)
	return true
}

// versions reads the versions, keeping the first one's "created".
func (s *jsonScanner) versions(f *snapshotFields, scratch *[]byte) bool {
	f.created = ""
	if s.lit("null") {
		return true
	}
	if !s.eat('[') {
		return false
	}
	s.ws()
	if s.eat(']') {
		return true
	}
	for first := true; ; first = false {
		s.ws()
		if !s.eat('{') {
			return false
		}
		s.ws()
		if !s.eat('}') {
			for {
				s.ws()
				key, ok := s.key()
				if !ok {
					return false
				}
				s.ws()
				if !s.eat(':') {
					return false
				}
				s.ws()
				switch {
				case string(key) == "created":
					if first {
						b, ok := s.str((*scratch)[:0], false)
						if !ok {
							return false
						}
						*scratch = b
						f.created = string(b)
					} else if s.peek() != '"' || !s.skip(0) {
						return false
					}
				case foldsTo(key, "created"):
					return false
				default:
					if !s.skip(0) {
						return false
					}
				}
				s.ws()
				if s.eat(',') {
					continue
				}
				if !s.eat('}') {
					return false
				}
				break
			}
		}
		s.ws()
		if s.eat(',') {
			continue
		}
		return s.eat(']')
	}
}

// authorsParsed reads authors_parsed, [[last, first, suffix, ...], ...],
// into names.
func (s *jsonScanner) authorsParsed(f *snapshotFields, scratch *[]byte) bool {
	f.names = nil
	if s.lit("null") {
		return true
	}
	if !s.eat('[') {
		return false
	}
	s.ws()
	if s.eat(']') {
		return true
	}
	for {
		s.ws()
		if !s.eat('[') {
			return false
		}
		var parts [3][2]int // the first three strings, in scratch
		b := (*scratch)[:0]
		s.ws()
		if !s.eat(']') {
			for n := 0; ; n++ {
				s.ws()
				if s.peek() != '"' {
					return false
				}
				if n < 3 {
					start := len(b)
					var ok bool
					if b, ok = s.str(b, false); !ok {
						return false
					}
					parts[n] = [2]int{start, len(b)}
				} else if !s.skip(0) {
					return false
				}
				s.ws()
				if s.eat(',') {
					continue
				}
				if !s.eat(']') {
					return false
				}
				break
			}
		}
		*scratch = b
		// "First Last Suffix", as fields makes it of the decoded record
		var name []byte
		for _, i := range [3]int{1, 0, 2} {
			p := bytes.TrimSpace(b[parts[i][0]:parts[i][1]])
			if len(p) == 0 {
				continue
			}
			if name == nil {
				name = make([]byte, 0, parts[0][1]-parts[0][0]+parts[1][1]-parts[1][0]+parts[2][1]-parts[2][0]+2)
			} else {
				name = append(name, ' ')
			}
			name = append(name, p...)
		}
		f.names = append(f.names, string(name))
		s.ws()
		if s.eat(',') {
			continue
		}
		return s.eat(']')
	}
}

const (
	quotes     = 0x2222222222222222
	backslashs = 0x5c5c5c5c5c5c5c5c
)

// str decodes the JSON string at s.i and appends it to dst; collapse
// collapses its white space as clean does. Control bytes, bad escapes and
// surrogate escapes (which a decoder may replace) are refused.
func (s *jsonScanner) str(dst []byte, collapse bool) ([]byte, bool) {
	if !s.eat('"') {
		return dst, false
	}
	start := len(dst)
	space := false // white space is pending (collapse)
	put := func(p []byte) {
		if collapse {
			if (space || len(dst) == start) && len(p) > 0 && p[0] == ' ' {
				p = p[1:] // a plain run's first space belongs to the run of white space before it
			}
			if len(p) == 0 {
				return
			}
			if space && len(dst) > start {
				dst = append(dst, ' ')
			}
			space = false
		}
		dst = append(dst, p...)
	}
	white := func() { // white space, when collapsing
		if n := len(dst); n > start && dst[n-1] == ' ' {
			dst = dst[:n-1] // a plain run's last space was the start of this run
		}
		space = true
	}
	b := s.b
	for {
		// a plain run: no quote, backslash, control or non-ASCII byte, or double space
		i := s.i
		for ; i+9 <= len(b); i += 8 {
			w, next := loadBytes64(b, i), loadBytes64(b, i+1)
			m := (^((w & low7s) + 0x6060606060606060) | w) & highs
			m |= zeroBytes(w^quotes) | zeroBytes(w^backslashs)
			m |= zeroBytes(w^spaces) & zeroBytes(next^spaces)
			if m != 0 {
				i += bits.TrailingZeros64(m) / 8
				goto special
			}
		}
		for ; i < len(b); i++ {
			if c := b[i]; c < ' ' || c >= utf8.RuneSelf || c == '"' || c == '\\' || (c == ' ' && i+1 < len(b) && b[i+1] == ' ') {
				break
			}
		}
	special:
		put(b[s.i:i])
		s.i = i
		if i >= len(b) {
			return dst, false // no closing quote
		}
		c := b[i]
		switch {
		case c == '"':
			s.i++
			if collapse {
				if n := len(dst); n > start && dst[n-1] == ' ' {
					dst = dst[:n-1]
				}
			}
			return dst, true
		case c < ' ':
			return dst, false
		case c == ' ': // a double space
			s.i++
			if collapse {
				white()
			} else {
				dst = append(dst, ' ')
			}
		case c == '\\':
			if i+1 >= len(b) {
				return dst, false
			}
			var r rune
			switch b[i+1] {
			case '"', '\\', '/':
				r = rune(b[i+1])
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				if i+6 > len(b) {
					return dst, false
				}
				for _, h := range b[i+2 : i+6] {
					var d byte
					switch {
					case '0' <= h && h <= '9':
						d = h - '0'
					case 'a' <= h && h <= 'f':
						d = h - 'a' + 10
					case 'A' <= h && h <= 'F':
						d = h - 'A' + 10
					default:
						return dst, false
					}
					r = r<<4 | rune(d)
				}
				if utf16Surrogate(r) {
					return dst, false
				}
				s.i += 4
			default:
				return dst, false
			}
			s.i += 2
			if collapse && unicode.IsSpace(r) {
				white()
				continue
			}
			var enc [utf8.UTFMax]byte
			n := utf8.EncodeRune(enc[:], r)
			put(enc[:n])
		default: // non-ASCII
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				return dst, false
			}
			s.i += size
			if collapse && unicode.IsSpace(r) {
				white()
				continue
			}
			put(b[i : i+size])
		}
	}
}

func utf16Surrogate(r rune) bool { return 0xd800 <= r && r < 0xe000 }

// skip reads any JSON value, checking it.
func (s *jsonScanner) skip(depth int) bool {
	if depth > 32 {
		return false
	}
	switch s.peek() {
	case '"':
		return s.skipString()
	case '{':
		s.i++
		s.ws()
		if s.eat('}') {
			return true
		}
		for {
			s.ws()
			if !s.skipString() {
				return false
			}
			s.ws()
			if !s.eat(':') {
				return false
			}
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(',') {
				continue
			}
			return s.eat('}')
		}
	case '[':
		s.i++
		s.ws()
		if s.eat(']') {
			return true
		}
		for {
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(',') {
				continue
			}
			return s.eat(']')
		}
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.lit("null")
	}
	return s.number()
}

func (s *jsonScanner) skipString() bool {
	if !s.eat('"') {
		return false
	}
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c < ' ':
			return false
		case c == '\\':
			if s.i+1 >= len(s.b) {
				return false
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					return false
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				s.i += 6
			default:
				return false
			}
		default:
			s.i++
		}
	}
	return false
}

// number reads a JSON number.
func (s *jsonScanner) number() bool {
	digits := func() int {
		n := 0
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	s.eat('-')
	if s.eat('0') {
		// no more digits before a fraction
	} else if digits() == 0 {
		return false
	}
	if s.eat('.') && digits() == 0 {
		return false
	}
	if s.eat('e') || s.eat('E') {
		if !s.eat('+') {
			s.eat('-')
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// loadBytes64 reads b[i:i+8] little-endian, in one load.
func loadBytes64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i:]) }
