package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const seedFile = "../../testdata/000_b745d9aefa4b81e4.txt"

// tcli runs papersift in-process against one database.
type tcli struct {
	t   *testing.T
	db  string
	env map[string]string
}

func newCLI(t *testing.T) *tcli {
	t.Helper()
	return &tcli{t: t, db: filepath.Join(t.TempDir(), "p.db"), env: map[string]string{}}
}

type result struct {
	code   int
	stdout string
	stderr string
}

func (c *tcli) run(args ...string) result {
	c.t.Helper()
	return c.runIn("", args...)
}

func (c *tcli) runIn(stdin string, args ...string) result {
	c.t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return c.env[k] }
	full := append([]string{"papersift", "--db", c.db}, args...)
	code := run(context.Background(), full, strings.NewReader(stdin), &out, &errb, getenv)
	return result{code, out.String(), errb.String()}
}

// ok runs a command that must succeed.
func (c *tcli) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("papersift %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

func (c *tcli) json(v any, args ...string) {
	c.t.Helper()
	out := c.ok(append(args, "--format", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("papersift %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// dbSum hashes the database and its WAL, to prove a failed command left it unchanged.
func (c *tcli) dbSum() string {
	c.t.Helper()
	h := sha256.New()
	for _, suf := range []string{"", "-wal"} {
		b, err := os.ReadFile(c.db + suf)
		if err == nil {
			h.Write(b)
		}
	}
	return string(h.Sum(nil))
}

type paperOut struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Abstract string   `json:"abstract"`
	Authors  []string `json:"authors"`
	NAuthors *int     `json:"n_authors"`
	Org      *string  `json:"org"`
	Date     *string  `json:"date"`
	Comments *int     `json:"comments"`
	URL      *string  `json:"url"`
	Lists    []string `json:"lists"`
}

func TestSeedEndToEnd(t *testing.T) {
	c := newCLI(t)
	var ing ingestJSON
	c.json(&ing, "ingest", seedFile)
	if ing.Read != 56 || ing.New != 56 || ing.Updated != 0 || ing.Skipped != 0 || ing.Embedded != 56 {
		t.Fatalf("first ingest = %+v, want read 56, new 56, embedded 56", ing)
	}
	if ing.List != "2026-01-07" {
		t.Errorf("list = %q, want the page's day 2026-01-07", ing.List)
	}
	c.json(&ing, "ingest", seedFile)
	if ing.Read != 56 || ing.New != 0 || ing.Updated != 0 || ing.Embedded != 0 {
		t.Fatalf("second ingest = %+v, want read 56, new 0, updated 0, embedded 0", ing)
	}

	var papers []paperOut
	c.json(&papers, "papers")
	if len(papers) != 56 {
		t.Fatalf("papers: %d, want 56", len(papers))
	}
	byTitle := map[string]paperOut{}
	for _, p := range papers {
		byTitle[p.Title] = p
		if p.Abstract == "" {
			t.Errorf("%s has no abstract", p.ID)
		}
		if len(p.Lists) != 1 || p.Lists[0] != "2026-01-07" {
			t.Errorf("%s lists = %v", p.ID, p.Lists)
		}
	}
	brain := byTitle["Brain-IT: Image Reconstruction from fMRI via Brain-Interaction Transformer"]
	if brain.ID == "" || brain.Date != nil || brain.NAuthors != nil || brain.Org != nil {
		t.Errorf("Brain-IT = %+v, want kept with no date, author count or organisation", brain)
	}
	cfm := byTitle["Configurable Foundation Models: Building LLMs from a Modular Perspective"]
	if cfm.Org == nil || *cfm.Org != "OpenBMB" || cfm.Date == nil || *cfm.Date != "2024-09-04" || cfm.Comments == nil || *cfm.Comments != 2 {
		t.Errorf("Configurable Foundation Models = org %v date %v comments %v, want OpenBMB 2024-09-04 2", deref(cfm.Org), deref(cfm.Date), cfm.Comments)
	}
	for _, p := range papers {
		if p.ID == brain.ID || p.ID == cfm.ID {
			continue
		}
		if p.NAuthors == nil || *p.NAuthors < 1 {
			t.Errorf("%s (%s) has no author count", p.ID, p.Title)
		}
		if p.Date == nil || !isDate(*p.Date) {
			t.Errorf("%s (%s) has no ISO date", p.ID, p.Title)
		}
	}
	first := byTitle["Disentangling the Factors of Convergence between Brains and Computer Vision Models"]
	if first.NAuthors == nil || *first.NAuthors != 8 || first.Date == nil || *first.Date != "2025-08-25" {
		t.Errorf("first paper = %+v, want 8 authors, 2025-08-25", first)
	}

	// similar never returns the query paper, by id or by title fragment
	for _, ref := range []string{brain.ID, "brain-it: image"} {
		var hits []hitJSON
		c.json(&hits, "similar", ref, "-k", "5")
		if len(hits) != 5 {
			t.Fatalf("similar %s: %d hits, want 5", ref, len(hits))
		}
		for i, h := range hits {
			if h.ID == brain.ID {
				t.Errorf("similar %s returned the query paper", ref)
			}
			if i > 0 && h.Score > hits[i-1].Score {
				t.Errorf("similar %s: not sorted by score: %v", ref, hits)
			}
		}
	}

	// the group covers every paper once, with labels
	var g groupJSON
	c.json(&g, "group", "--seed", "3")
	seen := map[string]bool{}
	for _, cl := range g.Clusters {
		if cl.Label == "" || len(cl.Terms) == 0 {
			t.Errorf("cluster %d has no label", cl.ID)
		}
		if cl.Size != len(cl.Papers) {
			t.Errorf("cluster %d: size %d, %d papers", cl.ID, cl.Size, len(cl.Papers))
		}
		for _, p := range cl.Papers {
			if seen[p.ID] {
				t.Errorf("%s in two clusters", p.ID)
			}
			seen[p.ID] = true
		}
	}
	if len(seen) != 56 || g.K != len(g.Clusters) || g.K < 2 {
		t.Errorf("group: %d papers in k=%d (%d clusters)", len(seen), g.K, len(g.Clusters))
	}
	// same data, same seed: same bytes
	a := c.ok("group", "--seed", "3", "--format", "json")
	b := c.ok("group", "--seed", "3", "--format", "json")
	if a != b {
		t.Error("group output differs between two runs with the same seed")
	}
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestQueueAndProfile(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", seedFile)
	r := c.run("queue")
	if r.code != 1 || !strings.Contains(r.stderr, "papersift --db "+c.db+" like ID") {
		t.Fatalf("queue with an empty profile: exit %d, stderr %q; want 1 and a hint", r.code, r.stderr)
	}
	// only an interest the model cannot embed: say so, not "run embed"
	c.ok("interest", "add", "zzzqqq xxyyvv")
	if r := c.run("queue"); r.code != 1 || !strings.Contains(r.stderr, "interests could be embedded") {
		t.Errorf("queue with an unembeddable interest: exit %d, %q", r.code, r.stderr)
	}
	c.ok("interest", "rm", "zzzqqq xxyyvv")
	c.ok("like", "Brain-IT", "MEG-GPT")
	c.ok("dislike", "Titans: Learning")
	c.ok("read", "MindBridge")
	c.ok("interest", "add", "spiking neural networks")
	var prof profileJSON
	c.json(&prof, "profile")
	if len(prof.Likes) != 2 || len(prof.Dislikes) != 1 || len(prof.Read) != 1 || len(prof.Interests) != 1 {
		t.Fatalf("profile = %+v", prof)
	}
	var q []queueItemJSON
	c.json(&q, "queue", "-n", "10")
	if len(q) != 10 {
		t.Fatalf("queue: %d items, want 10", len(q))
	}
	banned := map[string]bool{}
	for _, id := range append(append(append([]string{}, prof.Likes...), prof.Dislikes...), prof.Read...) {
		banned[id] = true
	}
	for i, it := range q {
		if it.Rank != i+1 || it.Reason == "" {
			t.Errorf("item %d: rank %d reason %q", i, it.Rank, it.Reason)
		}
		if banned[it.ID] {
			t.Errorf("queue holds %s, which is liked, disliked or read", it.ID)
		}
		// strong and good matches first, weak ones last
		want := map[bool]string{true: "weak"}[it.Weak]
		if it.Weak != (it.Match < 0.15) || (want != "" && it.Strength != want) || (!it.Weak && it.Strength != "strong" && it.Strength != "good") {
			t.Errorf("item %d: match %v, strength %q, weak %v", i, it.Match, it.Strength, it.Weak)
		}
		// the words read in rank order: strong, then good, then weak
		order := map[string]int{"strong": 0, "good": 1, "weak": 2}
		if i > 0 && order[it.Strength] < order[q[i-1].Strength] {
			t.Errorf("queue: item %d is %s after a %s one", i, it.Strength, q[i-1].Strength)
		}
	}
	// --include-read lets the read paper back in
	var all []queueItemJSON
	c.json(&all, "queue", "-n", "60", "--include-read")
	found := false
	for _, it := range all {
		found = found || it.ID == prof.Read[0]
	}
	if !found {
		t.Error("queue --include-read left out the read paper")
	}
	// leave-one-out needs two likes with vectors; it has them
	var ev evalJSON
	c.json(&ev, "eval", "-k", "5")
	if ev.Likes != 2 || ev.AUC <= 0 || ev.AUC > 1 || ev.K != 5 || ev.Candidates != 53 {
		t.Errorf("eval = %+v", ev)
	}
	if r := c.run("queue", "--diversity", "1.5"); r.code != 2 {
		t.Errorf("--diversity 1.5: exit %d, want 2", r.code)
	}
	var flat []queueItemJSON
	c.json(&flat, "queue", "-n", "10", "--diversity", "0", "--half-life", "365")
	if len(flat) != 10 {
		t.Errorf("queue with diversity off and a half-life: %d items", len(flat))
	}
	c.ok("unrate", "MindBridge")
	c.ok("interest", "rm", "spiking neural networks")
	c.json(&prof, "profile")
	if len(prof.Read) != 0 || len(prof.Interests) != 0 {
		t.Errorf("after unrate and interest rm: %+v", prof)
	}
	if r := c.run("interest", "rm", "nothing like this"); r.code != 1 {
		t.Errorf("removing a missing interest: exit %d, want 1", r.code)
	}
	c.ok("unrate", "MEG-GPT")
	if r := c.run("eval"); r.code != 1 || !strings.Contains(r.stderr, "at least two") {
		t.Errorf("eval with one like: exit %d, %q", r.code, r.stderr)
	}
}

func TestLookupErrors(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", seedFile)
	before := c.dbSum()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown id suggests", []string{"similar", "Brain-IX: Image Reconstruction"}, 1, "did you mean"},
		{"ambiguous fragment lists matches", []string{"similar", "brain"}, 1, "matches"},
		{"like an unknown paper", []string{"like", "Brain-IT", "no-such-paper-zzz"}, 1, "no paper"},
		{"unknown list", []string{"group", "--list", "nope"}, 1, "no list"},
		{"no argument", []string{"similar"}, 2, "PAPER"},
		{"paper and text", []string{"similar", "Brain-IT", "--text", "fmri"}, 2, "not both"},
		{"unknown flag", []string{"similar", "Brain-IT", "--bogus"}, 2, "bogus"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"bad k", []string{"group", "-k", "many"}, 2, "-k"},
		{"bad since", []string{"papers", "--since", "yesterday"}, 2, "YYYY-MM-DD"},
		{"impossible since", []string{"papers", "--since", "2026-13-45"}, 2, "YYYY-MM-DD"},
		{"bad output format", []string{"stats", "--format", "yaml"}, 2, "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.run(tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.want)
			}
			if r.stdout != "" {
				t.Errorf("a failing command printed results: %q", r.stdout)
			}
		})
	}
	if c.dbSum() != before {
		t.Error("failing commands changed the database")
	}
	// the like that named an unknown paper recorded nothing
	var prof profileJSON
	c.json(&prof, "profile")
	if len(prof.Likes) != 0 {
		t.Errorf("likes = %v after a failed like", prof.Likes)
	}
}

func TestBadInputLeavesDatabaseUnchanged(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", seedFile)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		path string
		want string // in stderr: the file, and where
	}{
		{"empty file", write("empty.txt", ""), "empty.txt"},
		{"whitespace", write("blank.txt", " \n\n\t\n"), "blank.txt"},
		{"other format", write("notes.txt", "just some notes\nnothing like a listing\n"), "notes.txt"},
		{"title without abstract", write("t.jsonl", `{"id":"x1","title":"A title with no abstract"}`+"\n"), "t.jsonl:1"},
		{"invalid UTF-8", write("bad.jsonl", `{"id":"a","title":"ok","abstract":"fine"}`+"\n"+`{"id":"b","title":"bad `+"\xff\xfe"+`","abstract":"x"}`+"\n"), "bad.jsonl:2"},
		{"broken JSON", write("broken.jsonl", `{"id":"a","title":"ok","abstract":"fine"}`+"\n"+`{"id":"b","title":`+"\n"), "broken.jsonl:2"},
		{"missing file", filepath.Join(dir, "missing.txt"), "missing.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.dbSum()
			r := c.run("ingest", tt.path)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1 (stderr %q)", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not name %q", r.stderr, tt.want)
			}
			if c.dbSum() != before {
				t.Error("the database changed")
			}
		})
	}
	// one bad source among good ones writes nothing at all
	good := write("good.jsonl", `{"id":"g1","title":"Good paper","abstract":"About spiking neural networks and the brain."}`+"\n")
	before := c.dbSum()
	if r := c.run("ingest", good, filepath.Join(dir, "empty.txt")); r.code != 1 {
		t.Fatalf("good + bad: exit %d, want 1", r.code)
	}
	if c.dbSum() != before {
		t.Error("a failed multi-source ingest wrote the good source")
	}
}

