// Command mkbackground makes the built-in model's background knowledge,
// embed/background.bin.gz, from a corpus of abstracts: only their titles
// and abstracts are read (never labels or categories). The same corpus
// gives the same file, byte for byte.
//
//	go run ./internal/cmd/mkbackground ../shared/data/arxiv-background/background.jsonl.gz embed/background.bin.gz
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/papersift/papersift/embed"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: mkbackground CORPUS.jsonl[.gz] OUT.bin.gz")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "mkbackground:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(in, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		r = zr
	}
	var texts []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var rec struct {
			Title    string `json:"title"`
			Abstract string `json:"abstract"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return fmt.Errorf("%s:%d: %v", in, len(texts)+1, err)
		}
		texts = append(texts, embed.Text(rec.Title, rec.Abstract))
	}
	if err := sc.Err(); err != nil {
		return err
	}
	start := time.Now()
	bg, err := embed.FitBackground(context.Background(), texts, embed.BackgroundConfig{})
	if err != nil {
		return err
	}
	tmp := out + ".tmp"
	w, err := os.Create(tmp)
	if err != nil {
		return err
	}
	n, err := bg.WriteTo(w)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	fmt.Printf("%s: %s, %d words, %d bytes, from %d texts in %s\n", out, bg.Identity(), bg.Words(), n, len(texts), time.Since(start).Round(time.Second))
	return nil
}
