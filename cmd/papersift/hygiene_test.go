package main

// Database hygiene through the real binary: a newer schema, a file that is
// not SQLite or not papersift's, a --db in a missing folder.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/papersift/papersift/store"
)

// fileSums hashes a database with its -wal and -shm, to prove a command left
// them unchanged (a missing file hashes as missing).
func fileSums(t *testing.T, path string) map[string][32]byte {
	t.Helper()
	sums := map[string][32]byte{}
	for _, suf := range []string{"", "-wal", "-shm", "-journal"} {
		b, err := os.ReadFile(path + suf)
		if err == nil {
			sums[suf] = sha256.Sum256(b)
		}
	}
	return sums
}

func sameSums(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// seedDB makes a database with a few papers embedded and a profile, so that
// every read-only command has something to show.
func seedDB(t *testing.T, p *proc) []synthPaper {
	t.Helper()
	ps := synthCorpus(newSynthWords(31), 1, "h", 120, 0)
	src := filepath.Join(t.TempDir(), "h.jsonl")
	writeJSONL(t, src, ps)
	p.ok("ingest", "--quiet", "--format", "jsonl", "--list", "2025-03-01", src)
	p.ok("like", ps[0].ID, ps[5].ID, ps[9].ID)
	return ps
}

// readCommands are the commands that only read, with arguments that work on
// seedDB's database.
func readCommands(ps []synthPaper) [][]string {
	return [][]string{
		{"papers", "--limit", "3"},
		{"similar", ps[1].ID, "-k", "3"},
		{"group", "--all", "-k", "3"},
		{"queue", "--all", "-n", "3"},
		{"profile"},
		{"stats"},
		{"eval", "--all"},
		{"doctor"},
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	bin := buildBinary(t)
	p := newProc(t, bin, filepath.Join(t.TempDir(), "p.db"))
	ps := seedDB(t, p)
	ctx := context.Background()
	s, err := store.Open(ctx, p.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 'later')`, store.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before := fileSums(t, p.db)
	src := filepath.Join(t.TempDir(), "more.jsonl")
	writeJSONL(t, src, synthCorpus(newSynthWords(1), 1, "more", 3, 0))
	for _, args := range append(readCommands(ps), []string{"ingest", "--format", "jsonl", src}, []string{"like", ps[2].ID}) {
		r := p.run(args...)
		if r.code != 1 || !strings.Contains(r.stderr, "newer papersift") || !strings.Contains(r.stderr, "upgrade papersift") {
			t.Errorf("%s on a newer schema: exit %d, stderr %q; want 1 and a message saying to upgrade papersift", args[0], r.code, r.stderr)
		}
	}
	if !sameSums(before, fileSums(t, p.db)) {
		t.Error("the database changed")
	}
}

func TestNotADatabase(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.db")
	if err := os.WriteFile(text, []byte("my reading notes, not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short.db")
	if err := os.WriteFile(short, []byte("SQLite"), 0o644); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "other-app.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE bookmarks (url TEXT); INSERT INTO bookmarks VALUES ('https://example.org')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	folder := filepath.Join(dir, "a-folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "in.jsonl")
	writeJSONL(t, src, synthCorpus(newSynthWords(1), 1, "n", 3, 0))
	for _, tc := range []struct {
		name, db, want string
	}{
		{"text file", text, "not an SQLite file"},
		{"short file", short, "not an SQLite file"},
		{"another program's database", foreign, "another program (tables bookmarks)"},
		{"folder", folder, "is a folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProc(t, bin, tc.db)
			before := fileSums(t, tc.db)
			for _, args := range [][]string{{"stats"}, {"papers"}, {"ingest", "--quiet", "--format", "jsonl", src}} {
				r := p.run(args...)
				if r.code != 1 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, tc.db) {
					t.Errorf("%s: exit %d, stderr %q; want 1 naming %s and %q", args[0], r.code, r.stderr, tc.db, tc.want)
				}
			}
			if !sameSums(before, fileSums(t, tc.db)) {
				t.Error("the file changed")
			}
			if _, err := os.Stat(tc.db + "-wal"); err == nil {
				t.Error("a -wal file was created beside it")
			}
		})
	}
}

func TestDBInMissingFolder(t *testing.T) {
	bin := buildBinary(t)
	for _, args := range [][]string{{"ingest", "--quiet", "--format", "jsonl", "SRC"}, {"like", "--quiet", "SRC"}} {
		t.Run(args[0], func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "in.jsonl")
			writeJSONL(t, src, synthCorpus(newSynthWords(1), 1, "m", 3, 0))
			if args[len(args)-1] == "SRC" {
				args[len(args)-1] = src
			}
			db := filepath.Join(dir, "not", "yet", "there", "papers.db")
			p := newProc(t, bin, db)
			if args[0] == "like" {
				// a command that writes creates the database, even when it
				// then fails to find the paper
				if r := p.run("like", "no such paper"); r.code != 1 {
					t.Fatalf("like: exit %d: %s", r.code, r.stderr)
				}
				if _, err := os.Stat(db); err != nil {
					t.Fatalf("like did not create the database: %v", err)
				}
				return
			}
			p.ok(args...)
			var st struct {
				DB     string `json:"db"`
				Papers int    `json:"papers"`
			}
			p.json(&st, "stats")
			if st.DB != db {
				t.Errorf("stats db = %q, want %q", st.DB, db)
			}
			if fi, err := os.Stat(db); err != nil || fi.Size() == 0 {
				t.Fatalf("the database was not created: %v", err)
			}
		})
	}
	// The default database (no --db) lives under XDG_DATA_HOME, created too.
	home := t.TempDir()
	p := &proc{t: t, bin: bin, env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "xdg")}}
	cmd := p.command(context.Background(), "interest", "add", "anything")
	cmd.Args = []string{bin, "interest", "add", "anything"} // no --db
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("interest add with the default database: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(home, "xdg", "papersift", "papers.db")); err != nil {
		t.Errorf("default database: %v", err)
	}
}
