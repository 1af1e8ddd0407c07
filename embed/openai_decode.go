package embed

import (
	"bytes"
	"strconv"

	openai "github.com/sashabaranov/go-openai"
)

// fastDecode reads the common shape of an embeddings answer with base64
// vectors in one pass: {"data":[{"index":N,"embedding":"..."},...],...}.
// Anything else (vectors as numbers, escapes, odd JSON) returns ok false,
// and the answer is read by encoding/json instead. Decoding is on the path
// between two requests, so it pays to be quick.
func fastDecode(b []byte) (out []openai.Embedding, ok bool) {
	p := &scan{b: b}
	if !p.byte('{') {
		return nil, false
	}
	seen := false
	for first := true; ; first = false {
		if p.byte('}') {
			break
		}
		if !first && !p.byte(',') {
			return nil, false
		}
		key, ok := p.key()
		if !ok {
			return nil, false
		}
		if key != "data" {
			if !p.skip(0) {
				return nil, false
			}
			continue
		}
		if seen {
			return nil, false
		}
		seen = true
		if out, ok = p.data(); !ok {
			return nil, false
		}
	}
	p.space()
	return out, seen && p.i == len(p.b)
}

type scan struct {
	b []byte
	i int
}

func (p *scan) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// byte consumes c if it comes next.
func (p *scan) byte(c byte) bool {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// plain reads a string without escapes.
func (p *scan) plain() ([]byte, bool) {
	if !p.byte('"') {
		return nil, false
	}
	end := bytes.IndexByte(p.b[p.i:], '"')
	if end < 0 {
		return nil, false
	}
	s := p.b[p.i : p.i+end]
	if bytes.IndexByte(s, '\\') >= 0 {
		return nil, false
	}
	p.i += end + 1
	return s, true
}

// key reads an object key and its colon.
func (p *scan) key() (string, bool) {
	k, ok := p.plain()
	if !ok || !p.byte(':') {
		return "", false
	}
	return string(k), true
}

// data reads the array of embeddings.
func (p *scan) data() ([]openai.Embedding, bool) {
	if !p.byte('[') {
		return nil, false
	}
	var out []openai.Embedding
	for first := true; ; first = false {
		if p.byte(']') {
			return out, true
		}
		if !first && !p.byte(',') {
			return nil, false
		}
		e, ok := p.item()
		if !ok {
			return nil, false
		}
		out = append(out, e)
	}
}

// item reads one {"index":N,"embedding":"base64"} in any key order.
func (p *scan) item() (openai.Embedding, bool) {
	var e openai.Embedding
	if !p.byte('{') {
		return e, false
	}
	var hasIndex, hasVec bool
	for first := true; ; first = false {
		if p.byte('}') {
			return e, hasIndex && hasVec
		}
		if !first && !p.byte(',') {
			return e, false
		}
		key, ok := p.key()
		if !ok {
			return e, false
		}
		switch key {
		case "index":
			p.space()
			start := p.i
			for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
				p.i++
			}
			n, err := strconv.Atoi(string(p.b[start:p.i]))
			if err != nil || hasIndex {
				return e, false
			}
			e.Index, hasIndex = n, true
		case "embedding":
			s, ok := p.plain()
			if !ok || hasVec {
				return e, false
			}
			v, err := decodeBase64(s)
			if err != nil {
				return e, false
			}
			e.Embedding, hasVec = v, true
		default:
			if !p.skip(0) {
				return e, false
			}
		}
	}
}

// skip passes over any JSON value (strings may hold escapes).
func (p *scan) skip(depth int) bool {
	if depth > 64 {
		return false
	}
	p.space()
	if p.i >= len(p.b) {
		return false
	}
	switch c := p.b[p.i]; c {
	case '"':
		p.i++
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case '\\':
				p.i += 2
			case '"':
				p.i++
				return true
			default:
				p.i++
			}
		}
		return false
	case '{', '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		p.i++
		for first := true; ; first = false {
			if p.byte(closer) {
				return true
			}
			if !first && !p.byte(',') {
				return false
			}
			if c == '{' {
				if !p.skip(depth+1) || !p.byte(':') {
					return false
				}
			}
			if !p.skip(depth + 1) {
				return false
			}
		}
	default: // number, true, false, null
		start := p.i
		for p.i < len(p.b) {
			switch p.b[p.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return p.i > start
			}
			p.i++
		}
		return p.i > start
	}
}
