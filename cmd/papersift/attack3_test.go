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
