package papersift

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayers keeps the dependency direction one way: cmd -> papersift ->
// ingest, embed, cluster, recommend, digest, store -> paper. Non-test files
// only; tests may reach across.
func TestLayers(t *testing.T) {
	const mod = "github.com/papersift/papersift"
	forbidden := map[string][]string{
		"cmd/papersift": {"store", "embed", "cluster", "recommend", "ingest"},
		"ingest":        {"", "store", "embed", "cluster", "recommend", "digest"},
		"store":         {"", "ingest", "embed", "cluster", "recommend", "digest"},
		"embed":         {"", "store", "ingest", "cluster", "recommend", "digest"},
		"cluster":       {"", "store", "ingest", "embed", "recommend", "digest"},
		"recommend":     {"", "store", "ingest", "embed", "cluster", "digest"},
		"digest":        {"", "store", "ingest", "embed", "cluster", "recommend"},
		"paper":         {"", "store", "ingest", "embed", "cluster", "recommend", "digest"},
	}
	for dir, bad := range forbidden {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range bad {
					p := mod
					if b != "" {
						p += "/" + b
					}
					if path == p {
						t.Errorf("%s imports %s", f, path)
					}
				}
			}
		}
	}
}