func TestFlagsAnywhere(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", seedFile, "-q")
	orders := [][]string{
		{"similar", "Brain-IT", "-k", "3", "--format", "json"},
		{"similar", "-k", "3", "Brain-IT", "--format", "json"},
		{"--format", "json", "similar", "Brain-IT", "-k", "3"},
		{"similar", "--format=json", "Brain-IT", "-k=3"},
	}
	var want string
	for i, args := range orders {
		out := c.ok(args...)
		if i == 0 {
			want = out
			var hits []hitJSON
			if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) != 3 {
				t.Fatalf("similar: %v %s", err, out)
			}
			continue
		}
		if out != want {
			t.Errorf("order %v gives other output:\n%s\nwant\n%s", args, out, want)
		}
	}
	// --db after the command, and ingest's --format naming the input format
	db2 := filepath.Join(t.TempDir(), "q.db")
	var ing ingestJSON
	out := c.ok("ingest", seedFile, "--db", db2, "--format", "hf-page", "--format", "json")
	if err := json.Unmarshal([]byte(out), &ing); err != nil || ing.New != 56 {
		t.Fatalf("ingest with flags after the source: %v %s", err, out)
	}
	if _, err := os.Stat(db2); err != nil {
		t.Errorf("--db after the command was not used: %v", err)
	}
}

