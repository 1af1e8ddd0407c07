package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// What the second attack on the build found (the session of 2026-11-30).

// The base URL's credentials and key reach neither the commands papersift
// suggests nor `config`; a source URL's password is not in its errors.
func TestSecretsOfURLsNeverShown(t *testing.T) {
	const secretURL = "http://bob:pw12345678@127.0.0.1:1/v1?api-key=sk-QUERYSECRET123"
	c := newCLI(t)
	c.db = filepath.Join(t.TempDir(), "none.db")
	runs := [][]string{
		{"--embedder", "openai", "--base-url", secretURL, "similar", "foo"},
		{"--base-url", secretURL, "config"},
		{"--base-url", secretURL, "config", "--format", "json"},
	}
	c.env["PAPERSIFT_HF_URL"] = "http://u:SECRETPW123@127.0.0.1:1"
	runs = append(runs, []string{"ingest", "hf:2026-11-27"})
	for _, args := range runs {
		r := c.run(args...)
		for _, secret := range []string{"pw12345678", "QUERYSECRET123", "SECRETPW123"} {
			if strings.Contains(r.stdout+r.stderr, secret) {
				t.Errorf("%q shows %s:\n%s%s", args, secret, r.stdout, r.stderr)
			}
		}
	}
}

// A configuration file is a small regular file; an error on a password's
// line does not repeat the password.
func TestConfigFileHostile(t *testing.T) {
	dir := t.TempDir()
	c := newCLI(t)
	bad := filepath.Join(dir, "p.toml")
	if err := os.WriteFile(bad, []byte("[mail]\npassword = correcthorsebatterystaple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.toml")
	mkfifo(t, fifo)
	for _, tc := range []struct{ path, want string }{
		{bad, "p.toml:2"}, {"/dev/zero", "not a regular file"}, {fifo, "not a regular file"}, {dir, "a folder"},
	} {
		r := c.run("--config", tc.path, "config")
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "correcthorse") {
			t.Errorf("--config %s: exit %d, want 1 and %q, no password: %s", tc.path, r.code, tc.want, r.stderr)
		}
	}
}

// A named source's stalled server ends in the request timeout, not never.
func TestNamedSourceTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("["))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the rest never comes
	}))
	defer srv.Close()
	c := newCLI(t)
	c.env["PAPERSIFT_HF_URL"] = srv.URL
	r := c.run("ingest", "--timeout", "1s", "hf:2026-11-27")
	if r.code != 1 || !strings.Contains(r.stderr, "in time") {
		t.Fatalf("exit %d, want 1 and a timeout: %s", r.code, r.stderr)
	}
}

// Empty values of --config and daily --out are wrong usage; man is of
// section 1; a profile import says "marked read".
func TestSmallThingsOfTheSecondAttack(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{"--config", "", "stats"}, {"daily", "--out", "", "hf:today"}} {
		if r := c.run(args...); r.code != 2 {
			t.Errorf("%q: exit %d, want 2: %s", args, r.code, r.stderr)
		}
	}
	if man := c.ok("man"); !strings.Contains(man, ".TH papersift 1") {
		t.Errorf("man page: %.200s", man)
	}
	if rated("read") != "marked read" || rated("like") != "liked" {
		t.Errorf("rated: %q, %q", rated("read"), rated("like"))
	}
}

// A wrong value in the configuration file names the file (exit 1); the
// same from a flag or the environment is wrong usage (exit 2).
func TestSettingErrorsNameTheirOrigin(t *testing.T) {
	dir := t.TempDir()
	c := newCLI(t)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		file, want string
		args       []string
	}{
		{write("e.toml", "embedder = \"bogus\"\n"), "e.toml: embedder", []string{"stats"}},
		{write("d.toml", "dimensions = -7\n"), "d.toml: dimensions", []string{"stats"}},
		{write("k.toml", "[digest]\nk = -5\n"), "k.toml: [digest] k", []string{"digest"}},
	} {
		r := c.run(append([]string{"--config", tc.file}, tc.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d, want 1 and %q: %s", tc.file, r.code, tc.want, r.stderr)
		}
	}
	if r := c.run("--embedder", "bogus", "stats"); r.code != 2 || !strings.Contains(r.stderr, "--embedder") {
		t.Errorf("--embedder bogus: exit %d: %s", r.code, r.stderr)
	}
	c.env["PAPERSIFT_EMBEDDER"] = "bogus"
	if r := c.run("stats"); r.code != 2 || !strings.Contains(r.stderr, "PAPERSIFT_EMBEDDER") {
		t.Errorf("PAPERSIFT_EMBEDDER=bogus: exit %d: %s", r.code, r.stderr)
	}
}

// config lists the file's mail, daily and digest settings too, never the
// password.
func TestConfigListsFileSettings(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.toml")
	if err := os.WriteFile(p, []byte("[mail]\nhost = \"smtp.example.org\"\nto = [\"a@x.org\", \"b@y.org\"]\npassword = \"sekrit-pass-1234\"\n[daily]\nmail = true\n[digest]\nk = 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	out := c.ok("--config", p, "config")
	for _, want := range []string{"mail.host", "smtp.example.org", "a@x.org, b@y.org", "daily.mail", "true", "digest.k", "set (never shown)"} {
		if !strings.Contains(out, want) {
			t.Errorf("config has no %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "sekrit") {
		t.Errorf("config shows the password:\n%s", out)
	}
}

// An endpoint's base URL that is no http(s) address fails at once, naming
// where it came from, not after an ingest stored its papers.
func TestBadBaseURLEarly(t *testing.T) {
	c := newCLI(t)
	p := filepath.Join(t.TempDir(), "b.toml")
	if err := os.WriteFile(p, []byte("embedder = \"openai\"\nbase_url = \"ftp://x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := c.run("--config", p, "ingest", seedFile); r.code != 1 || !strings.Contains(r.stderr, "b.toml: base_url") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(c.db); err == nil {
		t.Error("the ingest stored its papers first")
	}
	if r := c.run("--embedder", "openai", "--base-url", "http://[::1", "stats"); r.code != 2 || !strings.Contains(r.stderr, "--base-url") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	// the built-in model does not care
	c.ok("--base-url", "ftp://x", "ingest", seedFile)
}
