package main

// Crash safety: the real binary is killed with SIGKILL at random moments of
// ingest and embed, and the database must hold, after every kill, exactly
// the ingests that committed, each whole, with no vector of a missing paper
// or of an older text; a rerun then completes the work.

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/papersift/papersift/store"
)

// crashEmbedder is an embedder the crash trials run with: the global flags
// and environment that select it. Another (say, an endpoint that answers
// slowly or fails now and then) is one more entry in crashEmbedders.
type crashEmbedder struct {
	name  string
	flags []string
	env   []string
}

func crashEmbedders(t *testing.T) []crashEmbedder {
	srv := newFakeEmbeddings(t, 32)
	return []crashEmbedder{
		{name: "local", flags: []string{"--embedder", "local"}},
		{
			name:  "openai",
			flags: []string{"--embedder", "openai", "--base-url", srv.URL + "/v1", "--model", "fake-embed"},
			env:   []string{"OPENAI_API_KEY=sk-crash-test"},
		},
	}
}

// killer runs commands and kills each after a seeded random delay, up to a
// quarter more than the last uninterrupted run took, so that kills land
// anywhere in a run. The delays are seeded; where a delay falls in the run
// depends on the machine's speed.
type killer struct {
	rng  *rand.Rand
	last time.Duration
}

func newKiller(seed uint64, last time.Duration) *killer {
	return &killer{rng: rand.New(rand.NewPCG(seed, 1)), last: last}
}

// run starts cmd and kills it with SIGKILL after a random delay. It
// reports whether the kill came before the command ended; a command that
// ends by itself must succeed.
func (k *killer) run(t *testing.T, cmd *exec.Cmd) bool {
	t.Helper()
	stderr := &limitedBuffer{max: 1 << 16}
	cmd.Stdout, cmd.Stderr = nil, stderr
	tmax := k.last + k.last/4
	delay := time.Duration(k.rng.Int64N(int64(tmax)))
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v: %v\n%s", cmd.Args[1:], err, stderr)
		}
		k.last = time.Since(start)
		return false
	case <-timer.C:
		cmd.Process.Kill() // SIGKILL on Unix
		<-done
		return true
	}
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	buf []byte
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if n := b.max - len(b.buf); n > 0 {
		b.buf = append(b.buf, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string { return string(b.buf) }

const (
	crashKills     = 20 // kills per command and embedder
	crashMaxTrials = 45 // trials at most, killed or not
)

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash trials run the binary many times; skipped with -short")
	}
	bin := buildBinary(t)
	for _, e := range crashEmbedders(t) {
		t.Run(e.name, func(t *testing.T) {
			t.Run("ingest", func(t *testing.T) { crashIngest(t, bin, e) })
			t.Run("embed", func(t *testing.T) { crashEmbed(t, bin, e) })
		})
	}
}

// crashIngest ingests a listing in each trial and kills it: new papers
// with papers already stored joining another list, or new versions of the
// last listing (whose vectors must go). The corpus more than doubles, so that
// a few trials refit the built-in model. Every fourth kill, a rerun of embed
// must complete the work.
func crashIngest(t *testing.T, bin string, e crashEmbedder) {
	dir := t.TempDir()
	p := newProc(t, bin, filepath.Join(dir, "p.db")).with(e.env...)
	w := newSynthWords(11)
	exp := newExpected()
	base := synthCorpus(w, 100, "b", 400, 0)
	src := filepath.Join(dir, "base.jsonl")
	writeJSONL(t, src, base)
	start := time.Now()
	p.ok(append(slices.Clone(e.flags), "ingest", "--quiet", "--format", "jsonl", "--list", "base", src)...)
	k := newKiller(1, time.Since(start))
	exp.apply("base", base)
	last := base[:60]
	kills, committed, i := 0, 0, 0
	for ; kills < crashKills && i < crashMaxTrials; i++ {
		var ps []synthPaper
		if i%3 == 2 {
			ps = revise(last, i)
		} else {
			ps = append(synthCorpus(w, uint64(i), fmt.Sprintf("t%02d-", i), 40, 0), last[:20]...)
		}
		last = ps
		list := fmt.Sprintf("L%02d", i)
		src := filepath.Join(dir, list+".jsonl")
		writeJSONL(t, src, ps)
		args := append(slices.Clone(e.flags), "ingest", "--quiet", "--format", "jsonl", "--list", list, src)
		killed := k.run(t, p.command(context.Background(), args...))
		st := checkDB(t, p.db)
		if slices.Contains(st.lists, list) {
			exp.apply(list, ps)
			if killed {
				committed++
			}
		}
		exp.compare(t, st)
		if killed {
			kills++
			if kills%4 == 0 {
				finishAndCount(t, p, e, exp)
			}
		}
	}
	t.Logf("%d trials, %d killed (%d of them after the papers were committed)", i, kills, committed)
	if kills < crashKills {
		t.Fatalf("only %d of %d trials were killed before they ended", kills, crashMaxTrials)
	}
	finishAndCount(t, p, e, exp)
}

// revise returns new versions of papers: another title and abstract.
func revise(ps []synthPaper, rev int) []synthPaper {
	out := slices.Clone(ps)
	for i := range out {
		out[i].Title = fmt.Sprintf("%s, version %d", out[i].Title, rev)
		out[i].Abstract = fmt.Sprintf("%s Revised (%d).", out[i].Abstract, rev)
		out[i].Authors = append(slices.Clone(out[i].Authors), fmt.Sprintf("Reviser %d", rev))
	}
	return out
}

