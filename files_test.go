package papersift

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WriteFilesAtomic replaces none of the files when one of the paths is a
// folder, and leaves no temporary file behind.
func TestWriteFilesAtomicAllOrNone(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.html"), filepath.Join(dir, "b.md"), filepath.Join(dir, "c.atom")
	if err := os.WriteFile(a, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(b, 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFilesAtomic([]string{a, b, c}, [][]byte{[]byte("new a"), []byte("new b"), []byte("new c")})
	if err == nil || !strings.Contains(err.Error(), "a folder") {
		t.Fatalf("got %v, want an error naming the folder", err)
	}
	if got, _ := os.ReadFile(a); string(got) != "old" {
		t.Errorf("a.html was replaced: %q", got)
	}
	if _, err := os.Stat(c); err == nil {
		t.Errorf("c.atom was written")
	}
	os.Remove(b)
	if err := WriteFilesAtomic([]string{a, b, c}, [][]byte{[]byte("new a"), []byte("new b"), []byte("new c")}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{a: "new a", b: "new b", c: "new c"} {
		if got, _ := os.ReadFile(p); string(got) != want {
			t.Errorf("%s: %q", p, got)
		}
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}
