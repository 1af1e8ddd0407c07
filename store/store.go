// Package store keeps papers, lists, vectors and reader feedback in SQLite
// (modernc.org/sqlite, pure Go). Every write that belongs together is one
// transaction: a crash leaves the database as before or as after.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
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
	ErrBusy          = errors.New("database is locked")
	ErrCorrupt       = errors.New("database file is damaged")
	ErrModelGone     = errors.New("the model was replaced meanwhile (another process refitted it)")
	// ErrBadVector: a vector that is not a finite unit vector. SQLite does
	// not checksum its pages, so a damaged disk can flip a stored bit.
	ErrBadVector = errors.New("the vector is damaged (not a finite unit vector)")

	// errSchemaBehind: a read-only open of a database whose schema is older.
	errSchemaBehind = errors.New("its schema is older than this binary's")
)

// Store is an open database.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool
	access   access
	now      func() time.Time
}

// Options configure Open. The zero value opens read-write, creating the
// database and its folder when missing.
type Options struct {
	// ReadOnly opens the database for reading only: every write fails with
	// ErrReadOnly, and a read-only file or folder can be read (see Open).
	ReadOnly bool
	// Now is the clock for timestamps (default time.Now).
	Now func() time.Time
}

// access is how the database file is opened.
type access int

const (
	readWrite access = iota
	// readShared reads through SQLite's shared memory (the -shm file),
	// seeing the commits of concurrent writers.
	readShared
	// readImmutable reads the file as it is, without locks or shared
	// memory: for a file in a folder this process cannot write, where the
	// -shm cannot be created.
	readImmutable
)

func (a access) String() string {
	return [...]string{"read-write", "read-only", "read-only (immutable)"}[a]
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date.
//
// With opt.ReadOnly, an existing database is opened read-only. In WAL mode
// a reader needs the -shm file beside the database: when it exists, or when
// the database file is writable (the -shm is then created with the same
// owner and rights as a writer would), the database is opened read-only but
// shared, seeing concurrent writers. Otherwise (a read-only file without a
// -shm, or a read-only folder) it is opened immutable, which reads the file
// as it is: that is refused when a -wal file holds changes not yet in the
// database file, since immutable reading would silently miss them. A missing
// (or empty) database, or one whose schema is older than this binary's, is
// first created or upgraded read-write when possible.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		// SQLite would write a journal beside /dev/null and fail with an I/O error
		return nil, fmt.Errorf("%s: is %s: %w (pass the path of a database file, new or made by papersift)", path, fileKind(st.Mode()), ErrNotDatabase)
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	if !opt.ReadOnly {
		return open(ctx, path, opt, readWrite)
	}
	if st, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) || (err == nil && st.Size() == 0) {
		// Nothing to protect yet: create it, then read it.
		s, err := open(ctx, path, opt, readWrite)
		if err != nil {
			return nil, err
		}
		s.Close()
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	a := readShared
	if !exists(path+"-shm") && !writable(path) {
		a = readImmutable
	}
	s, err := open(ctx, path, opt, a)
	if a == readShared && isCode(err, sqlite3.SQLITE_READONLY_DIRECTORY) {
		// The database file is writable but its folder is not: no -shm.
		a = readImmutable
		s, err = open(ctx, path, opt, a)
	}
	if (errors.Is(err, errSchemaBehind) || isCode(err, sqlite3.SQLITE_READONLY_ROLLBACK)) && writable(path) {
		// An older schema, or a hot journal that an interrupted bulk
		// ingest left (a reader may not roll it back): open it read-write
		// once, which upgrades it or rolls the journal back, then read.
		rw, rwErr := open(ctx, path, Options{Now: opt.Now}, readWrite)
		if rwErr != nil {
			return nil, rwErr
		}
		rw.Close()
		s, err = open(ctx, path, opt, a)
	}
	if isCode(err, sqlite3.SQLITE_READONLY_ROLLBACK) {
		return nil, hotJournalError(path)
	}
	return s, err
}

// fileKind names what a path that is not a regular file is.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeCharDevice != 0, m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

// hotJournalError says that a database whose interrupted bulk ingest left
// a journal cannot be read without write access.
func hotJournalError(path string) error {
	return fmt.Errorf("%s: %w: %s is the journal of an ingest that was interrupted, and the database must be rolled back with it before it is read: "+
		"open it once with write access (for example papersift stats as its owner)", path, ErrReadOnly, filepath.Base(path)+"-journal")
}

// readersStillWork is said when a command that writes meets a read-only database.
const readersStillWork = "commands that only read, such as papers, similar, queue and stats, still work"

