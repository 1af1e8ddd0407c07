package main

// Regression tests of the hardening issue's security items, through the
// command's entry point: each fails on the code before its fix.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark"
)

// hostile is a title, author, id and list name crafted to act on a
// terminal: an OSC title change, a screen clear, a bell, a backspace, a
// right-to-left override and zero-width characters.
const (
	hostileTitle  = "Owned \x1b]0;pwned\x07 \x1b[2J\x1b[H title\bX \u202egnp.exe \u200bzero\u200dwidth"
	hostileAuthor = "Eve \x1b[31mRed\x1b[0m"
	hostileID     = "evil\x1b[1mid"
	hostileList   = "list\u202eevil\u200b"
)

// terminalSafe fails when text holds anything that acts on a terminal.
func terminalSafe(t *testing.T, what, text string) {
	t.Helper()
	if !utf8.ValidString(text) {
		t.Errorf("%s: invalid UTF-8", what)
	}
	for _, r := range text {
		bad := r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f ||
			r == 0x202e || r == 0x200b || r == 0x200d || r == 0xfeff
		if bad {
			t.Errorf("%s: a raw %U reaches the terminal:\n%q", what, r, text)
			return
		}
	}
}

// hostileCorpus is a synthetic corpus with one hostile paper among them.
func hostileCorpus(t *testing.T, c *tcli) {
	t.Helper()
	ps := synthCorpus(newSynthWords(5), 5, "h", 40, 0)
	ps[0].ID, ps[0].Title, ps[0].Authors = hostileID, hostileTitle+" "+ps[0].Title, []string{hostileAuthor}
	src := filepath.Join(t.TempDir(), "hostile.jsonl")
	writeJSONL(t, src, ps)
	c.ok("ingest", "--list", hostileList, src)
}

func TestTextOutputSanitised(t *testing.T) {
	c := newCLI(t)
	hostileCorpus(t, c)
	c.ok("like", hostileID)
	c.ok("interest", "add", "a \x1b[5m blinking interest")
	cmds := [][]string{
		{"papers"},
		{"papers", "--list", hostileList},
		{"similar", "h00003", "-k", "40"},
		{"similar", hostileID},
		{"group", "-k", "3"},
		{"group", "--all", "-k", "2"},
		{"queue", "-n", "40", "--all"},
		{"profile"},
		{"digest", "--list", hostileList},
		{"stats"},
	}
	for _, args := range cmds {
		for _, format := range []string{"table", "csv", "md"} {
			r := c.run(append(args, "--format", format)...)
			what := strings.Join(args, " ") + " --format " + format
			if r.code != 0 {
				t.Errorf("%s: exit %d: %s", what, r.code, r.stderr)
				continue
			}
			terminalSafe(t, what+" (stdout)", r.stdout)
			terminalSafe(t, what+" (stderr)", r.stderr)
		}
	}
	// Messages on stderr: an ambiguous fragment lists the titles, a skipped
	// record names its id.
	r := c.run("similar", "pwned")
	if r.code != 0 {
		terminalSafe(t, "similar pwned (stderr)", r.stderr)
	}
	bad := filepath.Join(t.TempDir(), "skip.jsonl")
	if err := os.WriteFile(bad, []byte(`{"id":"skip\u001b]0;t\u0007me","title":"T \u001b[2J","abstract":""}`+"\n"+
		`{"id":"ok1","title":"A fine title","abstract":"An abstract about words."}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = c.run("ingest", "--no-embed", bad)
	if r.code != 0 || !strings.Contains(r.stderr, "skipped") {
		t.Fatalf("ingest with a skipped record: exit %d: %s", r.code, r.stderr)
	}
	terminalSafe(t, "skip warning", r.stderr)
	r = c.run("similar", "no such paper \x1b]0;t\x07")
	if r.code != 1 {
		t.Errorf("similar of an unknown paper: exit %d", r.code)
	}
	terminalSafe(t, "not-found message", r.stderr)

	// JSON stays exact.
	var ps []paperJSON
	c.json(&ps, "papers", "--list", hostileList)
	found := false
	for _, p := range ps {
		if p.ID == hostileID {
			found = true
			if !strings.HasPrefix(p.Title, hostileTitle) || len(p.Authors) != 1 || p.Authors[0] != hostileAuthor {
				t.Errorf("JSON changed the hostile paper: %q by %q", p.Title, p.Authors)
			}
		}
	}
	if !found {
		t.Errorf("the hostile paper is missing from the JSON output")
	}
}

// TestServerTextSanitised: an endpoint's error message cannot act on the
// terminal either.
func TestServerTextSanitised(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":{"message":"bad \u001b]0;owned\u0007 model \u001b[2J","type":"invalid_request_error"}}`))
	}))
	defer srv.Close()
	c := newCLI(t)
	c.ok("ingest", "--no-embed", seedFile)
	r := c.run("--embedder", "openai", "--base-url", srv.URL+"/v1", "--model", "m", "embed", "--retries", "0")
	if r.code != 1 {
		t.Fatalf("embed against a failing endpoint: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "owned") {
		t.Errorf("the server's message is not reported: %s", r.stderr)
	}
	terminalSafe(t, "endpoint error", r.stderr)
}

