package embed

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/papersift/papersift/internal/lazyre"
)

// minSecret is the shortest key removed from messages wherever it occurs
// (a dummy key such as "x", which local servers accept, is no secret, and
// removing it would garble every message).
const minSecret = 4

// minPart is the shortest part of a secret that is removed wherever it
// occurs: a server may quote a part of the key ("sk-abc...wxyz", or the
// key cut at some length), not the whole.
const minPart = 8

// redactedText replaces a secret.
const redactedText = "[redacted]"

// redactor removes secrets from text: the key, the base URL's credentials
// and query values, every part of them of minPart bytes or more, and what
// looks like a key or token. It is read-only once made, so safe for
// concurrent use.
type redactor struct {
	grams map[uint64]struct{} // every minPart-byte substring of the long secrets
	exact []string            // secrets shorter than minPart, removed where they occur whole
	spans []span              // texts of which parts are secret (a URL's query, its userinfo)
	look  int                 // how far past a cut a secret that starts before it may reach
}

// span is a text of which some byte ranges are secret.
type span struct {
	text  string
	parts [][2]int
}

// secretPatterns find what looks like a token or key (group 1 is the secret part).
var secretPatterns = []*lazyre.Regexp{
	lazyre.New(`(?i)\b(?:bearer|basic)\s+([^\s"',;]+)`),
	lazyre.New(`\b(?:sk|rk|pk)-([A-Za-z0-9_\-\*\.]{6,})`),
}

// patternReach is how far past a cut a token found by secretPatterns is
// looked for.
const patternReach = 256

// newRedactor is the redactor of a key and a base URL.
func newRedactor(key, baseURL string) *redactor {
	r := &redactor{grams: map[uint64]struct{}{}}
	r.addSecret(key, minSecret)
	if u, err := url.Parse(strings.TrimSpace(baseURL)); err == nil {
		if u.User != nil {
			name := u.User.Username()
			r.addSecret(name, minSecret)
			if p, ok := u.User.Password(); ok {
				r.addSecret(p, minSecret)
			}
			// the forms a URL's userinfo takes in messages: as given, and
			// as net/url and net/http print it with the password hidden
			esc := url.User(name).String()
			for _, ui := range []string{u.User.String(), esc + ":***", esc + ":xxxxx", esc} {
				if ui != "" {
					r.addSpan("//"+ui+"@", [][2]int{{2, 2 + len(ui)}})
				}
			}
		}
		if u.RawQuery != "" {
			// a short value is a secret only where it stands in the query
			var parts [][2]int
			at := 1
			for _, p := range strings.Split(u.RawQuery, "&") {
				k, v, ok := strings.Cut(p, "=")
				start := at
				if ok {
					start += len(k) + 1
				}
				if len(v) > 0 || !ok {
					parts = append(parts, [2]int{start, at + len(p)})
				}
				at += len(p) + 1
				if !ok {
					v = k
				}
				r.addSecret(v, minPart)
				if uv, err := url.QueryUnescape(v); err == nil && uv != v {
					r.addSecret(uv, minPart)
				}
			}
			r.addSpan("?"+u.RawQuery, parts)
		}
	}
	r.look += patternReach
	return r
}

// addSecret adds s if it is at least min bytes long.
func (r *redactor) addSecret(s string, min int) {
	switch {
	case len(s) < min:
		return
	case len(s) < minPart:
		r.exact = append(r.exact, s)
	default:
		for i := 0; i+minPart <= len(s); i++ {
			r.grams[gram(s, i)] = struct{}{}
		}
	}
	r.look = max(r.look, len(s))
}

func (r *redactor) addSpan(text string, parts [][2]int) {
	if len(parts) == 0 {
		return
	}
	r.spans = append(r.spans, span{text, parts})
	r.look = max(r.look, len(text))
}

