package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// What an attack on the build found (the session of 2026-11-30).

// --db "" is wrong usage for every command that needs the database, never
// a panic (no library was made).
func TestEmptyDBFlag(t *testing.T) {
	c := newCLI(t)
	c.db = ""
	c.env["HOME"] = t.TempDir()
	for _, args := range [][]string{{"stats"}, {"papers"}, {"group"}, {"queue"}, {"digest"}, {"doctor"}, {"like", "x"}, {"similar", "x"}} {
		r := c.run(args...)
		if r.code != 2 || !strings.Contains(r.stderr, "--db is empty") {
			t.Errorf("--db '' %s: exit %d, want 2 and a message: %s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	if r := c.run("--version"); r.code != 0 {
		t.Errorf("--db '' --version: exit %d", r.code)
	}
}

// Commands that take only flags refuse arguments they would ignore, and
// flags given empty are refused rather than read as not given.
func TestArgumentsAndEmptyFlags(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", seedFile)
	for _, args := range [][]string{
		{"papers", "Brain-IT"}, {"group", "2026-01-07"}, {"queue", "x"}, {"stats", "x"}, {"lists", "x"}, {"eval", "x"},
		{"embed", "x"}, {"profile", "export", "x"}, {"man", "x"}, {"config", "--example", "x"},
		{"ingest", ""}, {"ingest", "--list", "", seedFile}, {"ingest", "--since", "", seedFile}, {"papers", "--since", ""},
		{"group", "--since", " "}, {"digest", "--out", ""}, {"doctor", "--encoding", "x"},
		{"ingest", "--list", "\xff\xfe", seedFile}, {"interest", "add", "\xff brain"},
	} {
		if r := c.run(args...); r.code != 2 {
			t.Errorf("papersift %q: exit %d, want 2: %s", args, r.code, r.stderr)
		}
	}
	// the same commands without them still work
	for _, args := range [][]string{{"papers", "--limit", "1"}, {"stats"}, {"lists"}, {"profile", "export"}, {"doctor", "--encoding", "float"}} {
		c.ok(args...)
	}
	if got := c.ok("lists"); strings.Contains(got, "\ufffd") {
		t.Errorf("a refused list name was stored:\n%s", got)
	}
}

// show's CSV and Markdown hold the title.
func TestShowFormatsHaveTitle(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", seedFile)
	for _, f := range []string{"csv", "md"} {
		out := c.ok("show", "Brain-IT", "--format", f)
		if !strings.Contains(out, "Brain-IT: Image Reconstruction from fMRI via Brain-Interaction Transformer") {
			t.Errorf("show --format %s has no title:\n%.400s", f, out)
		}
	}
}

// open hands the browser only http(s) addresses: never javascript: or
// file: ones, nor one that reads as an option.
func TestOpenOnlyWebAddresses(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "u.jsonl")
	lines := `{"id":"u1","title":"One title here","abstract":"An abstract about graphs and nodes.","url":"javascript:alert(1)"}
{"id":"u2","title":"Two title here","abstract":"An abstract about robots and homes.","url":"file:///etc/passwd"}
{"id":"u3","title":"Three title here","abstract":"An abstract about speech and sound.","url":"--help"}
{"id":"u4","title":"Four title here","abstract":"An abstract about proteins and folds.","url":"https://example.org/u4"}
`
	if err := os.WriteFile(src, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	c.ok("ingest", "--format", "jsonl", src)
	log := filepath.Join(dir, "browser.log")
	browser := filepath.Join(dir, "browser")
	if err := os.WriteFile(browser, []byte("#!/bin/sh\necho \"[$1]\" >> '"+log+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.env["BROWSER"] = browser
	for _, id := range []string{"u1", "u2", "u3"} {
		if r := c.run("open", id); r.code != 1 || !strings.Contains(r.stderr, "not a web page") {
			t.Errorf("open %s: exit %d: %s", id, r.code, r.stderr)
		}
	}
	if r := c.run("open", "u4"); r.code != 0 {
		t.Fatalf("open u4: exit %d: %s", r.code, r.stderr)
	}
	// the browser runs apart: wait for the one it was given
	var got []byte
	for range 200 {
		if got, _ = os.ReadFile(log); len(got) > 0 {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if string(got) != "[https://example.org/u4]\n" {
		t.Errorf("the browser was given %q, want only u4's address", got)
	}
}

// The message of an interruption says what became of the reader's data.
func TestInterruptedSaysWhat(t *testing.T) {
	for _, tc := range []struct {
		command  string
		readOnly bool
		want     string
	}{
		{"ingest", false, "all at once"}, {"daily", false, "all at once"}, {"embed", false, "embedded before are kept"},
		{"group", true, "nothing was changed"}, {"similar", true, "nothing was changed"}, {"man", false, "nothing was changed"},
		{"like", false, "committed before is kept"},
	} {
		err := interrupted(tc.command, tc.readOnly)
		if !strings.Contains(err.Error(), tc.want) || exitCode(err) != 130 {
			t.Errorf("%s: %q (exit %d), want %q and 130", tc.command, err, exitCode(err), tc.want)
		}
	}
}

// A command that only reads meets an empty file as no database, and leaves
// it as it was (a command that writes, like, creates a missing database,
// as TestDBInMissingFolder asks).
func TestEmptyFileAndMissingDatabase(t *testing.T) {
	c := newCLI(t)
	if err := os.WriteFile(c.db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"lists"}, {"stats"}, {"papers"}, {"group"}} {
		if r := c.run(args...); r.code != 1 || !strings.Contains(r.stderr, "no database") {
			t.Errorf("%s on an empty file: exit %d: %s", args, r.code, r.stderr)
		}
	}
	if st, err := os.Stat(c.db); err != nil || st.Size() != 0 {
		t.Errorf("the empty file became %v, %v", st, err)
	}
	if _, err := os.Stat(c.db + "-wal"); err == nil {
		t.Errorf("a -wal file was made beside the empty file")
	}
}

// A paper none of whose words the built-in model knows is said once by an
// ingest, and the advice of group says what embed cannot do.
func TestNoKnownWordSaidOnce(t *testing.T) {
	c := newCLI(t)
	src := filepath.Join(t.TempDir(), "zv.jsonl")
	if err := os.WriteFile(src, []byte(`{"id":"z1","title":"Qzxv Wkpq","abstract":"Zzqxv qqzxw vvkpq."}
{"id":"z2","title":"Graph neural networks for molecules","abstract":"We study graph neural networks for molecular property prediction."}
{"id":"z3","title":"Robot navigation","abstract":"Robots navigate homes with learned maps and planning."}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.run("ingest", "--format", "jsonl", src)
	if r.code != 0 || strings.Count(r.stderr, "paper z1: no word") != 1 {
		t.Errorf("ingest: exit %d, want one warning for z1:\n%s", r.code, r.stderr)
	}
	r = c.run("group", "-k", "2")
	if r.code != 0 || !strings.Contains(r.stderr, "none of whose words the built-in model knows") {
		t.Errorf("group: exit %d, want the advice:\n%s", r.code, r.stderr)
	}
}

// A damaged database file is named, with what can be done, whichever query
// meets the damage.
func TestDamagedFileNamed(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", seedFile)
	good, err := os.ReadFile(c.db)
	if err != nil {
		t.Fatal(err)
	}
	damaged := 0
	for off := 16384; off+16384 <= len(good); off += 16384 {
		bad := append([]byte(nil), good...)
		for i := off + 8; i < off+72; i++ {
			bad[i] = 0xff // a page's header and cell pointers
		}
		c.db = filepath.Join(t.TempDir(), "d.db")
		if err := os.WriteFile(c.db, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		r := c.run("papers")
		if r.code == 0 {
			continue
		}
		// (damage to the schema's own records may read as another
		// papersift's database: named too)
		if r.code != 1 || !strings.Contains(r.stderr, c.db) {
			t.Errorf("page at %d: exit %d, the file not named: %s", off, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, c.db+": database file is damaged") && strings.Contains(r.stderr, ".recover") {
			damaged++
		}
	}
	if damaged == 0 {
		t.Fatal("no damaged page made papers say so: the test checks nothing")
	}
}

// Flag errors name papersift's flags as they are written (--limit, -k).
func TestFlagErrorsNameFlags(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"papers", "--limit", "x"}, "flag --limit"},
		{[]string{"papers", "--all"}, "not defined: --all"},
		{[]string{"group", "-k", "2", "--bogus"}, "not defined: --bogus"},
	} {
		r := c.run(tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, want 2 and %q: %s", tc.args, r.code, tc.want, r.stderr)
		}
	}
}

// A weak match's reason says so, rather than "close to" a like it barely
// resembles.
func TestWeakReasonSaysWeak(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", seedFile)
	c.ok("like", "Brain-IT")
	var q []queueItemJSON
	c.json(&q, "queue", "-n", "60")
	weak := 0
	for _, it := range q {
		if it.Weak != strings.HasPrefix(it.Reason, "a weak match") {
			t.Errorf("%s: weak %v, reason %q", it.ID, it.Weak, it.Reason)
		}
		if it.Weak {
			weak++
		}
	}
	if weak == 0 || weak == len(q) {
		t.Fatalf("%d weak of %d: the test checks nothing", weak, len(q))
	}
}
