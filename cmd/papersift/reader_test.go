package main

// The reader's commands: show, open, lists, what like and friends print,
// tables that fit the terminal, and the command line's own help.

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShowAndOpen(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", seedFile)
	c.ok("ingest", "../../testdata/seed-two.hf.json")
	c.ok("like", "Brain-IT")
	out := c.ok("show", "Brain-IT")
	for _, want := range []string{"Brain-IT", "rating:", "like", "Nearest papers:", "lists:"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	var v map[string]any
	c.json(&v, "show", "Brain-IT", "-k", "3")
	if v["rating"] != "like" || len(v["similar"].([]any)) != 3 || v["abstract"] == "" || v["title"] == nil {
		t.Errorf("show JSON: %v", v)
	}
	// the whole abstract, wrapped to the terminal's width
	oldT, oldW := isTerminal, terminalWidth
	defer func() { isTerminal, terminalWidth = oldT, oldW }()
	terminalWidth = func(io.Writer) int { return 60 }
	out = c.ok("show", "Brain-IT")
	for _, line := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(line) > 60 && !strings.Contains(line, "http") {
			t.Errorf("a line longer than the terminal: %q", line)
		}
	}
	var abs string
	var ps []paperJSON
	c.json(&ps, "papers")
	for _, p := range ps {
		if strings.Contains(p.Title, "Brain-IT") {
			abs = p.Abstract
		}
	}
	if lastWords := strings.Fields(abs); !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(lastWords[len(lastWords)-5:], " ")) {
		t.Errorf("show cuts the abstract:\n%s", out)
	}

	// open: the browser gets the address; without one it is printed
	dir := t.TempDir()
	got := filepath.Join(dir, "opened")
	browser := filepath.Join(dir, "browser")
	os.WriteFile(browser, []byte("#!/bin/sh\necho \"$1\" > "+got+"\n"), 0o755)
	c.env["BROWSER"] = browser
	r := c.run("open", "2409.02877")
	if r.code != 0 || !strings.Contains(r.stderr, "opened http") {
		t.Fatalf("open: exit %d: %s", r.code, r.stderr)
	}
	for i := 0; i < 100; i++ {
		if b, err := os.ReadFile(got); err == nil && strings.HasPrefix(string(b), "http") {
			break
		}
		exec.Command("sleep", "0.05").Run()
	}
	if b, _ := os.ReadFile(got); !strings.HasPrefix(string(b), "http") {
		t.Errorf("the browser got %q", b)
	}
	delete(c.env, "BROWSER")
	r = c.run("open", "2409.02877")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "http") {
		t.Errorf("open without a browser: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestFeedbackSaysWhat(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", "--no-embed", seedFile)
	out := c.ok("like", "Brain-IT")
	if !strings.Contains(out, "Brain-IT") || !strings.Contains(out, "(was none)") {
		t.Errorf("like prints no title or change:\n%s", out)
	}
	out = c.ok("dislike", "Brain-IT")
	if !strings.Contains(out, "dislike (was like)") {
		t.Errorf("dislike after like does not say so:\n%s", out)
	}
	out = c.ok("dislike", "Brain-IT")
	if !strings.Contains(out, "unchanged") {
		t.Errorf("a second dislike:\n%s", out)
	}
	var res struct {
		Papers []string `json:"papers"`
		Rated  []struct {
			ID, Title, Was, Now string
		} `json:"rated"`
	}
	c.json(&res, "read", "Brain-IT")
	if len(res.Papers) != 1 || len(res.Rated) != 1 || res.Rated[0].Was != "dislike" || res.Rated[0].Now != "dislike, read" {
		t.Errorf("read JSON: %+v", res)
	}
}

func TestLists(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", "--no-embed", seedFile)
	c.ok("ingest", "--no-embed", "--list", "mine", "../../testdata/seed-two.hf.json")
	var ls []struct {
		Name, Source, Ingested string
		Papers                 int
	}
	c.json(&ls, "lists")
	if len(ls) != 2 || ls[0].Name != "mine" || !strings.HasSuffix(ls[0].Source, "seed-two.hf.json") || ls[0].Papers == 0 || ls[0].Ingested == "" {
		t.Errorf("lists: %+v", ls)
	}
	out := c.ok("lists")
	if !strings.Contains(out, "mine") || !strings.Contains(out, "000_b745d9aefa4b81e4.txt") {
		t.Errorf("lists table:\n%s", out)
	}
}

// TestTablesFitTheTerminal: at a terminal, no line is wider than it (titles
// are cut, not wrapped); piped, nothing is cut.
func TestTablesFitTheTerminal(t *testing.T) {
	c := newCLI(t)
	c.ok("ingest", seedFile)
	c.ok("like", "Brain-IT")
	piped := c.ok("papers")
	if strings.Contains(piped, "…") {
		t.Errorf("a piped table is cut")
	}
	if !strings.Contains(piped, "... and 6 more") {
		t.Errorf("papers shows every paper in a table:\n%s", piped[len(piped)-300:])
	}
	var all []paperJSON
	c.json(&all, "papers")
	if len(all) != 56 {
		t.Errorf("papers --format json gives %d papers, want all 56", len(all))
	}
	if rows := strings.Count(strings.TrimSpace(c.ok("papers", "--format", "csv")), "\n"); rows != 56 {
		t.Errorf("papers --format csv gives %d papers, want all 56", rows)
	}
	oldT, oldW := isTerminal, terminalWidth
	defer func() { isTerminal, terminalWidth = oldT, oldW }()
	terminalWidth = func(io.Writer) int { return 100 }
	for _, args := range [][]string{{"papers"}, {"queue"}, {"similar", "Brain-IT"}, {"group", "-k", "3"}, {"profile"}, {"digest"}} {
		out := c.ok(args...)
		for _, line := range strings.Split(out, "\n") {
			// (a reason is shown whole)
			if n := utf8.RuneCountInString(line); n > 100 && !strings.Contains(line, "matches your") && !strings.Contains(line, "close to") && !strings.Contains(line, "nearest to") {
				t.Errorf("%v: a line of %d characters at a terminal of 100:\n%s", args, n, line)
				break
			}
		}
	}
}

