package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// bulkPapers makes n papers of about 1 KB each, ids prefix0000...
func bulkPapers(prefix string, n int) []Row {
	ps := make([]Row, n)
	body := strings.Repeat("a sentence of an abstract, ", 40)
	for i := range ps {
		ps[i] = mkPaper(fmt.Sprintf("%s%05d", prefix, i), fmt.Sprintf("Title %s %d", prefix, (i*7919)%n), body+fmt.Sprint(i))
	}
	return ps
}

// journalMode is the database's journal mode, as a new connection sees it.
func journalMode(t *testing.T, s *Store) string {
	t.Helper()
	var mode string
	if err := s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return mode
}

// streamIn ingests ps in chunks of 100 as a bulk ingest, calling during
// after the first chunk, and failing with fail when it is not nil.
func streamIn(s *Store, list string, ps []Row, during func(), fail error) (*IngestResult, error) {
	return s.IngestStream(context.Background(), list, "", IngestOptions{Bulk: true}, func(put func([]Row) error) error {
		for i := 0; i < len(ps); i += 100 {
			if err := put(ps[i:min(i+100, len(ps))]); err != nil {
				return err
			}
			if i == 0 && during != nil {
				during()
			}
		}
		return fail
	})
}

func TestBulkIngestUsesRollbackJournalOnEmptyDatabase(t *testing.T) {
	s := openIngestTest(t)
	path := s.Path()
	ps := bulkPapers("a", 1000)
	inJournal := false
	res, err := streamIn(s, "first", ps, func() {
		inJournal = exists(path+"-journal") && !walHasFrames(path)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !inJournal {
		t.Error("a bulk ingest into an empty database did not write through a rollback journal")
	}
	if res.New != len(ps) || res.Read != len(ps) {
		t.Errorf("result %+v, want %d new", res, len(ps))
	}
	if m := journalMode(t, s); m != "wal" {
		t.Errorf("journal mode after the bulk ingest = %q, want wal", m)
	}
	if exists(path + "-journal") {
		t.Error("the rollback journal is still there")
	}
	if n, err := s.Count(context.Background()); err != nil || n != len(ps) {
		t.Fatalf("count = %d, %v", n, err)
	}
	// the merge rules hold as in any ingest: a title-derived record finds
	// the paper with its title
	twin := mkPaper("title-x", ps[7].Title, ps[7].Abstract)
	twin.DerivedID = true
	res, err = s.Ingest(context.Background(), []Batch{{List: "hf", Papers: []Row{twin}}})
	if err != nil || res.New != 0 {
		t.Fatalf("title-derived twin: %+v, %v; want merged into %s", res, err, ps[7].ID)
	}

	// Into a database that has papers, a bulk ingest stays in the WAL,
	// where readers can go on reading.
	more := bulkPapers("b", 500)
	inJournal = true
	if _, err := streamIn(s, "second", more, func() {
		inJournal = exists(path + "-journal")
	}, nil); err != nil {
		t.Fatal(err)
	}
	if inJournal {
		t.Error("a bulk ingest into a database with papers used a rollback journal")
	}
	if n, err := s.Count(context.Background()); err != nil || n != len(ps)+len(more) {
		t.Fatalf("count = %d, %v", n, err)
	}
	checkIntegrity(t, s)
}

func TestBulkIngestFailureStoresNothing(t *testing.T) {
	s := openIngestTest(t)
	restore := ingestCacheKiB
	ingestCacheKiB = 256 // spill pages into the database file before the end
	t.Cleanup(func() { ingestCacheKiB = restore })
	boom := errors.New("bad record at line 900")
	_, err := streamIn(s, "l", bulkPapers("a", 2000), nil, boom)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the producer's", err)
	}
	if n, err := s.Count(context.Background()); err != nil || n != 0 {
		t.Errorf("count after a failed bulk ingest = %d, %v; want 0", n, err)
	}
	if ls, err := s.Lists(context.Background()); err != nil || len(ls) != 0 {
		t.Errorf("lists after a failed bulk ingest = %v, %v", ls, err)
	}
	if m := journalMode(t, s); m != "wal" {
		t.Errorf("journal mode = %q, want wal", m)
	}
	// and the next ingest works
	if _, err := streamIn(s, "l", bulkPapers("a", 300), nil, nil); err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, s)
}

