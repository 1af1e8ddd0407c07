package store

import (
	"context"
	"database/sql"
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
// transaction runs on one connection switched to a rollback journal and to
// exclusive locking, and the database goes back to WAL after it, committed
// or not. Atomicity is the same: a crash leaves a hot journal, which the
// next connection rolls back (Open also puts the database back in WAL).
//
// The price is concurrency, which is why it is kept to empty databases:
// while the transaction runs, other processes can neither read nor write
// (they wait for it, up to the busy timeout), where the WAL lets readers
// read. When another connection has the database open, the switch is
// refused and the transaction runs in the WAL as usual.
func (s *Store) inBulkTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.readOnly {
		return fmt.Errorf("%s: %w (opened %s)", s.path, ErrReadOnly, s.access)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrapErr(err)
	}
	defer conn.Close()
	if s.rollbackJournal(ctx, conn) {
		defer func() {
			// best effort: a database left in another mode is put back
			// by the next Open
			bg := context.WithoutCancel(ctx)
			conn.ExecContext(bg, `PRAGMA locking_mode = NORMAL`)
			conn.ExecContext(bg, `PRAGMA journal_mode = WAL`)
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return s.wrapErr(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.wrapErr(err)
	}
	return s.wrapErr(tx.Commit())
}

// rollbackJournal switches conn to a rollback journal and exclusive
// locking when the database holds no paper and no other connection has it
// open, and reports whether it did.
func (s *Store) rollbackJournal(ctx context.Context, conn *sql.Conn) bool {
	var has int
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM papers)`).Scan(&has); err != nil || has == 1 {
		return false
	}
	var mode string
	if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil || mode != "delete" {
		return false // another connection has it open (SQLITE_BUSY at once)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA locking_mode = EXCLUSIVE`); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA journal_mode = WAL`)
		return false
	}
	return true
}
