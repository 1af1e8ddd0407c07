//go:build unix

package main

// Read-only databases through the real binary: a read-only file, a
// read-only folder, and a read-only folder holding a crashed writer's -wal.
// When the tests run as root (whom permissions do not stop), the binary
// runs as the user nobody.

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/papersift/papersift/store"
)

const nobody = 65534

// asOwner returns a proc that runs as the user who owns the test databases:
// this user, or nobody when root. chown gives such a user a path.
func asOwner(t *testing.T, p *proc) (q *proc, chown func(path string)) {
	t.Helper()
	if os.Geteuid() != 0 {
		return p, func(string) {}
	}
	q = p.with()
	q.prep = func(cmd *exec.Cmd) {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	if r := q.run("--help"); r.code != 0 {
		t.Skipf("cannot run the binary as nobody: exit %d %s", r.code, r.stderr)
	}
	return q, func(path string) {
		t.Helper()
		if err := os.Lchown(path, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestReadOnlyDatabase(t *testing.T) {
	bin := buildBinary(t)
	src := filepath.Join(sharedTempDir(t), "more.jsonl")
	writeJSONL(t, src, synthCorpus(newSynthWords(1), 1, "more", 3, 0))
	chmod(t, src, 0o644)

	// setup makes a database in a folder of its own, owned by the user the
	// binary runs as.
	setup := func(t *testing.T) (*proc, []synthPaper, func(string)) {
		dir := filepath.Join(sharedTempDir(t), "db")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p, chown := asOwner(t, newProc(t, bin, filepath.Join(dir, "p.db")))
		chown(dir)
		src := filepath.Join(dir, "seed.jsonl")
		ps := synthCorpus(newSynthWords(31), 1, "h", 120, 0)
		writeJSONL(t, src, ps)
		chown(src)
		p.ok("ingest", "--quiet", "--format", "jsonl", "--list", "2025-03-01", src)
		p.ok("like", ps[0].ID, ps[5].ID, ps[9].ID)
		return p, ps, chown
	}
	// readsWork runs every read-only command, which must succeed.
	readsWork := func(t *testing.T, p *proc, ps []synthPaper) {
		t.Helper()
		for _, args := range readCommands(ps) {
			r := p.run(append(args, "--format", "json")...)
			if r.code != 0 || len(strings.TrimSpace(r.stdout)) < 3 {
				t.Errorf("%s on a read-only database: exit %d, stdout %q, stderr %q", args[0], r.code, r.stdout, r.stderr)
			}
		}
	}
	// writesRefused runs commands that write, which must fail saying why,
	// and leave the files as they were.
	writesRefused := func(t *testing.T, p *proc, ps []synthPaper) {
		t.Helper()
		before := fileSums(t, p.db)
		for _, args := range [][]string{
			{"ingest", "--quiet", "--format", "jsonl", src},
			{"like", ps[3].ID},
			{"interest", "add", "read-only things"},
			{"embed", "--refit"},
		} {
			r := p.run(args...)
			if r.code != 1 || !strings.Contains(r.stderr, "read-only") || !strings.Contains(r.stderr, p.db) {
				t.Errorf("%s on a read-only database: exit %d, stderr %q; want 1 naming the database and saying it is read-only", args[0], r.code, r.stderr)
			}
		}
		if !sameSums(before, fileSums(t, p.db)) {
			t.Error("a refused write changed the database files")
		}
	}
	noSideFiles := func(t *testing.T, db string) {
		t.Helper()
		for _, suf := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(db + suf); err == nil {
				t.Errorf("reading left %s%s behind", filepath.Base(db), suf)
			}
		}
	}

	t.Run("read-only file", func(t *testing.T) {
		p, ps, _ := setup(t)
		chmod(t, p.db, 0o444)
		readsWork(t, p, ps)
		writesRefused(t, p, ps)
		// Reading left nothing behind that would lock the owner out once
		// the file is writable again (a -shm of mode 0444 would).
		noSideFiles(t, p.db)
		chmod(t, p.db, 0o644)
		p.ok("like", ps[3].ID)
	})

	t.Run("read-only folder", func(t *testing.T) {
		p, ps, _ := setup(t)
		dir := filepath.Dir(p.db)
		chmod(t, dir, 0o555)
		readsWork(t, p, ps)
		writesRefused(t, p, ps)
		noSideFiles(t, p.db)
		chmod(t, dir, 0o755)
		p.ok("like", ps[3].ID)
	})

	// A writer that crashed (or still runs) leaves its last commits in the
	// -wal; the -shm says which are valid.
	walState := func(t *testing.T, withShm bool) (*proc, []synthPaper) {
		p, ps, chown := setup(t)
		ctx := context.Background()
		s, err := store.Open(ctx, p.db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.AddInterest(ctx, "only in the wal"); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(filepath.Dir(filepath.Dir(p.db)), "copy")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		sufs := []string{"", "-wal"}
		if withShm {
			sufs = append(sufs, "-shm")
		}
		for _, suf := range sufs {
			copyFile(t, p.db+suf, filepath.Join(dir, "p.db"+suf))
			chown(filepath.Join(dir, "p.db"+suf))
			chmod(t, filepath.Join(dir, "p.db"+suf), 0o444)
		}
		chown(dir)
		chmod(t, dir, 0o555)
		q := *p
		q.db = filepath.Join(dir, "p.db")
		return &q, ps
	}

	t.Run("read-only folder with a -wal and -shm", func(t *testing.T) {
		p, ps := walState(t, true)
		readsWork(t, p, ps)
		var prof profileJSON
		p.json(&prof, "profile")
		if len(prof.Interests) != 1 || prof.Interests[0] != "only in the wal" {
			t.Errorf("profile interests = %q, want the one only in the -wal", prof.Interests)
		}
		writesRefused(t, p, ps)
	})

	t.Run("read-only folder with a -wal only", func(t *testing.T) {
		p, _ := walState(t, false)
		before := fileSums(t, p.db)
		// Reading the file alone would miss the -wal's commits: refused.
		r := p.run("profile")
		if r.code != 1 || !strings.Contains(r.stderr, "p.db-wal") || !strings.Contains(r.stderr, "write access") {
			t.Errorf("profile: exit %d, stderr %q; want 1 naming the -wal and asking for write access", r.code, r.stderr)
		}
		if !sameSums(before, fileSums(t, p.db)) {
			t.Error("the files changed")
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
