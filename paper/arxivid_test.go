package paper

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The expressions ArxivID reads by hand: it must agree with them on every
// input.
var (
	refURL = regexp.MustCompile(`^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?$`)
	refNew = regexp.MustCompile(`^(?i:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?$`)
	refOld = regexp.MustCompile(`^(?i:arxiv:)?([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$`)
)

func refArxivID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return ""
	}
	if m := refURL.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	if m := refNew.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	if m := refOld.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

func TestArxivIDAsTheExpressions(t *testing.T) {
	cases := []string{
		"", "2405.12345", "2405.1234", "2405.123", "2405.123456", "2405.12345v", "2405.12345v12", "2405.12345V2",
		"2405.12345v2x", "ARXIV:2405.12345", "arXiv:2405.12345v3", "arxiv:", "arxiv:arxiv:2405.12345", "arxiv 2405.12345",
		"hep-ph/0307015", "hep-ph/0307015v2", "hep-ph/030701", "hep-ph/03070155", "math.AG/0601001", "math.ag/0601001",
		"math.AGX/0601001", "math./0601001", "-hep/0307015", "Hep/0307015", "arXiv:hep-th/9901001", "a/1234567",
		"https://arxiv.org/abs/2405.12345v1", "http://arxiv.org/pdf/2405.12345.pdf", "https://www.arxiv.org/abs/hep-ph/0307015",
		"https://export.arxiv.org/abs/2405.12345", "https://arxiv.org/abs/", "https://arxiv.org/abs/.pdf",
		"https://arxiv.org/pdf/.pdf.pdf", "https://arxiv.org/html/2405.12345", "HTTPS://arxiv.org/abs/2405.12345",
		"https://arxiv.org/abs/arXiv:2405.12345", "https://arxiv.org/abs/2405.12345\nx", "https://arxiv.org/abs/2405.12345.pdf.pdf",
		"httpss://arxiv.org/abs/2405.12345", "https://www.export.arxiv.org/abs/2405.12345", "١٢٣٤.١٢٣٤٥",
		"arſiv:2405.12345", "arxıv:2405.12345", "arxİv:2405.12345", strings.Repeat("1", 201), " \t2405.12345v1 \n",
	}
	for _, s := range cases {
		if got, want := ArxivID(s), refArxivID(s); got != want {
			t.Errorf("ArxivID(%q) = %q, the expressions say %q", s, got, want)
		}
	}
	// random strings made of the pieces of ids, URLs and prefixes, some of
	// them damaged
	pieces := [][]string{
		{"", "", "", "https://arxiv.org/abs/", "http://arxiv.org/pdf/", "https://www.arxiv.org/abs/", "https://export.arxiv.org/pdf/",
			"https://arxiv.org/html/", "https//arxiv.org/abs/", " "},
		{"", "", "arxiv:", "arXiv:", "ARXIV:", "arxiv"},
		{"2405.", "0704.", "hep-ph/", "math.AG/", "math.ag/", "cs/", "-x/", "q-bio.NC/", "24050.", "240.", "h/"},
		{"1234567", "12345", "1234", "123", "123456", "12345678", "", "1٢34"},
		{"", "", "v", "v2", "v12", "V2", "vx", ".pdf", ".pdf.pdf", "\n", " "},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ids := 0
	for range 200000 {
		var b strings.Builder
		for _, p := range pieces {
			w := p[rng.IntN(len(p))]
			if w != "" && rng.IntN(20) == 0 { // damage: drop or double a byte
				i := rng.IntN(len(w))
				if rng.IntN(2) == 0 {
					w = w[:i] + w[i+1:]
				} else {
					w = w[:i+1] + w[i:]
				}
			}
			b.WriteString(w)
		}
		s := b.String()
		got, want := ArxivID(s), refArxivID(s)
		if got != want {
			t.Fatalf("ArxivID(%q) = %q, the expressions say %q", s, got, want)
		}
		if got != "" {
			ids++
		}
	}
	if ids < 5000 {
		t.Fatalf("only %d of the random strings were ids: the test checks little", ids)
	}
}

func FuzzArxivID(f *testing.F) {
	for _, s := range []string{"2405.12345v2", "hep-ph/0307015", "https://arxiv.org/pdf/2405.12345.pdf", "arXiv:math.AG/0601001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ArxivID(s), refArxivID(s); got != want {
			t.Fatalf("ArxivID(%q) = %q, the expressions say %q", s, got, want)
		}
	})
}