func TestBulkIngestBesideAnotherConnection(t *testing.T) {
	s := openIngestTest(t)
	other, err := Open(context.Background(), s.Path(), Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	inJournal := true
	if _, err := streamIn(s, "l", bulkPapers("a", 500), func() {
		inJournal = exists(s.Path() + "-journal")
	}, nil); err != nil {
		t.Fatal(err)
	}
	if inJournal {
		t.Error("a bulk ingest switched journals while a reader had the database open")
	}
	// the reader kept its snapshot, and was not locked out
	if n, err := other.Count(context.Background()); err != nil || n != 0 {
		t.Errorf("reader's count = %d, %v; want its snapshot's 0", n, err)
	}
}

// TestBulkIngestInterrupted copies the files of a bulk ingest in the middle
// of its transaction, after pages went into the database file: what a
// crash at that moment leaves. Readers then see the database as it was
// before the ingest, and it is back in WAL mode.
func TestBulkIngestInterrupted(t *testing.T) {
	s := openIngestTest(t)
	restore := ingestCacheKiB
	ingestCacheKiB = 256
	t.Cleanup(func() { ingestCacheKiB = restore })
	crashed := filepath.Join(t.TempDir(), "crashed.db")
	ps := bulkPapers("a", 3000)
	var before int64
	_, err := s.IngestStream(context.Background(), "l", "", IngestOptions{Bulk: true}, func(put func([]Row) error) error {
		st, err := os.Stat(s.Path())
		if err != nil {
			return err
		}
		before = st.Size()
		if err := put(ps); err != nil {
			return err
		}
		for _, suf := range []string{"", "-journal"} {
			// no t.Fatal here: it would leave the transaction open
			if err := copyFile(s.Path()+suf, crashed+suf); err != nil {
				return err
			}
		}
		return errors.New("stop")
	})
	if err == nil || err.Error() != "stop" {
		t.Fatal(err)
	}
	if st, err := os.Stat(crashed); err != nil || st.Size() <= before {
		t.Fatalf("the copy is not mid-transaction: %d bytes, %d before (%v)", st.Size(), before, err)
	}
	if !hasJournal(crashed) {
		t.Fatal("no hot journal in the copy")
	}
	// A reader may not roll the journal back, and reading the file alone
	// could see half an ingest: without write access, both are refused.
	if _, err := open(context.Background(), crashed, Options{ReadOnly: true}, readImmutable); !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "crashed.db-journal") {
		t.Errorf("immutable open beside a hot journal: %v; want ErrReadOnly naming the journal", err)
	}
	if s, err := open(context.Background(), crashed, Options{ReadOnly: true}, readShared); err == nil {
		_, err = s.Count(context.Background())
		s.Close()
		if !isCode(err, sqlite3.SQLITE_READONLY_ROLLBACK) {
			t.Errorf("read-only open beside a hot journal: %v; want SQLITE_READONLY_ROLLBACK", err)
		}
	} else if !isCode(err, sqlite3.SQLITE_READONLY_ROLLBACK) {
		t.Errorf("read-only open beside a hot journal: %v; want SQLITE_READONLY_ROLLBACK", err)
	}
	ro, err := Open(context.Background(), crashed, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open after an interrupted bulk ingest: %v", err)
	}
	n, err := ro.Count(context.Background())
	ro.Close()
	if err != nil || n != 0 {
		t.Errorf("count = %d, %v; want 0 (rolled back)", n, err)
	}
	rw, err := Open(context.Background(), crashed, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if m := journalMode(t, rw); m != "wal" {
		t.Errorf("journal mode = %q, want wal", m)
	}
	checkIntegrity(t, rw)
	if _, err := streamIn(rw, "l", ps[:500], nil, nil); err != nil {
		t.Fatal(err)
	}
}

func checkIntegrity(t *testing.T, s *Store) {
	t.Helper()
	var ok string
	if err := s.DB().QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check: %q %v", ok, err)
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// TestBulkIngestReaderWaits opens a reader while a bulk ingest runs: it
// waits for the ingest and then sees all of it. It never reads the empty
// database meanwhile, which would make the ingest's commit wait for it.
func TestBulkIngestReaderWaits(t *testing.T) {
	s := openIngestTest(t)
	ps := bulkPapers("a", 1000)
	type seen struct {
		n   int
		err error
	}
	got := make(chan seen, 1)
	if _, err := streamIn(s, "l", ps, func() {
		go func() {
			ro, err := Open(context.Background(), s.Path(), Options{ReadOnly: true})
			if err != nil {
				got <- seen{err: err}
				return
			}
			defer ro.Close()
			n, err := ro.Count(context.Background())
			got <- seen{n, err}
		}()
		time.Sleep(100 * time.Millisecond) // let the reader knock
	}, nil); err != nil {
		t.Fatalf("bulk ingest with a reader knocking: %v", err)
	}
	r := <-got
	if r.err != nil || r.n != len(ps) {
		t.Errorf("the reader saw %d papers (%v); want all %d, after the ingest", r.n, r.err, len(ps))
	}
}

// TestOpenPutsBackWAL opens a database that a bulk ingest left with a
// rollback journal (killed after its commit, before it could switch back).
func TestOpenPutsBackWAL(t *testing.T) {
	s := openIngestTest(t)
	path := s.Path()
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil || mode != "delete" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
	db.Close()
	s, err = Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if m := journalMode(t, s); m != "wal" {
		t.Errorf("journal mode after Open = %q, want wal", m)
	}
}
