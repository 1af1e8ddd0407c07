package refs

import (
	"bytes"
	"strings"
	"testing"
)

// BenchmarkParseBibTeX reads the library fixture 50 times over (1,000
// entries).
func BenchmarkParseBibTeX(b *testing.B) {
	data := bytes.Repeat(readFixture(b, "library.bib"), 50)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseBibTeX(data, "bench.bib"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLongValues: values that once took quadratic time (a name list
// with a long run of spaces, a RIS value continued over many lines).
func BenchmarkLongValues(b *testing.B) {
	bib := []byte("@misc{a, title={T}, author={a" + strings.Repeat(" ", 100000) + "and b}}")
	ris := []byte("TY  - JOUR\nTI  - T\nAB  - x\n" + strings.Repeat("more\n", 100000) + "ER  - \n")
	for b.Loop() {
		if _, err := ParseBibTeX(bib, "long.bib"); err != nil {
			b.Fatal(err)
		}
		if _, err := ParseRIS(ris, "long.ris"); err != nil {
			b.Fatal(err)
		}
	}
}