// gram is s[i:i+minPart] as a number.
func gram(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// redact removes the secrets from s.
func (r *redactor) redact(s string) string {
	return r.redactN(s, len(s))
}

// redactBytes is redactN of a byte slice, converting only what it reads.
func (r *redactor) redactBytes(b []byte, n int) string {
	return r.redactN(string(b[:min(len(b), n+r.look+1)]), n)
}

// redactN removes the secrets from the first n bytes of s (cut at a rune
// boundary, "..." marking the cut). It reads s only a little past the
// cut, so that a long text costs no more than a short one, yet a secret
// that straddles the cut is removed whole.
func (r *redactor) redactN(s string, n int) string {
	if n >= len(s) {
		n = len(s)
	} else {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
	}
	w := s[:min(len(s), n+r.look)]
	secret := r.marks(w)
	if secret == nil {
		if n < len(s) {
			return s[:n] + "..."
		}
		return s
	}
	var b strings.Builder
	b.Grow(n + 16)
	i := 0
	for i < n {
		if !secret[i] {
			j := i
			for j < n && !secret[j] {
				j++
			}
			b.WriteString(w[i:j])
			i = j
			continue
		}
		b.WriteString(redactedText)
		for i < len(w) && secret[i] {
			i++
		}
	}
	if i < len(s) {
		b.WriteString("...")
	}
	return b.String()
}

// marks says which bytes of w are secret; nil if none is.
func (r *redactor) marks(w string) []bool {
	var m []bool
	mark := func(from, to int) {
		if m == nil {
			m = make([]bool, len(w))
		}
		for k := from; k < to; k++ {
			m[k] = true
		}
	}
	if len(r.grams) > 0 {
		for i := 0; i+minPart <= len(w); i++ {
			if _, ok := r.grams[gram(w, i)]; ok {
				mark(i, i+minPart)
			}
		}
	}
	for _, e := range r.exact {
		for at := 0; ; {
			k := strings.Index(w[at:], e)
			if k < 0 {
				break
			}
			mark(at+k, at+k+len(e))
			at += k + len(e)
		}
	}
	for _, sp := range r.spans {
		for at := 0; ; {
			k := strings.Index(w[at:], sp.text)
			if k < 0 {
				break
			}
			for _, p := range sp.parts {
				mark(at+k+p[0], at+k+p[1])
			}
			at += k + len(sp.text)
		}
	}
	for _, re := range secretPatterns {
		for _, loc := range re.FindAllStringSubmatchIndex(w, -1) {
			mark(loc[2], loc[3])
		}
	}
	return m
}

// redactedURL is u with its userinfo, query values and fragment hidden.
func redactedURL(u *url.URL) string {
	v := *u
	v.User = nil
	v.RawQuery = redactQuery(u.RawQuery)
	v.ForceQuery = false
	v.Fragment, v.RawFragment = "", ""
	s := v.String()
	if u.User != nil {
		if i := strings.Index(s, "//"); i >= 0 {
			s = s[:i+2] + redactedText + "@" + s[i+2:]
		}
	}
	return s
}

// redactQuery hides the values of a raw query, keeping the names.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		if k, _, ok := strings.Cut(p, "="); ok {
			parts[i] = k + "=" + redactedText
		} else if p != "" {
			parts[i] = redactedText
		}
	}
	return strings.Join(parts, "&")
}

// RedactURL is raw, a URL such as a base URL, with its userinfo and query
// values hidden: safe to print. It works on URLs that do not parse too.
func RedactURL(raw string) string {
	return redactURL(raw)
}

// redactURL hides the credentials and query values of a URL that may not parse.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return redactedURL(u)
	}
	rest, query := raw, ""
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		rest, query = raw[:i], raw[i:i+1]+redactQuery(raw[i+1:])
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		if j := strings.Index(rest, "//"); j >= 0 && j < i {
			rest = rest[:j+2] + redactedText + "@" + rest[i+1:]
		} else {
			rest = redactedText + "@" + rest[i+1:]
		}
	}
	return rest + query
}
