package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCLI drives the command line itself: random commands, flags and values
// on a copy of a small database. Nothing may panic, and the exit code is
// 0, 1, 2 or 130. No network (the endpoint flags are left out) and no files
// outside the test's folder (nor --db, --out or a source path).
func FuzzCLI(f *testing.F) {
	dir := f.TempDir()
	base := filepath.Join(dir, "base.db")
	env := func(k string) string {
		switch k {
		case "HOME":
			return dir
		case "OPENAI_BASE_URL":
			return "http://127.0.0.1:1/v1" // refused at once, should it be reached
		}
		return ""
	}
	for _, args := range [][]string{{"ingest", seedFile}, {"like", "Brain-IT", "MEG-GPT"}, {"dislike", "Titans"}, {"interest", "add", "fMRI decoding"}} {
		if code := run(context.Background(), append([]string{"papersift", "--db", base}, args...), strings.NewReader(""), io.Discard, io.Discard, env); code != 0 {
			f.Fatalf("setting up: %v: exit %d", args, code)
		}
	}
	data, err := os.ReadFile(base)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"similar\x00Brain-IT\x00-k\x005", "similar\x00--text\x00decoding images\x00--format\x00csv", "group\x00-k\x00auto\x00--all",
		"queue\x00-n\x003\x00--diversity\x000.5\x00--half-life\x002", "digest\x00--format\x00md\x00-k\x003", "papers\x00--limit\x002\x00--format\x00md",
		"profile\x00--format\x00json", "stats", "eval\x00-k\x001", "unrate\x00Brain", "interest\x00rm\x00fMRI decoding", "group\x00--since\x002025-01-01",
		"embed\x00--refit", "doctor\x00--repair", "queue\x00--list\x00nope", "read\x00MEG", "papers\x00--since\x002026-13-01",
		"show\x00Brain-IT\x00-k\x002", "lists\x00--format\x00csv", "profile\x00export\x00--format\x00bibtex", "open\x00MEG",
		"group\x00--list\x00a\x00--list\x00b", "completion\x00zsh", "help\x00queue",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		if len(args) > 14 || len(line) > 400 {
			t.Skip()
		}
		for _, a := range args {
			l := strings.ToLower(a)
			if a == "-" {
				t.Skip() // stdin
			}
			// no network (URLs, named sources, mail), no files outside the test
			for _, bad := range []string{"://", ":", "daily", "mail", "db", "out", "config", "openai", "embedder", "base-url", "/", "\\", ".."} {
				if strings.Contains(l, bad) {
					t.Skip()
				}
			}
		}
		db := filepath.Join(t.TempDir(), "p.db")
		if err := os.WriteFile(db, data, 0o644); err != nil {
			t.Fatal(err)
		}
		code := run(context.Background(), append([]string{"papersift", "--db", db}, args...), strings.NewReader(""), io.Discard, io.Discard, env)
		switch code {
		case 0, 1, 2, 130:
		default:
			t.Fatalf("papersift %q: exit %d", args, code)
		}
	})
}
