package main

// Three processes at once on one database: two ingest different lists
// (each refitting the built-in model now and then), the third reads in a
// loop. Nobody fails, nothing is lost, and readers see each listing whole
// or not at all.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const (
	concBase    = 600 // papers stored before the processes start
	concLists   = 5   // lists each writer ingests, one after the other
	concPerList = 120 // papers per list
)

func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three processes for several seconds; skipped with -short")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	p := newProc(t, bin, filepath.Join(dir, "p.db"))
	w := newSynthWords(21)
	exp := newExpected()
	base := synthCorpus(w, 1, "base", concBase, 0)
	src := filepath.Join(dir, "base.jsonl")
	writeJSONL(t, src, base)
	p.ok("ingest", "--quiet", "--format", "jsonl", "--list", "base", src)
	exp.apply("base", base)
	p.ok("like", base[0].ID, base[1].ID)
	p.ok("interest", "add", strings.Join(strings.Fields(base[2].Title)[:3], " "))

	type listing struct {
		name, path string
		papers     []synthPaper
	}
	writers := map[string][]listing{}
	for _, wr := range []string{"a", "b"} {
		for i := range concLists {
			name := fmt.Sprintf("%s%d", wr, i)
			ps := synthCorpus(w, uint64(100+i), name+"-", concPerList, 0)
			path := filepath.Join(dir, name+".jsonl")
			writeJSONL(t, path, ps)
			writers[wr] = append(writers[wr], listing{name, path, ps})
		}
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	fail := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, a...))
	}
	done := make(chan struct{})
	var writersWG sync.WaitGroup
	for _, wr := range []string{"a", "b"} {
		writersWG.Add(1)
		go func() {
			defer writersWG.Done()
			for _, l := range writers[wr] {
				r := runProc(p, "ingest", "--quiet", "--format", "jsonl", "--list", l.name, l.path)
				if r.code != 0 {
					fail("writer %s: ingest %s: exit %d: %s", wr, l.name, r.code, r.stderr)
				}
			}
		}()
	}
	wg.Add(1)
	reads := map[string]int{}
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			var args []string
			var check func(out string) error
			switch i % 4 {
			case 0:
				args = []string{"similar", base[i%concBase].ID, "-k", "5", "--format", "json"}
				check = func(out string) error {
					var hits []hitJSON
					if err := json.Unmarshal([]byte(out), &hits); err != nil {
						return err
					}
					if len(hits) != 5 {
						return fmt.Errorf("%d hits, want 5", len(hits))
					}
					return nil
				}
			case 1:
				args = []string{"queue", "--all", "-n", "5", "--format", "json"}
				check = func(out string) error {
					var items []queueItemJSON
					if err := json.Unmarshal([]byte(out), &items); err != nil {
						return err
					}
					if len(items) != 5 {
						return fmt.Errorf("%d items, want 5", len(items))
					}
					return nil
				}
			case 2:
				// A listing is on the list whole or not at all.
				wr := []string{"a", "b"}[i/4%2]
				l := writers[wr][i/8%concLists]
				args = []string{"papers", "--list", l.name, "--format", "json"}
				check = func(out string) error {
					var ps []paperOut
					if err := json.Unmarshal([]byte(out), &ps); err != nil {
						return err
					}
					if len(ps) != 0 && len(ps) != concPerList {
						return fmt.Errorf("list %s has %d papers, want 0 or %d", l.name, len(ps), concPerList)
					}
					return nil
				}
			case 3:
				args = []string{"stats", "--format", "json"}
				check = func(out string) error {
					var st struct {
						Papers int `json:"papers"`
						Lists  int `json:"lists"`
					}
					if err := json.Unmarshal([]byte(out), &st); err != nil {
						return err
					}
					if (st.Papers-concBase)%concPerList != 0 || (st.Papers-concBase)/concPerList != st.Lists-1 {
						return fmt.Errorf("%d papers on %d lists: a listing is half-written", st.Papers, st.Lists)
					}
					return nil
				}
			}
			r := runProc(p, args...)
			reads[args[0]]++
			if args[0] == "papers" && r.code == 1 && strings.Contains(r.stderr, "no list") {
				continue // not ingested yet
			}
			if r.code != 0 {
				fail("reader: %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
				continue
			}
			if err := check(r.stdout); err != nil {
				fail("reader: %s: %v", strings.Join(args, " "), err)
			}
		}
	}()
	writersWG.Wait()
	close(done)
	wg.Wait()
	t.Logf("reads while writing: %v", reads)
	for _, f := range failures {
		t.Error(f)
		if strings.Contains(f, "locked") || strings.Contains(f, "busy") {
			t.Error("a process failed on a locked database")
		}
	}
	if t.Failed() {
		return
	}
	for _, wr := range []string{"a", "b"} {
		for _, l := range writers[wr] {
			exp.apply(l.name, l.papers)
		}
	}
	st := checkDB(t, p.db)
	exp.compare(t, st)
	// Whatever the interleaving, a final embed leaves every paper a vector.
	finishAndCount(t, p, crashEmbedder{name: "local"}, exp)
}

// runProc runs the binary to its end without a *testing.T, for goroutines.
func runProc(p *proc, args ...string) result {
	cmd := p.command(context.Background(), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return result{ee.ExitCode(), out.String(), errb.String()}
	}
	if err != nil {
		return result{-1, "", err.Error()}
	}
	return result{0, out.String(), errb.String()}
}