func TestStdinAndJSONL(t *testing.T) {
	c := newCLI(t)
	in := `{"id":"2405.00001v2","title":"Spiking networks","abstract":"Spiking neural networks for low power inference on chips.","authors":["A. One","B. Two"],"date":"2024-05-01"}
{"id":"custom-7","title":"Graph learning","abstract":"Graph neural networks learn from relational data and message passing.","authors":"C. Three; D. Four"}
{"title":"No id here","abstract":"A paper without an id gets one from its title, stable everywhere."}
`
	r := c.runIn(in, "ingest", "-", "--list", "mine", "--format", "json")
	if r.code != 0 {
		t.Fatalf("ingest -: exit %d: %s", r.code, r.stderr)
	}
	var papers []paperOut
	c.json(&papers, "papers", "--list", "mine")
	ids := map[string]paperOut{}
	for _, p := range papers {
		ids[p.ID] = p
	}
	if _, ok := ids["2405.00001"]; !ok {
		t.Errorf("arXiv version suffix kept: %v", keys(ids))
	}
	if p, ok := ids["custom-7"]; !ok || len(p.Authors) != 2 {
		t.Errorf("custom id or authors lost: %+v", p)
	}
	found := false
	for id := range ids {
		found = found || strings.HasPrefix(id, "title-")
	}
	if !found {
		t.Errorf("no title-derived id among %v", keys(ids))
	}
	if p := ids["2405.00001"]; p.URL == nil || *p.URL != "https://arxiv.org/abs/2405.00001" {
		t.Errorf("arXiv paper url = %v", p.URL)
	}
}

