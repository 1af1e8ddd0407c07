package main

// Regression tests of the hardening issue's items 9, 10 and 12 and its
// messages, through the built binary or the command's entry point.

import (
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// damageVector overwrites value i of the stored vector of the paper at
// the given slot of the first chunk of every model with x, as a flipped
// bit on disk would.
func damageVector(t *testing.T, db string, slot, i int, x float32) {
	t.Helper()
	h, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var mid int64
	var dim int
	var data []byte
	if err := h.QueryRow(`SELECT c.mid, m.dim, c.data FROM vec_chunks c JOIN models m ON m.mid = c.mid ORDER BY c.mid, c.chunk LIMIT 1`).Scan(&mid, &dim, &data); err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(data[4*(slot*dim+i):], math.Float32bits(x))
	if _, err := h.Exec(`UPDATE vec_chunks SET data = ? WHERE mid = ? AND chunk = (SELECT min(chunk) FROM vec_chunks WHERE mid = ?)`, data, mid, mid); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedVectors: a NaN and a huge value in stored vectors make no
// command panic or print a score beyond ±1; doctor finds them, --repair
// drops them, embed gives those papers vectors again.
func TestDamagedVectors(t *testing.T) {
	bin := buildBinary(t)
	p := newProc(t, bin, filepath.Join(t.TempDir(), "p.db"))
	p.ok("ingest", seedFile)
	p.ok("like", "Brain-IT", "MEG-GPT")
	p.ok("dislike", "Titans")
	damageVector(t, p.db, 0, 3, float32(math.NaN()))
	damageVector(t, p.db, 5, 0, 3e37)
	for _, args := range [][]string{
		{"queue", "-n", "56"},
		{"queue", "--all", "--diversity", "0.5"},
		{"digest"},
		{"group", "-k", "5"},
		{"group", "--all"},
		{"similar", "Brain-IT", "-k", "60"},
		{"similar", "--text", "brain decoding", "-k", "60"},
		{"eval"},
	} {
		for _, format := range []string{"json", "table"} {
			r := p.run(append(args, "--format", format)...)
			what := strings.Join(args, " ") + " --format " + format
			if r.code != 0 || strings.Contains(r.stderr, "panic") {
				t.Errorf("%s: exit %d: %s", what, r.code, r.stderr)
				continue
			}
			if !strings.Contains(r.stderr, "damaged") || !strings.Contains(r.stderr, "doctor --repair") {
				t.Errorf("%s: no warning of the damaged vectors: %s", what, r.stderr)
			}
			if format == "json" {
				checkScores(t, what, r.stdout)
			}
		}
	}
	r := p.run("doctor", "--format", "json")
	var rep doctorJSON
	var db struct {
		Database struct {
			OK      bool              `json:"ok"`
			Damaged []json.RawMessage `json:"damaged"`
			Fix     string            `json:"fix"`
		} `json:"database"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || json.Unmarshal([]byte(r.stdout), &db) != nil {
		t.Fatalf("doctor: %v\n%s", err, r.stdout)
	}
	if r.code != 1 || rep.OK || db.Database.OK || len(db.Database.Damaged) != 2 || !strings.Contains(db.Database.Fix, "doctor --repair") {
		t.Fatalf("doctor on damaged vectors: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	p.ok("doctor", "--repair")
	var st struct {
		Missing *int `json:"missing"`
	}
	p.json(&st, "stats")
	if st.Missing == nil || *st.Missing != 2 {
		t.Errorf("after the repair, %v papers lack a vector; want the 2 damaged", st.Missing)
	}
	p.ok("embed")
	r = p.run("doctor", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"database":{"ok":true`) {
		t.Errorf("doctor after repair and embed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = p.run("queue", "-n", "5")
	if r.code != 0 || strings.Contains(r.stderr, "damaged") {
		t.Errorf("queue after the repair: exit %d: %s", r.code, r.stderr)
	}
}

// checkScores fails when a JSON output holds a score that is not a cosine
// or rounded score: not finite, beyond ±1 (similar, group), or negative zero.
func checkScores(t *testing.T, what, out string) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Errorf("%s: not JSON: %v", what, err)
		return
	}
	var walk func(x any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, y := range x {
				if f, ok := y.(float64); ok && k == "score" && (math.IsNaN(f) || math.Abs(f) > 1e6) {
					t.Errorf("%s: score %v", what, f)
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	if strings.Contains(out, `"score":-0,`) || strings.Contains(out, `"score":-0}`) {
		t.Errorf("%s: a score of -0", what)
	}
}

// TestExtremeFlagValues runs every command through the binary with extreme
// values of its flags: none panics, every exit code is 0, 1 or 2, and the
// values outside a flag's range are wrong usage (2).
func TestExtremeFlagValues(t *testing.T) {
	bin := buildBinary(t)
	p := newProc(t, bin, filepath.Join(t.TempDir(), "p.db"))
	p.ok("ingest", seedFile)
	p.ok("like", "Brain-IT", "MEG-GPT")
	const maxInt = "9223372036854775807"
	extremes := []string{"NaN", "-Inf", "0", "-1", "1e-320", maxInt, "", "x", "2000000000"}
	cmds := []struct {
		args  []string
		flags []string
	}{
		{[]string{"similar", "Brain-IT"}, []string{"-k", "--list", "--since"}},
		{[]string{"similar", "--text", "decoding images from fMRI"}, []string{"-k"}},
		{[]string{"group"}, []string{"-k", "--seed", "--list", "--since"}},
		{[]string{"queue"}, []string{"-n", "--diversity", "--half-life", "--list", "--since"}},
		{[]string{"eval"}, []string{"-k"}},
		{[]string{"papers"}, []string{"--limit", "--since", "--list"}},
		{[]string{"digest"}, []string{"-n", "-k", "--seed", "--list"}},
		{[]string{"embed"}, []string{"--batch", "--batch-tokens", "--max-input-tokens", "--concurrency", "--retries", "--timeout"}},
		{[]string{"doctor"}, []string{"--timeout"}},
		{[]string{"ingest", "--no-embed", seedFile}, []string{"--timeout", "--max-size", "--list"}},
		{[]string{"stats"}, []string{"--dimensions"}},
	}
	var runs [][]string
	for _, c := range cmds {
		for _, f := range c.flags {
			for _, v := range extremes {
				runs = append(runs, append(append([]string(nil), c.args...), f+"="+v))
			}
		}
	}
	// four at a time: the database takes concurrent readers and writers
	seen := map[int]int{}
	var mu sync.Mutex
	work := make(chan []string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for args := range work {
				r := p.run(args...)
				mu.Lock()
				seen[r.code]++
				mu.Unlock()
				if r.code != 0 && r.code != 1 && r.code != 2 || strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
					t.Errorf("papersift %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
				}
			}
		}()
	}
	for _, args := range runs {
		work <- args
	}
	close(work)
	wg.Wait()
	if seen[0] == 0 || seen[2] == 0 {
		t.Errorf("exit codes %v: the table exercises too little", seen)
	}
	// values outside the documented ranges are wrong usage
	for _, args := range [][]string{
		{"queue", "--diversity", "NaN"}, {"queue", "--diversity", "1"}, {"queue", "--half-life", "1e-320"}, {"queue", "--half-life", "Inf"},
		{"queue", "-n", "0"}, {"similar", "Brain-IT", "-k", "0"}, {"similar", ""}, {"similar", "--text", " "},
		{"embed", "--concurrency", maxInt}, {"embed", "--batch", "0"}, {"embed", "--timeout", "-1s"},
		{"--dimensions", "100000000", "stats"}, {"group", "--list", " "}, {"ingest", "--list", "a,b", seedFile}, {"ingest", "--list", " ", seedFile},
	} {
		if r := p.run(args...); r.code != 2 {
			t.Errorf("papersift %s: exit %d, want 2: %s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	// values inside them keep working
	var hits []hitJSON
	p.json(&hits, "similar", "Brain-IT", "-k", maxInt)
	if len(hits) != 55 {
		t.Errorf("similar -k MaxInt: %d hits, want the 55 other papers", len(hits))
	}
	p.json(&hits, "similar", "--text", "decoding images from fMRI", "-k", "2000000000")
	if len(hits) != 56 {
		t.Errorf("similar --text -k 2e9: %d hits", len(hits))
	}
	var q []queueItemJSON
	p.json(&q, "queue", "-n", maxInt, "--diversity", "0")
	if len(q) != 54 {
		t.Errorf("queue -n MaxInt: %d items", len(q))
	}
	p.ok("eval", "-k", maxInt)
	p.ok("group", "-k", maxInt)
	p.ok("papers", "--limit", maxInt)
}

// TestMessages: the messages the hardening issue found wrong or vague.
func TestMessages(t *testing.T) {
	c := newCLI(t)
	// a paper none of whose words the built-in model knows
	dir := t.TempDir()
	src := filepath.Join(dir, "odd.jsonl")
	var b strings.Builder
	ps := synthCorpus(newSynthWords(3), 3, "o", 30, 0)
	for _, p := range ps {
		fmt.Fprintf(&b, "{\"id\":%q,\"title\":%q,\"abstract\":%q}\n", p.ID, p.Title, p.Abstract)
	}
	b.WriteString(`{"id":"zz1","title":"Qwxyzzy plorb","abstract":"Vrrmph snarfle glorbix."}` + "\n")
	os.WriteFile(src, []byte(b.String()), 0o644)
	r := c.run("ingest", src)
	if r.code != 0 || !strings.Contains(r.stderr, "zz1") {
		t.Fatalf("ingest: exit %d: %s", r.code, r.stderr)
	}
	r = c.run("similar", "zz1")
	if r.code != 1 || !strings.Contains(r.stderr, "vocabulary") || strings.Contains(r.stderr, "run papersift embed\n") {
		t.Errorf("similar on a paper of unknown words: exit %d: %s", r.code, r.stderr)
	}
	// --out a folder
	out := filepath.Join(dir, "page.html")
	os.Mkdir(out, 0o755)
	r = c.run("digest", "--out", out)
	if r.code == 0 || !strings.Contains(r.stderr, "folder") || strings.Contains(r.stderr, "rename") {
		t.Errorf("digest --out a folder: exit %d: %s", r.code, r.stderr)
	}
	// a digest when no liked paper has a vector still writes its page
	c.ok("like", "zz1")
	page := filepath.Join(dir, "d.html")
	r = c.run("digest", "--out", page)
	if r.code != 0 || !strings.Contains(r.stderr, "no reading queue") {
		t.Errorf("digest with likes without vectors: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(page); err != nil {
		t.Errorf("no page: %v", err)
	}
}

// TestInterestsEndpointDown: interests that failed because the endpoint
// failed say so, not "try other words".
func TestInterestsEndpointDown(t *testing.T) {
	srv := newFakeEmbeddings(t, 8)
	c := newCLI(t)
	c.env["OPENAI_BASE_URL"] = srv.URL + "/v1"
	c.ok("--embedder", "openai", "--model", "m", "ingest", seedFile)
	c.ok("interest", "add", "brain decoding")
	srv.Close()
	r := c.run("--embedder", "openai", "--model", "m", "queue", "--all")
	if r.code != 1 || strings.Contains(r.stderr, "try other words") || !strings.Contains(r.stderr, "could not be embedded") {
		t.Errorf("queue with the endpoint down: exit %d: %s", r.code, r.stderr)
	}
}

// TestDigestReadOnlyDatabase: a digest of what is stored only reads.
func TestDigestReadOnlyDatabase(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root writes read-only files")
	}
	c := newCLI(t)
	c.ok("ingest", seedFile)
	os.Chmod(c.db, 0o444)
	os.Chmod(filepath.Dir(c.db), 0o555)
	t.Cleanup(func() { os.Chmod(filepath.Dir(c.db), 0o755) })
	if r := c.run("digest"); r.code != 0 {
		t.Errorf("digest of a read-only database: exit %d: %s", r.code, r.stderr)
	}
}
