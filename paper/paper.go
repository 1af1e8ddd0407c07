// Package paper is the record of a research paper that every part of
// papersift shares (ingest reads it, store keeps it, the operations return
// it), and the rules of a paper's identity: arXiv ids without their
// version, and the stable id of a record that has none, derived from its
// title.
package paper

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/papersift/papersift/internal/lazyre"
)

// Paper is a research paper. Optional numbers are nil when unknown, optional
// texts empty.
type Paper struct {
	ID        string // as its source gives it (arXiv ids without version), or derived from the title
	DerivedID bool   // the source had no id: ID is TitleID(Title)
	ArxivID   string
	Title     string
	Abstract  string
	Authors   []string
	NAuthors  *int
	Org       string
	Date      string // YYYY-MM-DD or ""
	Comments  *int
	Upvotes   *int
	URL       string
	Category  string
	Links     []string // project page, code
	DOI       string   // lowercase, without https://doi.org/
	Journal   string   // the journal reference ("Phys. Rev. D 76, 013009 (2007)")
}

// ArxivID returns the arXiv id in s without its version ("2405.12345v2",
// "arXiv:2405.12345" and "https://arxiv.org/abs/2405.12345v1" give
// "2405.12345"), or "" when s is not an arXiv id.
//
// It reads s by hand, as these three expressions would (the tests hold it
// to them): every paper of an ingest and every id a command is given passes
// here, and compiling them costs a process more than all the matching.
//
//	^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?$   (then the id in group 1)
//	^(?i:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?$
//	^(?i:arxiv:)?([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$
func ArxivID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return ""
	}
	if rest, ok := arxivURLPath(s); ok {
		s = rest
	}
	if hasPrefixFold(s, "arxiv:") {
		s = s[len("arxiv:"):]
	}
	if id, ok := newStyleID(s); ok {
		return id
	}
	if id, ok := oldStyleID(s); ok {
		return id
	}
	return ""
}

// arxivURLPath is what follows /abs/ or /pdf/ in an arXiv URL, without a
// final ".pdf".
func arxivURLPath(s string) (string, bool) {
	var ok bool
	if s, ok = strings.CutPrefix(s, "http"); !ok {
		return "", false
	}
	s, _ = strings.CutPrefix(s, "s")
	if s, ok = strings.CutPrefix(s, "://"); !ok {
		return "", false
	}
	if t, ok := strings.CutPrefix(s, "www."); ok {
		s = t
	} else if t, ok := strings.CutPrefix(s, "export."); ok {
		s = t
	}
	if s, ok = strings.CutPrefix(s, "arxiv.org/"); !ok {
		return "", false
	}
	if t, ok := strings.CutPrefix(s, "abs/"); ok {
		s = t
	} else if t, ok := strings.CutPrefix(s, "pdf/"); ok {
		s = t
	} else {
		return "", false
	}
	if s == "" || strings.IndexByte(s, '\n') >= 0 {
		return "", false
	}
	if len(s) > len(".pdf") && strings.HasSuffix(s, ".pdf") {
		s = s[:len(s)-len(".pdf")]
	}
	return s, true
}

// newStyleID reads "2405.12345" or "0704.0001" (4 or 5 digits after the
// dot) and an optional version.
func newStyleID(s string) (string, bool) {
	if len(s) < 9 || digits(s[:4]) != 4 || s[4] != '.' {
		return "", false
	}
	d := digits(s[5:])
	if d != 4 && d != 5 {
		return "", false
	}
	return s[:5+d], version(s[5+d:])
}

// oldStyleID reads "hep-ph/0307015" or "math.AG/0601001" and an optional
// version.
func oldStyleID(s string) (string, bool) {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return "", false
	}
	i := 1
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] == '-') {
		i++
	}
	if i+2 < len(s) && s[i] == '.' && isUpper(s[i+1]) && isUpper(s[i+2]) {
		i += 3
	}
	if i >= len(s) || s[i] != '/' || digits(s[i+1:]) != 7 {
		return "", false
	}
	end := i + 1 + 7
	return s[:end], version(s[end:])
}

// digits is the number of ASCII digits s starts with.
func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// version reports whether s is "" or a version ("v2").
func version(s string) bool {
	return s == "" || len(s) > 1 && s[0] == 'v' && digits(s[1:]) == len(s)-1
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// hasPrefixFold reports whether s starts with prefix (lowercase ASCII),
// ignoring the case of ASCII letters.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// NormalizeID returns a record's id as stored: trimmed, and for arXiv ids
// without the version.
func NormalizeID(id string) string {
	id = strings.TrimSpace(id)
	if a := ArxivID(id); a != "" {
		return a
	}
	return id
}

// TitleKey is a title normalised for matching: lowercase letters and digits,
// single spaces.
func TitleKey(title string) string {
	var b strings.Builder
	b.Grow(len(title))
	space := false
	for _, r := range title {
		if r < utf8.RuneSelf {
			switch {
			case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			case 'A' <= r && r <= 'Z':
				r += 'a' - 'A'
			default:
				space = true
				continue
			}
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			r = unicode.ToLower(r)
		} else {
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

// TitleID is the stable id of a record without one: "title-" and 12 hex
// digits of the SHA-256 of its TitleKey. Same title, same id, everywhere.
func TitleID(title string) string {
	h := sha256.Sum256([]byte(TitleKey(title)))
	return "title-" + hex.EncodeToString(h[:6])
}

// Page is the paper's page: its own link, else its arXiv abstract page
// ("" when there is neither).
func (p Paper) Page() string {
	if p.URL != "" {
		return p.URL
	}
	if p.ArxivID != "" {
		return "https://arxiv.org/abs/" + p.ArxivID
	}
	return ""
}

// NormalizeDOI returns the DOI in s, lowercase and without its resolver
// ("https://doi.org/10.1000/X", "doi:10.1000/x" and "10.1000/X" give
// "10.1000/x"), or "" when s is not a DOI.
func NormalizeDOI(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 500 {
		return ""
	}
	low := strings.ToLower(s)
	for _, p := range []string{"https://", "http://"} {
		if strings.HasPrefix(low, p) {
			low = low[len(p):]
			for _, host := range []string{"doi.org/", "dx.doi.org/", "www.doi.org/"} {
				if strings.HasPrefix(low, host) {
					low = low[len(host):]
					if u, err := url.PathUnescape(low); err == nil {
						low = u
					}
					break
				}
			}
			break
		}
	}
	for _, p := range []string{"doi.org/", "dx.doi.org/", "doi:", "doi "} {
		low = strings.TrimSpace(strings.TrimPrefix(low, p))
	}
	if !doiRe.MatchString(low) {
		return ""
	}
	return low
}

var doiRe = lazyre.New(`^10\.\d{4,9}/\S+$`)