func keys(m map[string]paperOut) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestStatsBeforeAndAfter(t *testing.T) {
	c := newCLI(t)
	var st struct {
		DB          string         `json:"db"`
		Papers      int            `json:"papers"`
		ActiveModel *string        `json:"active_model"`
		Dimensions  *int           `json:"dimensions"`
		Vectors     map[string]int `json:"vectors"`
	}
	// a command that only reads creates no database
	if r := c.run("stats"); r.code != 1 || !strings.Contains(r.stderr, "no database at "+c.db) || !strings.Contains(r.stderr, "ingest FILE") {
		t.Errorf("stats before anything: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(c.db); err == nil {
		t.Errorf("stats created the database")
	}
	c.ok("ingest", "--no-embed", "--list", "x", seedFile)
	c.json(&st, "stats")
	if st.Papers != 56 || st.Dimensions != nil || st.ActiveModel != nil {
		t.Errorf("stats before embedding = %+v", st)
	}
	c.ok("ingest", seedFile)
	c.json(&st, "stats")
	if st.Papers != 56 || st.Dimensions == nil || *st.Dimensions < 2 || st.Vectors[*st.ActiveModel] != 56 {
		t.Errorf("stats = %+v", st)
	}
}

func TestDigestPrintsGroups(t *testing.T) {
	c := newCLI(t)
	out := c.ok("digest", seedFile)
	if !strings.Contains(out, "56 papers in") || strings.Count(out, "## ") < 2 {
		t.Errorf("digest output lacks the groups:\n%s", out)
	}
}

func TestDefaultDBPath(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string // "" for an error
	}{
		{map[string]string{"XDG_DATA_HOME": "/x/data", "HOME": "/home/u"}, "/x/data/papersift/papers.db"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/papersift/papers.db"},
		{map[string]string{"XDG_DATA_HOME": "relative", "HOME": "/home/u"}, "/home/u/.local/share/papersift/papers.db"},
		{map[string]string{"XDG_DATA_HOME": "/x/data"}, "/x/data/papersift/papers.db"},
		{map[string]string{}, ""},
		{map[string]string{"HOME": "."}, ""},
	} {
		got, err := defaultDB(func(k string) string { return c.env[k] })
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("env %v: %q, %v; want %q", c.env, got, err, c.want)
		}
	}
}

