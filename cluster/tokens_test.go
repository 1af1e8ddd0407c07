package cluster

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/papersift/papersift/tfidf"
)

// tokensRef is tokens as it was before its ASCII tables and its stop
// words kept in the lexicon: rune by rune, a stop-word lookup a word.
func (lx *lexicon) tokensRef(text string, dst []int32) []int32 {
	brk := func() {
		if len(dst) > 0 && dst[len(dst)-1] >= 0 {
			dst = append(dst, -1)
		}
	}
	hyphen, last := false, false
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWord(r) {
			hyphen = false
			if r == '-' && i > 0 && i+1 < len(text) {
				before, _ := utf8.DecodeLastRuneInString(text[:i])
				after, _ := utf8.DecodeRuneInString(text[i+1:])
				if hyphen = isWord(before) && isWord(after); hyphen && last {
					dst[len(dst)-1] |= joinedR
				}
			}
			switch {
			case r == '<' && i+1 < len(text) && (isWord(rune(text[i+1])) || text[i+1] == '/'):
				if end := strings.IndexByte(text[i:], '>'); end > 0 {
					size = end + 1
				}
				brk()
			case r == '\\':
				size++
				for i+size < len(text) && isWord(rune(text[i+size])) {
					size++
				}
				brk()
			case r != ' ' && r != '-' && r != '\n' && r != '\t':
				brk()
			}
			i += size
			continue
		}
		if strings.HasPrefix(text[i:], "http://") || strings.HasPrefix(text[i:], "https://") || strings.HasPrefix(text[i:], "www.") ||
			strings.HasPrefix(text[i:], "github.com/") || strings.HasPrefix(text[i:], "huggingface.co/") {
			for i < len(text) && text[i] != ' ' && text[i] != '\n' && text[i] != '\t' {
				i++
			}
			brk()
			continue
		}
		var buf []byte
		letterStart := unicode.IsLetter(r)
		n := 0
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWord(r) {
				break
			}
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
			i += size
			n++
		}
		if n < 2 || !letterStart || tfidf.IsStopWord(string(buf)) {
			brk()
			hyphen, last = false, false
			continue
		}
		id := lx.id(buf)
		if hyphen {
			id |= joinedL
		}
		hyphen, last = false, true
		dst = append(dst, id)
	}
	return dst
}

func sameTokens(t *testing.T, texts ...string) {
	t.Helper()
	a, b := newLexicon(0), newLexicon(0)
	for _, text := range texts {
		got, want := a.tokens(text, nil), b.tokensRef(text, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("tokens(%q) = %v, want %v", text, got, want)
		}
	}
	if !slices.Equal(a.words, b.words) || !slices.Equal(a.wcount, b.wcount) || !slices.Equal(a.wstem, b.wstem) {
		t.Fatalf("lexicons differ: %v %v, want %v %v", a.words, a.wcount, b.words, b.wcount)
	}
}

// tokens reads ASCII by table and keeps the stop words it met: the tokens
// and the lexicon are those of reading rune by rune.
func TestTokensAsBefore(t *testing.T) {
	sameTokens(t,
		"Video Diffusion Models for the THE the Of training-free v2 2D 3D-aware",
		"Ünïcode ÉCOLE naïve İstanbul straße ΣΟΦΙΑ σοφία ﬁne Ångström x-ray X-Ray",
		`see https://github.com/a/b and www.x.org, <a href="u">link</a> \mathbb{R} a_b`,
		"is the of and a an it IT Is  -leading trailing- -- - ab-cd-ef",
		"", "a", "ab", "AB", "1ab", "ab1", "é", "ÉÉ", "hi", "wow", "go github.com/x", "httpx http: huggingface.co/y")
	const alphabet = "aAbBzZ019 -_\\<>/.:hwgtpsoéÉßİΣ\n\t,"
	rs := []rune(alphabet)
	rng := rand.New(rand.NewPCG(1, 2))
	texts := make([]string, 3000)
	for i := range texts {
		b := make([]rune, rng.IntN(40))
		for j := range b {
			b[j] = rs[rng.IntN(len(rs))]
		}
		texts[i] = string(b)
	}
	sameTokens(t, texts...)
}

func FuzzTokens(f *testing.F) {
	f.Add("Video Diffusion Models: the training-free THE https://x.org")
	f.Add("Ünïcode İstanbul \\frac <b>x</b> 3D-aware")
	f.Fuzz(func(t *testing.T, text string) {
		sameTokens(t, text, strings.ToUpper(text), text)
	})
}
