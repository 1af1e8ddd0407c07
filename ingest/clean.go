package ingest

import (
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// clean collapses runs of white space into one space and trims: it is
// strings.Join(strings.Fields(s), " "), faster. Text that needs no change
// is returned as is, without copying. Plain ASCII text is skipped eight
// bytes at a time (abstracts are most of a listing's bytes).
func clean(s string) string {
	if !needsClean(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	i := 0
	for i < len(s) {
		j := nextSpecial(s, i)
		b = append(b, s[i:j]...) // plain: ASCII without control bytes or double spaces
		if j == len(s) {
			break
		}
		c := s[j]
		size := 1
		space := isSpaceByte(c)
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[j:])
			space = unicode.IsSpace(r)
		}
		if !space {
			b = append(b, s[j:j+size]...) // a control character or a non-ASCII letter: kept
			i = j + size
			continue
		}
		// a run of white space, which may have started with a plain space
		k := j
		for k < len(s) {
			if c := s[k]; c < utf8.RuneSelf {
				if !isSpaceByte(c) {
					break
				}
				k++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[k:])
			if !unicode.IsSpace(r) {
				break
			}
			k += size
		}
		if n := len(b); n > 0 && b[n-1] == ' ' {
			b = b[:n-1]
		}
		if len(b) > 0 && k < len(s) {
			b = append(b, ' ')
		}
		i = k
	}
	for len(b) > 0 && b[0] == ' ' { // a plain space before the first word
		b = b[1:]
	}
	if n := len(b); n > 0 && b[n-1] == ' ' {
		b = b[:n-1]
	}
	return string(b)
}

// needsClean reports whether clean changes s.
func needsClean(s string) bool {
	if s == "" {
		return false
	}
	if isSpaceByte(s[0]) || isSpaceByte(s[len(s)-1]) {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(r) {
		return true
	}
	if r, _ := utf8.DecodeLastRuneInString(s); unicode.IsSpace(r) {
		return true
	}
	for i := nextSpecial(s, 0); i < len(s); i = nextSpecial(s, i) {
		c := s[i]
		if c < utf8.RuneSelf {
			if isSpaceByte(c) { // a double space, a tab, a line break...
				return true
			}
			i++ // another control character: kept
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return true
		}
		i += size
	}
	return false
}

const (
	low7s  = 0x7f7f7f7f7f7f7f7f
	highs  = 0x8080808080808080
	spaces = 0x2020202020202020
)

// nextSpecial is the index of the first byte of s from i on that clean
// cannot copy as it is: a control byte (< 0x20), a byte of a non-ASCII
// character, or a space followed by a space; len(s) when there is none.
func nextSpecial(s string, i int) int {
	for ; i+9 <= len(s); i += 8 {
		w, next := load64(s, i), load64(s, i+1)
		// high bit of each byte below 0x20 or from 0x80 on
		m := (^((w & low7s) + 0x6060606060606060) | w) & highs
		m |= zeroBytes(w^spaces) & zeroBytes(next^spaces)
		if m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= utf8.RuneSelf || (c == ' ' && i+1 < len(s) && s[i+1] == ' ') {
			return i
		}
	}
	return len(s)
}

// zeroBytes has the high bit of each zero byte of x set, and no other bit.
func zeroBytes(x uint64) uint64 { return ^(((x & low7s) + low7s) | x) & highs }

// load64 reads s[i:i+8] little-endian.
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}
