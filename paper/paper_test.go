package paper

import (
	"strings"
	"testing"
)

func TestIDs(t *testing.T) {
	tests := []struct{ in, arxiv, norm string }{
		{"2405.12345v2", "2405.12345", "2405.12345"},
		{" arXiv:2405.12345 ", "2405.12345", "2405.12345"},
		{"https://arxiv.org/abs/2405.12345v1", "2405.12345", "2405.12345"},
		{"http://arxiv.org/pdf/2405.12345v3.pdf", "2405.12345", "2405.12345"},
		{"http://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001", "hep-th/9901001"},
		{"math.AG/0601001", "math.AG/0601001", "math.AG/0601001"},
		{"s000123", "", "s000123"},
		{"  doi:10.1/x ", "", "doi:10.1/x"},
	}
	for _, tt := range tests {
		if got := ArxivID(tt.in); got != tt.arxiv {
			t.Errorf("ArxivID(%q) = %q, want %q", tt.in, got, tt.arxiv)
		}
		if got := NormalizeID(tt.in); got != tt.norm {
			t.Errorf("NormalizeID(%q) = %q, want %q", tt.in, got, tt.norm)
		}
	}
	if TitleKey("  Hello,   World! — Ünïcode 2 ") != "hello world ünïcode 2" {
		t.Errorf("TitleKey = %q", TitleKey("  Hello,   World! — Ünïcode 2 "))
	}
	if TitleID("Hello, world") != TitleID("hello   WORLD!") || TitleID("a") == TitleID("b") || !strings.HasPrefix(TitleID("a"), "title-") {
		t.Error("TitleID must depend on the title key only")
	}
}