func init() { time.Local = time.UTC }

// TestStreamedIngestAllOrNothing: a large JSON Lines listing is stored while
// it is parsed; a bad line near its end still leaves nothing behind (a
// database this ingest created stays, empty).
func TestStreamedIngestAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 9000; i++ { // more than two parse chunks
		fmt.Fprintf(&b, `{"id":"s%05d","title":"Paper %d on spiking networks","abstract":"Spiking neural networks and event cameras, study %d."}`+"\n", i, i, i)
	}
	good := b.String()
	bad := good + `{"id":"broken","title":` + "\n"
	badPath := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(badPath, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	r := c.run("ingest", "--no-embed", badPath)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.jsonl:9001") {
		t.Fatalf("bad line at the end: exit %d, %q", r.code, r.stderr)
	}
	var st struct{ Papers, Lists int }
	c.json(&st, "stats")
	if st.Papers != 0 || st.Lists != 0 {
		t.Errorf("a failed first ingest left %d papers and %d lists", st.Papers, st.Lists)
	}
	// into an existing database: nothing of it is stored
	c.ok("ingest", "--no-embed", seedFile)
	before := c.dbSum()
	if r := c.run("ingest", "--no-embed", badPath); r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	skipPath := filepath.Join(dir, "skip.jsonl")
	os.WriteFile(skipPath, []byte(good+`{"id":"x","title":"No abstract here"}`+"\n"), 0o644)
	if r := c.run("ingest", "--no-embed", "--strict", skipPath); r.code != 1 || !strings.Contains(r.stderr, "--strict") {
		t.Fatalf("--strict with a skipped record: exit %d, %q", r.code, r.stderr)
	}
	if c.dbSum() != before {
		t.Error("a failed streamed ingest changed the database")
	}
	// without --strict the good papers go in, the bad record is counted
	var ing ingestJSON
	c.json(&ing, "ingest", "--no-embed", "--list", "big", skipPath)
	if ing.New != 9000 || ing.Skipped != 1 || ing.Read != 9001 || ing.List != "big" {
		t.Errorf("ingest = %+v", ing)
	}
	var papers []paperOut
	c.json(&papers, "papers", "--list", "big", "--limit", "5")
	if len(papers) != 5 {
		t.Errorf("papers --list big: %d", len(papers))
	}
}