// crashEmbed stores new versions of some abstracts, then kills embed
// --refit (every other trial: it fits a new model, drops the old one and
// re-embeds everything) or embed.
func crashEmbed(t *testing.T, bin string, e crashEmbedder) {
	dir := t.TempDir()
	p := newProc(t, bin, filepath.Join(dir, "p.db")).with(e.env...)
	w := newSynthWords(12)
	const n = 600
	corpus := synthCorpus(w, 1, "e", n, 0)
	src := filepath.Join(dir, "corpus.jsonl")
	writeJSONL(t, src, corpus)
	p.ok("ingest", "--quiet", "--no-embed", "--format", "jsonl", "--list", "base", src)
	exp := newExpected()
	exp.apply("base", corpus)
	// An uninterrupted run first: the time of a fit.
	start := time.Now()
	p.ok(append(slices.Clone(e.flags), "embed", "--quiet")...)
	fit := time.Since(start)
	// Refits and plain embeds take different times: one killer each.
	refit, plain := newKiller(2, fit), newKiller(3, fit/4)
	kills, i := 0, 0
	var partial []string // vectors stored when killed
	for ; kills < crashKills && i < crashMaxTrials; i++ {
		// New versions of some abstracts: their vectors go, and a refit
		// fits another model, which replaces the old one and its vectors.
		rev := revise(corpus[100*(i%6):100*(i%6+1)], i)
		list := fmt.Sprintf("rev%02d", i)
		f := filepath.Join(dir, list+".jsonl")
		writeJSONL(t, f, rev)
		p.ok("ingest", "--quiet", "--no-embed", "--format", "jsonl", "--list", list, f)
		exp.apply(list, rev)
		args := append(slices.Clone(e.flags), "embed", "--quiet")
		k := plain
		if i%2 == 0 {
			args, k = append(args, "--refit"), refit
		}
		killed := k.run(t, p.command(context.Background(), args...))
		st := checkDB(t, p.db)
		exp.compare(t, st)
		if killed {
			kills++
			partial = append(partial, fmt.Sprint(slices.Sorted(maps.Values(st.vectors))))
		}
	}
	t.Logf("%d trials, %d killed; vectors stored when killed: %v", i, kills, partial)
	if kills < crashKills {
		t.Fatalf("only %d of %d trials were killed before they ended", kills, crashMaxTrials)
	}
	finishAndCount(t, p, e, exp)
}

// finishAndCount reruns embed to its end: every paper then has a vector of
// the active model.
func finishAndCount(t *testing.T, p *proc, e crashEmbedder, exp *expected) {
	t.Helper()
	p.ok(append(slices.Clone(e.flags), "embed", "--quiet")...)
	st := checkDB(t, p.db)
	exp.compare(t, st)
	var stats struct {
		Papers      int            `json:"papers"`
		ActiveModel string         `json:"active_model"`
		Vectors     map[string]int `json:"vectors"`
	}
	p.json(&stats, append(slices.Clone(e.flags), "stats")...)
	if stats.Papers != len(exp.papers) || stats.Vectors[stats.ActiveModel] != stats.Papers || st.vectors[stats.ActiveModel] != stats.Papers {
		t.Fatalf("after a full embed: %d papers (want %d), %d vectors of %q (stats), %d in vec_index; want vectors = papers",
			stats.Papers, len(exp.papers), stats.Vectors[stats.ActiveModel], stats.ActiveModel, st.vectors[stats.ActiveModel])
	}
}

// TestBulkIngestCrash kills the first ingest of a listing into a new
// database, a bulk ingest (PAPERSIFT_BULK_BYTES makes a small listing one),
// which goes through a rollback journal instead of the WAL. After every
// kill the database holds the whole listing or nothing, a reader can read
// it (rolling a hot journal back), and a rerun stores the listing and puts
// the database back in WAL mode.
func TestBulkIngestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash trials run the binary many times; skipped with -short")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	ps := synthCorpus(newSynthWords(13), 1, "k", 4000, 0)
	src := filepath.Join(dir, "big.jsonl")
	writeJSONL(t, src, ps)
	args := []string{"ingest", "--quiet", "--no-embed", "--format", "jsonl", "--list", "big", src}
	newDB := func(name string) *proc {
		return newProc(t, bin, filepath.Join(dir, name)).with("PAPERSIFT_BULK_BYTES=1")
	}
	start := time.Now()
	newDB("first.db").ok(args...)
	k := newKiller(4, time.Since(start))
	const kills = 10
	killed, whole, hot, i := 0, 0, 0, 0
	for ; killed < kills && i < 3*kills; i++ {
		p := newDB(fmt.Sprintf("k%02d.db", i))
		if !k.run(t, p.command(context.Background(), args...)) {
			continue
		}
		killed++
		if _, err := os.Stat(p.db); err != nil {
			continue // killed before it created the database
		}
		if j, err := os.ReadFile(p.db + "-journal"); err == nil && len(j) > 0 && j[0] != 0 {
			hot++
		}
		st := checkDB(t, p.db) // read-only, as readers open it
		switch len(st.papers) {
		case 0:
		case len(ps):
			whole++
		default:
			t.Fatalf("trial %d: %d papers after the kill; want 0 or %d", i, len(st.papers), len(ps))
		}
		p.ok(args...)
		if st := checkDB(t, p.db); len(st.papers) != len(ps) {
			t.Fatalf("trial %d: %d papers after the rerun, want %d", i, len(st.papers), len(ps))
		}
		s, err := store.Open(context.Background(), p.db, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		var mode string
		err = s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode)
		s.Close()
		if err != nil || mode != "wal" {
			t.Errorf("trial %d: journal mode after the rerun %q (%v), want wal", i, mode, err)
		}
	}
	t.Logf("%d trials, %d killed: %d with the listing whole, %d with a hot journal left", i, killed, whole, hot)
	if killed < kills {
		t.Fatalf("only %d of %d trials were killed before they ended", killed, i)
	}
}
