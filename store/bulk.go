package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// IngestOptions tune one ingest.
type IngestOptions struct {
	// Bulk says the ingest is large: tens of thousands of papers, a
	// transaction of about 100 MB or more. Into a database that holds no
	// paper yet, and that no other connection has open, it is then written
	// with a rollback journal instead of the WAL (see inBulkTx).
	Bulk bool
}

// inBulkTx runs fn in one transaction, as inTx does. SQLite's WAL suits
// small transactions; for one of over about 100 MB its documentation
// advises a rollback journal: every page of a WAL transaction is written
// twice (into the WAL, then by the checkpoint into the database, each
// synced) and the WAL file is deleted afterwards, where a rollback journal
// writes each new page once. So, when the database holds no paper yet, the
// transaction runs on a connection of its own, switched to exclusive
// locking and a rollback journal, and the database goes back to WAL after
// it, committed or not; the connection is then closed, never handed back
// to the pool with its locking mode. Atomicity is the same: a crash leaves
// a hot journal, which the next connection rolls back (and Open puts the
// database back in WAL).
//
// The price is concurrency, which is why it is kept to empty databases:
// from the switch to the end, other processes can neither read nor write
// (they wait for the lock, up to the busy timeout), where the WAL lets
// readers read. When another connection has the database open, the switch
// is refused and the transaction runs in the WAL as usual.
func (s *Store) inBulkTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.readOnly {
		return fmt.Errorf("%s: %w (opened %s)", s.path, ErrReadOnly, s.access)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrapErr(err)
	}
	discard := func() {
		conn.Raw(func(any) error { return driver.ErrBadConn }) // closed, whatever its state
		conn.Close()
	}
	if !s.rollbackJournal(ctx, conn) {
		discard()
		return s.inTx(ctx, fn)
	}
	defer discard()
	defer func() {
		// Still holding the exclusive lock: nobody can be in the way. If
		// it fails all the same, the next Open puts the database back.
		bg := context.WithoutCancel(ctx)
		conn.ExecContext(bg, `PRAGMA locking_mode = NORMAL`)
		conn.ExecContext(bg, `PRAGMA journal_mode = WAL`)
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return s.wrapErr(err)
	}
	return s.runTx(tx, fn)
}

// rollbackJournal switches conn to exclusive locking and a rollback journal
// when no other connection has the database open and it holds no paper,
// and reports whether it did. Exclusive locking comes first, so that the
// lock the switch takes is kept from then on: no reader can come in
// between and make the commit wait for it, and no other process can put
// the database back in WAL meanwhile. A commit with a rollback journal is
// synced in full (synchronous = FULL), as SQLite advises for that journal.
func (s *Store) rollbackJournal(ctx context.Context, conn *sql.Conn) bool {
	for _, q := range []string{`PRAGMA locking_mode = EXCLUSIVE`, `PRAGMA synchronous = FULL`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return false
		}
	}
	var mode string
	if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil || mode != "delete" {
		return false // another connection has it open (SQLITE_BUSY at once)
	}
	var has int
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM papers)`).Scan(&has); err != nil || has == 1 {
		conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA locking_mode = NORMAL`)
		conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA journal_mode = WAL`)
		return false
	}
	return true
}