func TestMarkdownTableEscaped(t *testing.T) {
	c := newCLI(t)
	evil := "[click](javascript:alert(1)) <script>alert(2)</script> **b** | pipe"
	src := filepath.Join(t.TempDir(), "md.jsonl")
	if err := os.WriteFile(src, []byte(`{"id":"md1","title":`+jsonString(evil)+`,"abstract":"An abstract."}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.ok("ingest", "--no-embed", src)
	out := c.ok("papers", "--format", "md")
	var html bytes.Buffer
	if err := goldmark.New().Convert([]byte(out), &html); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	for _, live := range []string{"<a ", "<script", "<strong>", "<em>"} {
		if strings.Contains(h, live) {
			t.Errorf("the Markdown table renders %s:\n%s\n%s", live, out, h)
		}
	}
	if !strings.Contains(h, "click") || !strings.Contains(h, "alert(2)") {
		t.Errorf("the title's text is lost:\n%s", h)
	}
	if n := strings.Count(strings.SplitN(out, "\n", 4)[2], " | "); n != 4 {
		t.Errorf("a | in a title adds a column (%d separators):\n%s", n, out)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestCSVFormulaNeutralised(t *testing.T) {
	c := newCLI(t)
	titles := []string{`=HYPERLINK("http://evil","x")`, `+cmd|' /C calc'!A0`, `-2+3+cmd|' /C calc'!A0`, `@SUM(1+1)*cmd|' /C calc'!A0`, "\tTab start", "\rCR start", "Plain title"}
	var b strings.Builder
	for i, ti := range titles {
		b.WriteString(`{"id":"c` + string(rune('a'+i)) + `","title":` + jsonString(ti) + `,"abstract":"An abstract about formulas."}` + "\n")
	}
	b.WriteString(`{"id":"=1+1","title":"An id that is a formula","abstract":"Another abstract."}` + "\n")
	src := filepath.Join(t.TempDir(), "csv.jsonl")
	if err := os.WriteFile(src, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c.ok("ingest", "--no-embed", "--list", "@list", src)
	out := c.ok("papers", "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	if len(recs) != len(titles)+2 {
		t.Fatalf("%d rows:\n%s", len(recs), out)
	}
	for _, rec := range recs[1:] {
		for i, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %d starts a formula: %q", i, cell)
			}
		}
	}
	if !strings.Contains(out, `'=HYPERLINK(`) || !strings.Contains(out, "'@list") || !strings.Contains(out, "'=1+1") {
		t.Errorf("formulas are not neutralised with an apostrophe:\n%s", out)
	}
	// Scores stay numbers.
	c.ok("embed")
	c.ok("dislike", "ca")
	c.ok("like", "cb")
	q := c.ok("queue", "--all", "--format", "csv", "-n", "20")
	recs, err = csv.NewReader(strings.NewReader(q)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	negative := false
	for _, rec := range recs[1:] {
		for _, cell := range rec[2:4] { // match and score
			if _, err := strconv.ParseFloat(cell, 64); err != nil || strings.HasPrefix(cell, "'") {
				t.Errorf("number %q is not a number", cell)
			}
			negative = negative || strings.HasPrefix(cell, "-")
		}
	}
	if !negative {
		t.Errorf("no negative number in the queue, nothing tested:\n%s", q)
	}
}

func TestEscapedNULAndInvisibleTitles(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", "--no-embed", seedFile)
	before := c.dbSum()
	dir := t.TempDir()
	nul := filepath.Join(dir, "nul.jsonl")
	os.WriteFile(nul, []byte(`{"id":"n0","title":"fine","abstract":"fine abstract"}`+"\n"+`{"id":"n1","title":"nul\u0000in title","abstract":"An abstract."}`+"\n"), 0o644)
	r := c.run("ingest", nul)
	if r.code != 1 || !strings.Contains(r.stderr, "nul.jsonl:2") || !strings.Contains(r.stderr, "NUL") {
		t.Errorf("an escaped NUL: exit %d: %s", r.code, r.stderr)
	}
	arr := filepath.Join(dir, "nul.json")
	os.WriteFile(arr, []byte(`[{"id":"n0","title":"fine","abstract":"fine abstract"},`+"\n"+`{"id":"n1","title":"t","abstract":"nul\u0000"}]`), 0o644)
	if r := c.run("ingest", "--format", "jsonl", arr); r.code != 1 || !strings.Contains(r.stderr, "nul.json:2") {
		t.Errorf("an escaped NUL in a JSON array: exit %d: %s", r.code, r.stderr)
	}
	if c.dbSum() != before {
		t.Errorf("a failed ingest changed the database")
	}
	inv := filepath.Join(dir, "invisible.jsonl")
	os.WriteFile(inv, []byte(`{"id":"i1","title":"\u0007","abstract":"An abstract."}`+"\n"+
		`{"id":"i2","title":"\u200b\u200b\ufeff","abstract":"An abstract."}`+"\n"+
		`{"id":"i3","title":"A title","abstract":"\u200b \u2060"}`+"\n"+
		`{"id":"i4","title":"A real title","abstract":"A real abstract."}`+"\n"), 0o644)
	r = c.run("ingest", "--no-embed", "--format", "json", inv)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, line := range []string{"invisible.jsonl:1", "invisible.jsonl:2", "invisible.jsonl:3"} {
		if !strings.Contains(r.stderr, line) {
			t.Errorf("no warning naming %s: %s", line, r.stderr)
		}
	}
	var res ingestJSON
	json.Unmarshal([]byte(r.stdout), &res)
	if res.New != 1 || res.Skipped != 3 {
		t.Errorf("new %d, skipped %d; want 1 and 3", res.New, res.Skipped)
	}
	if r := c.run("ingest", "--strict", inv); r.code != 1 || !strings.Contains(r.stderr, "invisible.jsonl:1") {
		t.Errorf("--strict: exit %d: %s", r.code, r.stderr)
	}
}

func TestDatabaseMustBeAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	mkfifo(t, fifo)
	_, statErr := os.Stat("/dev/null-journal")
	for _, db := range []string{fifo, "/dev/null"} {
		for _, cmd := range [][]string{{"stats"}, {"ingest", seedFile}} {
			var out, errb bytes.Buffer
			code := run(t.Context(), append([]string{"papersift", "--db", db}, cmd...), strings.NewReader(""), &out, &errb, func(string) string { return "" })
			if code != 1 || !strings.Contains(errb.String(), "not a papersift database") || !strings.Contains(errb.String(), db) {
				t.Errorf("--db %s %s: exit %d: %s", db, cmd[0], code, errb.String())
			}
		}
	}
	if _, err := os.Stat("/dev/null-journal"); err == nil && statErr != nil {
		os.Remove("/dev/null-journal")
		t.Errorf("papersift created /dev/null-journal")
	}
	if _, err := os.Stat(fifo + "-journal"); err == nil {
		t.Errorf("papersift created a journal beside the pipe")
	}
}

func TestNoHomeNoDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, env := range []map[string]string{{}, {"HOME": "relative/home"}, {"XDG_DATA_HOME": "rel", "HOME": ""}} {
		var out, errb bytes.Buffer
		code := run(t.Context(), []string{"papersift", "ingest", "../x"}, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
		if code != 2 || !strings.Contains(errb.String(), "PAPERSIFT_DB") || !strings.Contains(errb.String(), "--db") {
			t.Errorf("env %v: exit %d: %s", env, code, errb.String())
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("papersift wrote into the current folder: %v", ents)
	}
	// with a usable home, the database goes there
	home := t.TempDir()
	var out, errb bytes.Buffer
	code := run(t.Context(), []string{"papersift", "ingest", "--no-embed", filepath.Join(t.TempDir(), "none.jsonl")}, strings.NewReader(""), &out, &errb,
		func(k string) string { return map[string]string{"HOME": home}[k] })
	if code != 1 || !strings.Contains(errb.String(), "no such file") {
		t.Errorf("with HOME: exit %d: %s", code, errb.String())
	}
}

func TestIDlessRecordNeverReplacesText(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	withID := filepath.Join(dir, "a.jsonl")
	os.WriteFile(withID, []byte(`{"id":"2405.12345","title":"Sparse Attention for Long Videos","abstract":"The original abstract.","date":"2024-05-20"}`+"\n"), 0o644)
	c.ok("ingest", "--no-embed", "--list", "first", withID)
	// an hf-page-like record: no id, the same title, another abstract
	noID := filepath.Join(dir, "b.jsonl")
	os.WriteFile(noID, []byte(`{"title":"Sparse attention for long videos!","abstract":"An attacker's abstract.","authors":["Ann One"]}`+"\n"), 0o644)
	var res ingestJSON
	c.json(&res, "ingest", "--no-embed", "--list", "second", noID)
	var ps []paperJSON
	c.json(&ps, "papers")
	if len(ps) != 1 {
		t.Fatalf("%d papers, want the one merged paper", len(ps))
	}
	p := ps[0]
	if p.ID != "2405.12345" || p.Abstract != "The original abstract." || p.Title != "Sparse Attention for Long Videos" {
		t.Errorf("the id-less record replaced the paper's text: %+v", p)
	}
	if len(p.Authors) != 1 || p.Authors[0] != "Ann One" {
		t.Errorf("the id-less record did not fill the missing authors: %v", p.Authors)
	}
	if strings.Join(p.Lists, ",") != "first,second" && strings.Join(p.Lists, ",") != "second,first" {
		t.Errorf("lists %v, want both", p.Lists)
	}
}

// TestDoctorHidesQuerySecret: doctor shows the base URL without the
// secrets of its query.
func TestDoctorHidesQuerySecret(t *testing.T) {
	srv := newFakeEmbeddings(t, 8)
	c := newCLI(t)
	c.env["OPENAI_BASE_URL"] = srv.URL + "/v1?api-key=QSECRET123456&v=1"
	for _, format := range []string{"table", "json"} {
		r := c.run("--embedder", "openai", "--model", "m", "doctor", "--format", format)
		if strings.Contains(r.stdout+r.stderr, "QSECRET123456") {
			t.Errorf("doctor --format %s shows the query secret:\n%s%s", format, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, srv.URL) {
			t.Errorf("doctor --format %s does not show the base URL:\n%s", format, r.stdout)
		}
	}
}
