package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readmeBlock returns the first ```sh block after a heading of the README.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("the README has no %q", heading)
	}
	s = s[i:]
	j := strings.Index(s, "```sh\n")
	k := strings.Index(s[j+6:], "```")
	if j < 0 || k < 0 {
		t.Fatalf("no sh block after %q", heading)
	}
	return s[j+6 : j+6+k]
}

// TestREADMETour runs the README's tour and first morning exactly as
// printed, from the repository's root, in a home of their own (the
// services behind hf: and arxiv: are local stand-ins).
func TestREADMETour(t *testing.T) {
	if testing.Short() {
		t.Skip("builds papersift as the README says")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	svc := services(t)
	home := t.TempDir()
	made := []string{"papersift", "today.html", "profile.json"}
	for _, f := range made {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			t.Skipf("%s is in the repository's root already: the tour would overwrite it", f)
		}
	}
	t.Cleanup(func() {
		for _, f := range made {
			os.Remove(filepath.Join(root, f))
		}
	})
	script := "set -euo pipefail\n" + readmeBlock(t, "## A short tour") + readmeBlock(t, "## Your first morning")
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = root
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GOCACHE=" + goEnv(t, "GOCACHE"), "GOPATH=" + goEnv(t, "GOPATH"),
		"GOFLAGS=" + os.Getenv("GOFLAGS"), "PAPERSIFT_HF_URL=" + svc.URL, "PAPERSIFT_ARXIV_FEED_URL=" + svc.URL, "PAPERSIFT_ARXIV_API_URL=" + svc.URL}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's commands fail: %v\n%s", err, out)
	}
	for _, want := range []string{"Brain-IT", "wrote ", "papersift.atom"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the tour's output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "papersift", "daily", "papersift.html")); err != nil {
		t.Errorf("daily wrote no page beside the database: %v", err)
	}
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(os.Getenv("GOROOT"), "bin", "go"), "env", key).Output()
	if err != nil {
		out, err = exec.Command("go", "env", key).Output()
	}
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}
