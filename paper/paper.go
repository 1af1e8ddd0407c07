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
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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

var (
	arxivNew = regexp.MustCompile(`^(?i:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?$`)
	arxivOld = regexp.MustCompile(`^(?i:arxiv:)?([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$`)
	arxivURL = regexp.MustCompile(`^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?$`)
)

// ArxivID returns the arXiv id in s without its version ("2405.12345v2",
// "arXiv:2405.12345" and "https://arxiv.org/abs/2405.12345v1" give
// "2405.12345"), or "" when s is not an arXiv id.
func ArxivID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return ""
	}
	if m := arxivURL.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	if m := arxivNew.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if m := arxivOld.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
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

var doiRe = regexp.MustCompile(`^10\.\d{4,9}/\S+$`)