func open(ctx context.Context, path string, opt Options, a access) (*Store, error) {
	if a == readWrite && exists(path) && !writable(path) {
		// SQLite would open it read-only and, in WAL mode, create a -shm
		// with the file's rights, which would lock out writers once the
		// file is writable again.
		return nil, fmt.Errorf("%s: %w: the file is not writable (%s)", path, ErrReadOnly, readersStillWork)
	}
	if a == readWrite {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("create folder for database: %w", err)
		}
	}
	if a == readImmutable && walHasFrames(path) {
		return nil, fmt.Errorf("%s: %w: %s holds changes not yet written into the database, and reading them needs write access to the folder: "+
			"open it once with write access (for example papersift stats as its owner)", path, ErrReadOnly, filepath.Base(path)+"-wal")
	}
	if a == readImmutable && hasJournal(path) {
		return nil, hotJournalError(path)
	}
	q := url.Values{}
	// No memory map: with 16 KiB pages, reading a model's vectors through
	// read calls is as fast here, and pages read through a map would count
	// in the process's memory (a group of 74,000 papers: 300 MB instead of
	// 150 MB).
	for _, p := range []string{fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS), "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	switch a {
	case readWrite:
		// journal_mode(WAL) is set by migrate, once the file is known to
		// be papersift's: it rewrites the file's header.
		q.Set("_txlock", "immediate")
	case readShared:
		q.Set("mode", "ro")
	case readImmutable:
		q.Set("mode", "ro")
		q.Set("immutable", "1")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, readOnly: a != readWrite, access: a, now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.readOnly {
		// One connection in one read transaction for the store's life: a
		// command that only reads sees one snapshot, whatever other
		// processes commit meanwhile (an ingest, a refit that replaces the
		// model and its vectors).
		db.SetMaxOpenConns(1)
		if _, err := db.ExecContext(ctx, "BEGIN"); err != nil {
			db.Close()
			return nil, s.wrapErr(err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// writable reports whether this process may write the file (opening it for
// writing changes nothing).
func writable(path string) bool {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// walHasFrames reports whether the database's -wal file holds transactions
// (more than its 32-byte header).
func walHasFrames(path string) bool {
	st, err := os.Stat(path + "-wal")
	return err == nil && st.Size() > 32
}

// hasJournal reports whether a rollback journal that may be hot is beside
// the database (see inBulkTx): one that starts with the journal's magic
// number (a committed transaction zeroes it).
func hasJournal(path string) bool {
	f, err := os.Open(path + "-journal")
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 8)
	_, err = io.ReadFull(f, magic)
	return err == nil && string(magic) == "\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"
}

// setJournal puts the database in WAL mode, giving a new file larger pages
// first, on one connection.
func (s *Store) setJournal(ctx context.Context, fresh bool) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if fresh {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA page_size=%d`, pageSize)); err != nil {
			return err
		}
	}
	_, err = conn.ExecContext(ctx, `PRAGMA journal_mode=WAL`)
	return err
}

// keepWAL puts back in WAL mode a database that a bulk ingest left with a
// rollback journal, having died before it could do so itself (see
// inBulkTx). When another process holds the database, it is left as it
// is: that process puts it back, or the next Open does.
func (s *Store) keepWAL(ctx context.Context) error {
	if s.readOnly {
		return nil
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return s.wrapErr(err)
	}
	if mode == "wal" {
		return nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrapErr(err)
	}
	defer conn.Close()
	// a reader's lock is not worth waiting long for: the next Open tries again
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 250`); err != nil {
		return s.wrapErr(err)
	}
	_, err = conn.ExecContext(ctx, `PRAGMA journal_mode = WAL`)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeoutMS)); rerr != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn }) // not back to the pool with the short timeout
	}
	if err != nil && !isBusy(err) {
		return s.wrapErr(err)
	}
	return nil
}

// busyTimeoutMS is how long a connection waits for another's lock.
const busyTimeoutMS = 10000

// isBusy reports an SQLITE_BUSY error of any kind.
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

func isCode(err error, code int) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == code
}

// Damaged reports whether err says that the database file is damaged:
// ErrCorrupt, SQLite's own error where a query met the damage, or a value
// papersift never writes where a query scans it (database/sql's Scan
// error: a NULL or a blob read as text, say).
func Damaged(err error) bool {
	var se *sqlite.Error
	return errors.Is(err, ErrCorrupt) || errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CORRUPT ||
		err != nil && strings.Contains(err.Error(), "sql: Scan error on column")
}

// checkHeader refuses an existing file that is not SQLite, with a clear error.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: cannot read the database: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return fmt.Errorf("%s: is a folder: %w (pass the database file, e.g. --db %s)", path, ErrNotDatabase, filepath.Join(path, "papers.db"))
	}
	hdr := make([]byte, 16)
	n, _ := io.ReadFull(f, hdr)
	if n == 0 {
		return nil // an empty file becomes a new database
	}
	if n < 16 || string(hdr) != "SQLite format 3\x00" {
		return fmt.Errorf("%s: %w (it is not an SQLite file; pass another --db)", path, ErrNotDatabase)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	if s.readOnly {
		s.db.Exec("ROLLBACK") // the snapshot; nothing was written
	}
	return s.db.Close()
}

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

// migrationSteps are the parts of migrations that SQL cannot do, run in
// the migration's transaction after its SQL.
var migrationSteps = map[int]func(context.Context, *sql.Tx) error{
	2: fillTitleHashes,
}

