// Package store keeps papers, lists, vectors and reader feedback in SQLite
// (modernc.org/sqlite, pure Go). Every write that belongs together is one
// transaction: a crash leaves the database as before or as after.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Sentinel errors; test with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrSchemaTooNew  = errors.New("database was written by a newer papersift")
	ErrNotDatabase   = errors.New("not a papersift database")
	ErrReadOnly      = errors.New("database is read-only")
	ErrStaleVector   = errors.New("vector is for an older text of the paper")
	ErrDimensionMism = errors.New("vector dimension does not match the model")
)

// Store is an open database.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool
	now      func() time.Time
}

// Options configure Open. The zero value opens read-write, creating the
// database and its folder when missing.
type Options struct {
	ReadOnly bool
	// Now is the clock for timestamps (default time.Now).
	Now func() time.Time
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if !opt.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("create folder for database: %w", err)
		}
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	// mmap: loading every vector of a model reads the file through memory
	// maps instead of a read call per page (four times faster here).
	for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)", "mmap_size(8589934592)"} {
		q.Add("_pragma", p)
	}
	if opt.ReadOnly {
		q.Set("mode", "ro")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, readOnly: opt.ReadOnly, now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// checkHeader refuses an existing file that is not SQLite, with a clear error.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	hdr := make([]byte, 16)
	n, _ := f.Read(hdr)
	if n == 0 {
		return nil // an empty file becomes a new database
	}
	if n < 16 || string(hdr) != "SQLite format 3\x00" {
		return fmt.Errorf("%s: %w (it is not an SQLite file; pass another --db)", path, ErrNotDatabase)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// DB is the underlying handle, for tests and diagnostics.
func (s *Store) DB() *sql.DB { return s.db }

func (s *Store) stamp() string { return s.now().UTC().Format(time.RFC3339) }

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", name)
		}
		b, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{v, name, string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the newest schema this binary knows.
func SchemaVersion() int {
	ms, _ := migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	known := ms[len(ms)-1].version
	have, err := s.currentVersion(ctx)
	if err != nil {
		return err
	}
	if have > known {
		return fmt.Errorf("%s: %w (schema %d, this binary knows up to %d): upgrade papersift", s.path, ErrSchemaTooNew, have, known)
	}
	if have == known {
		return nil
	}
	if s.readOnly {
		return fmt.Errorf("%s: %w and needs its schema upgraded: open it once with write access", s.path, ErrReadOnly)
	}
	for _, m := range ms {
		if m.version <= have {
			continue
		}
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
				return err
			}
			// Another process may have applied it meanwhile.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, s.stamp())
			return err
		})
		if err != nil {
			return s.wrapErr(err)
		}
	}
	return nil
}

func (s *Store) currentVersion(ctx context.Context) (int, error) {
	var name string
	err := s.db.QueryRowContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.wrapErr(err)
	}
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, s.wrapErr(err)
	}
	return int(v.Int64), nil
}

// wrapErr turns SQLite's file-level errors into the store's sentinels.
func (s *Store) wrapErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%s: %w (it is not an SQLite file; pass another --db)", s.path, ErrNotDatabase)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("%s: %w: %v", s.path, ErrReadOnly, err)
		case sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("%s: cannot open the database: %v", s.path, err)
		}
	}
	return err
}

// inTx runs fn in one transaction, committed when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrapErr(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.wrapErr(err)
	}
	return s.wrapErr(tx.Commit())
}

// Meta returns a value of the meta table ("" when unset).
func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, s.wrapErr(err)
}

// SetMeta sets a value of the meta table.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return s.wrapErr(err)
}