func TestCommandLineHelp(t *testing.T) {
	c := newCLI(t)
	r := c.run("simlar", "x")
	if r.code != 2 || !strings.Contains(r.stderr, `did you mean "similar"`) {
		t.Errorf("a mistyped command: exit %d: %s", r.code, r.stderr)
	}
	if r := c.run("frobnicate"); r.code != 2 || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("an unknown command: exit %d: %s", r.code, r.stderr)
	}
	if r := c.run("help", "queue"); r.code != 0 || !strings.Contains(r.stdout, "--diversity") {
		t.Errorf("help queue: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"help", "help"}, {"help", "-h"}, {"help", "--help"}, {"help"}} {
		if r := c.run(args...); r.code != 0 || !strings.Contains(r.stdout, "standard deviations") || r.stderr != "" {
			t.Errorf("%q: exit %d: %s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := c.run("help", "help", "queue"); r.code != 0 || !strings.Contains(r.stdout, "--diversity") {
		t.Errorf("help help queue: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if r := c.run("--version"); r.code != 0 || !strings.Contains(r.stdout, "papersift version") || !strings.Contains(r.stdout, "go1.") {
		t.Errorf("--version: exit %d: %s", r.code, r.stdout)
	}
	if r := c.run("--help"); r.code != 0 || !strings.Contains(r.stdout, "standard deviations") {
		t.Errorf("--help does not explain the scores: %s", r.stdout)
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		out := c.ok("completion", sh)
		if !strings.Contains(out, "similar") || !strings.Contains(out, "diversity") {
			t.Errorf("completion %s lacks commands or flags:\n%s", sh, out)
		}
		if path, err := exec.LookPath(sh); err == nil && sh == "bash" {
			script := filepath.Join(t.TempDir(), "c.sh")
			os.WriteFile(script, []byte(out+"\nCOMP_WORDS=(papersift sim); COMP_CWORD=1; _papersift; echo \"${COMPREPLY[@]}\"\n"+
				"COMP_WORDS=(papersift queue --div); COMP_CWORD=2; _papersift; echo \"${COMPREPLY[@]}\"\n"+
				"cd \"$(mktemp -d)\"; COMP_WORDS=(papersift completion ''); COMP_CWORD=2; _papersift; echo \"${COMPREPLY[@]}\"\n"), 0o644)
			got, err := exec.Command(path, script).CombinedOutput()
			if err != nil || !strings.Contains(string(got), "similar") || !strings.Contains(string(got), "--diversity") {
				t.Errorf("the bash completion completes %q (%v)", got, err)
			}
			lines := strings.Split(strings.TrimSpace(string(got)), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "bash zsh fish ") || strings.Contains(" "+last+" ", " help ") {
				t.Errorf("papersift completion TAB completes %q, want the shells and the global flags", last)
			}
		}
	}
	if r := c.run("completion", "tcsh"); r.code != 2 {
		t.Errorf("completion tcsh: exit %d", r.code)
	}
	man := c.ok("man")
	if !strings.Contains(man, ".TH") || !strings.Contains(man, "similar") {
		t.Errorf("man is not a manual page:\n%.300s", man)
	}
	if r := c.run("lists"); r.code != 1 || !strings.Contains(r.stderr, "no database") {
		t.Errorf("lists on no database: exit %d: %s", r.code, r.stderr)
	}
}

// TestHintsWorkAsPrinted: a command papersift suggests carries the global
// flags of the run, so that it works as printed.
func TestHintsWorkAsPrinted(t *testing.T) {
	srv := newFakeEmbeddings(t, 8)
	dir := t.TempDir()
	db := filepath.Join(dir, "my papers.db")
	flags := []string{"--db", db, "--embedder", "openai", "--base-url", srv.URL + "/v1", "--model", "m"}
	c := newCLI(t)
	c.ok("--db", db, "ingest", "--no-embed", seedFile)
	r := c.run(append(flags, "similar", "Brain-IT")...)
	if r.code != 1 {
		t.Fatalf("similar before embedding: exit %d: %s", r.code, r.stderr)
	}
	i := strings.Index(r.stderr, "(run ")
	j := strings.Index(r.stderr[i+1:], ")")
	if i < 0 || j < 0 {
		t.Fatalf("no hint in %q", r.stderr)
	}
	hint := r.stderr[i+5 : i+1+j]
	if !strings.Contains(hint, "--base-url "+srv.URL+"/v1") || !strings.Contains(hint, "'"+db+"'") {
		t.Fatalf("the hint %q lacks the run's flags", hint)
	}
	// run it as a shell would split it
	args := splitShell(t, hint)
	if args[0] != "papersift" {
		t.Fatalf("hint %q", hint)
	}
	c.ok(args[1:]...)
	c.ok(append(flags, "similar", "Brain-IT")...)
}

// splitShell splits a command line as a POSIX shell would (quotes only).
func splitShell(t *testing.T, s string) []string {
	t.Helper()
	out, err := exec.Command("bash", "-c", `for a in `+s+`; do printf '%s\0' "$a"; done`).Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}