// fillTitleHashes gives the papers stored before schema 2 their title hash.
func fillTitleHashes(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT pid, title_key FROM papers`)
	if err != nil {
		return err
	}
	type row struct {
		pid int64
		key string
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.pid, &r.key); err != nil {
			rows.Close()
			return err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	st, err := tx.PrepareContext(ctx, `UPDATE papers SET title_hash = ? WHERE pid = ?`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range rs {
		if _, err := st.ExecContext(ctx, titleHash(r.key), r.pid); err != nil {
			return err
		}
	}
	return nil
}

// SchemaVersion is the newest schema this binary knows.
func SchemaVersion() int {
	ms, _ := migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// pageSize is the page size of a new database.
const pageSize = 16384

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
		// or a damaged page that reads as a version: a newer papersift's
		// file passes SQLite's check, and holds every version up to its
		// own
		var steps int64
		err := s.db.QueryRowContext(ctx, `SELECT count(DISTINCT version) FROM schema_migrations WHERE version BETWEEN 1 AND ?`, have).Scan(&steps)
		if err == nil && steps != int64(have) {
			return fmt.Errorf("%s: %w (its schema's versions read 1 to %d with %d missing)", s.path, ErrCorrupt, have, int64(have)-steps)
		}
		if msg, err := s.quickCheck(ctx); err == nil && msg != "ok" {
			return fmt.Errorf("%s: %w (its schema's version reads %d; SQLite's check: %s)", s.path, ErrCorrupt, have, msg)
		}
		return fmt.Errorf("%s: %w (schema %d, this binary knows up to %d): upgrade papersift", s.path, ErrSchemaTooNew, have, known)
	}
	if have == known {
		return s.keepWAL(ctx)
	}
	if have == 0 {
		if err := s.checkForeign(ctx); err != nil {
			return err
		}
	}
	if s.readOnly {
		return fmt.Errorf("%s: %w: %w (%d, this binary's is %d): open it once with write access", s.path, ErrReadOnly, errSchemaBehind, have, known)
	}
	// WAL: readers and one writer at once. The setting is kept in the
	// file, so it is made when the schema is created or upgraded. A new
	// file first gets larger pages: fewer pages per paper row and per
	// vector chunk, so fewer writes when storing and reads when loading.
	// Processes that create the same file at once may find it busy without
	// SQLite's busy handler being asked: they wait and try again.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err = s.setJournal(ctx, have == 0)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return s.wrapErr(err)
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
			if fill := migrationSteps[m.version]; fill != nil {
				if err := fill(ctx, tx); err != nil {
					return fmt.Errorf("migration %s: %w", m.name, err)
				}
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

// checkForeign refuses an SQLite database that has tables but is not
// papersift's, rather than adding papersift's tables to it.
func (s *Store) checkForeign(ctx context.Context) error {
	// schema_migrations may have appeared since currentVersion: another
	// papersift created the database meanwhile.
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations') ORDER BY name LIMIT 4`)
	if err != nil {
		return s.wrapErr(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return s.wrapErr(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return s.wrapErr(err)
	}
	if len(names) > 0 {
		if len(names) > 3 {
			names[3] = "..."
		}
		return fmt.Errorf("%s: %w: it is an SQLite database of another program (tables %s); pass another --db",
			s.path, ErrNotDatabase, strings.Join(names, ", "))
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

// wrapErr turns SQLite's file-level errors into the store's sentinels, with
// what to do.
func (s *Store) wrapErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%s: %w (it is not an SQLite file; pass another --db)", s.path, ErrNotDatabase)
		case sqlite3.SQLITE_READONLY:
			if s.readOnly {
				return fmt.Errorf("%s: %w (opened %s): %w", s.path, ErrReadOnly, s.access, err)
			}
			return fmt.Errorf("%s: %w: the file or its folder is not writable (%s): %w", s.path, ErrReadOnly, readersStillWork, err)
		case sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("%s: cannot open the database (check that its folder exists and is readable): %w", s.path, err)
		case sqlite3.SQLITE_BUSY:
			return fmt.Errorf("%s: %w: another process kept it busy for more than 10 s; try again when it has finished: %w", s.path, ErrBusy, err)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%s: %w: %w", s.path, ErrCorrupt, err)
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("%s: the disk is full; free some space and run the command again (nothing was half-written): %w", s.path, err)
		}
	}
	return err
}

// inTx runs fn in one transaction, committed when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.readOnly {
		return fmt.Errorf("%s: %w (opened %s)", s.path, ErrReadOnly, s.access)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrapErr(err)
	}
	return s.runTx(tx, fn)
}

// runTx runs fn in tx, committing when fn returns nil and rolling back
// otherwise.
func (s *Store) runTx(tx *sql.Tx, fn func(tx *sql.Tx) error) error {
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

// quickCheck is the first problem SQLite's quick check finds, or "ok".
func (s *Store) quickCheck(ctx context.Context) (string, error) {
	var msg string
	err := s.db.QueryRowContext(ctx, `PRAGMA quick_check(1)`).Scan(&msg)
	return msg, err
}
