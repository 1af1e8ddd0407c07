package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/papersift/papersift/paper"
)

// Row is a paper as the store keeps it: the paper, its row id, and what
// the store derives from it.
type Row struct {
	paper.Paper
	PID      int64    // the row id: a paper's handle in this database (vectors, ratings, lists)
	TitleKey string   // normalised title, for merging id-less records (paper.TitleKey)
	TextHash string   // of the text that is embedded, so that a changed text is re-embedded
	Lists    []string // filled by Papers
}

// IngestResult counts what an ingest did.
type IngestResult struct {
	Read    int     // records given
	New     int     // papers inserted
	Updated int     // papers whose stored record changed
	Changed []int64 // papers whose text changed (their vectors were dropped)
}

// Batch is papers to record as one list.
type Batch struct {
	List   string
	Source string // where the papers came from (a file, URL or source name), kept with the list
	Papers []Row
}

const paperCols = `pid, id, derived_id, arxiv_id, title, title_key, abstract, authors, n_authors, org, date, comments, upvotes, url, category, links, text_hash, doi, journal_ref`

type rowScanner interface{ Scan(dest ...any) error }

func scanPaper(r rowScanner) (*Row, error) {
	var p Row
	var arxiv, org, date, url, cat, doi, journal sql.NullString
	var nAuth, comments, upvotes sql.NullInt64
	var authors, links string
	var derived int
	err := r.Scan(&p.PID, &p.ID, &derived, &arxiv, &p.Title, &p.TitleKey, &p.Abstract, &authors, &nAuth, &org, &date, &comments, &upvotes, &url, &cat, &links, &p.TextHash, &doi, &journal)
	if err != nil {
		return nil, err
	}
	p.DerivedID = derived == 1
	p.ArxivID, p.Org, p.Date, p.URL, p.Category = arxiv.String, org.String, date.String, url.String, cat.String
	p.DOI, p.Journal = doi.String, journal.String
	p.NAuthors, p.Comments, p.Upvotes = intPtr(nAuth), intPtr(comments), intPtr(upvotes)
	if err := json.Unmarshal([]byte(authors), &p.Authors); err != nil {
		return nil, fmt.Errorf("paper %s: authors: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(links), &p.Links); err != nil {
		return nil, fmt.Errorf("paper %s: links: %w", p.ID, err)
	}
	return &p, nil
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func jsonList(xs []string) string {
	if xs == nil {
		xs = []string{}
	}
	b, _ := json.Marshal(xs)
	return string(b)
}

// merge folds an incoming record into a stored one: the incoming title and
// abstract win, known metadata is never erased by a source that lacks it, and
// a real id replaces a title-derived one. A record without an id that
// matched a paper with one by its title only fills what the paper lacks: it
// never replaces its title, abstract or any other field (a title is no
// proof of identity strong enough for that). It reports whether anything
// changed.
func merge(old *Row, in *Row) (Row, bool) {
	m := *old
	if old.DerivedID && !in.DerivedID {
		m.ID, m.DerivedID = in.ID, false
	}
	fillOnly := in.DerivedID && !old.DerivedID
	set := func(dst *string, v string) {
		if v != "" && (!fillOnly || *dst == "") {
			*dst = v
		}
	}
	setInt := func(dst **int, v *int) {
		if v != nil && (!fillOnly || *dst == nil) {
			*dst = v
		}
	}
	set(&m.ArxivID, in.ArxivID)
	set(&m.Title, in.Title)
	set(&m.TitleKey, in.TitleKey)
	set(&m.Abstract, in.Abstract)
	set(&m.Org, in.Org)
	set(&m.Date, in.Date)
	set(&m.URL, in.URL)
	set(&m.Category, in.Category)
	set(&m.TextHash, in.TextHash)
	set(&m.DOI, in.DOI)
	set(&m.Journal, in.Journal)
	if len(in.Authors) > 0 && (!fillOnly || len(m.Authors) == 0) {
		m.Authors = in.Authors
	}
	setInt(&m.NAuthors, in.NAuthors)
	setInt(&m.Comments, in.Comments)
	setInt(&m.Upvotes, in.Upvotes)
	for _, l := range in.Links {
		if !contains(m.Links, l) {
			m.Links = append(append([]string(nil), m.Links...), l)
		}
	}
	return m, !samePaper(&m, old)
}

// samePaper reports whether two records of a paper store the same fields.
func samePaper(m, old *Row) bool {
	return m.ID == old.ID && m.ArxivID == old.ArxivID && m.Title == old.Title && m.Abstract == old.Abstract &&
		m.Org == old.Org && m.Date == old.Date && m.URL == old.URL && m.Category == old.Category &&
		m.DOI == old.DOI && m.Journal == old.Journal &&
		m.TextHash == old.TextHash && jsonList(m.Authors) == jsonList(old.Authors) &&
		eqInt(m.NAuthors, old.NAuthors) && eqInt(m.Comments, old.Comments) && eqInt(m.Upvotes, old.Upvotes) &&
		jsonList(m.Links) == jsonList(old.Links)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func eqInt(a, b *int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Ingest stores batches of papers, each recorded as its list, in one
// transaction. Records with the same id are one paper; a record with a
// title-derived id and one with a real id whose title keys match are one
// paper, keeping the real id. A paper whose text changed loses its vectors
// (and only it); a record that changes nothing writes nothing.
func (s *Store) Ingest(ctx context.Context, batches []Batch) (*IngestResult, error) {
	return s.IngestWith(ctx, batches, IngestOptions{})
}

// IngestWith is Ingest with options.
func (s *Store) IngestWith(ctx context.Context, batches []Batch, opt IngestOptions) (*IngestResult, error) {
	return s.ingest(ctx, opt, func(list func(name, source string) (func([]Row) error, error)) error {
		for _, b := range batches {
			put, err := list(b.List, b.Source)
			if err != nil {
				return err
			}
			if err := put(b.Papers); err != nil {
				return err
			}
		}
		return nil
	})
}

// IngestStream stores the papers produce hands to put, a chunk at a time,
// as the list named list, in one transaction (with Ingest's merge rules): a
// large listing is stored while it is still being read. When produce fails,
// nothing is stored.
func (s *Store) IngestStream(ctx context.Context, list, source string, opt IngestOptions, produce func(put func([]Row) error) error) (*IngestResult, error) {
	return s.ingest(ctx, opt, func(open func(name, source string) (func([]Row) error, error)) error {
		put, err := open(list, source)
		if err != nil {
			return err
		}
		return produce(put)
	})
}

// ingest runs fill in one transaction; fill opens lists and puts papers on
// them.
func (s *Store) ingest(ctx context.Context, opt IngestOptions, fill func(list func(name, source string) (func([]Row) error, error)) error) (*IngestResult, error) {
	res := &IngestResult{}
	inTx := s.inTx
	if opt.Bulk {
		inTx = s.inBulkTx
	}
	err := inTx(ctx, func(tx *sql.Tx) error {
		*res = IngestResult{}
		w, err := newIngestTx(ctx, tx, res, s.stamp())
		if err != nil {
			return err
		}
		defer w.close()
		// The statements run without the context's cancellation, which
		// costs a goroutine per statement in the driver: the loop checks
		// it every 256 records instead, and the transaction rolls back.
		stmtCtx := context.WithoutCancel(ctx)
		list := func(name, source string) (func([]Row) error, error) {
			if err := w.flushMembers(stmtCtx); err != nil {
				return nil, err
			}
			lid, err := ensureList(ctx, tx, name, source, w.now)
			if err != nil {
				return nil, err
			}
			// positions continue after the list's last; gaps are harmless
			var pos int64
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(pos) + 1, 0) FROM list_papers WHERE lid = ?`, lid).Scan(&pos); err != nil {
				return nil, err
			}
			return func(papers []Row) error {
				res.Read += len(papers)
				for i := range papers {
					if i%256 == 0 && ctx.Err() != nil {
						return ctx.Err()
					}
					pid, err := w.put(stmtCtx, &papers[i])
					if err != nil {
						return fmt.Errorf("paper %s: %w", papers[i].ID, err)
					}
					if err := w.addMember(stmtCtx, lid, pid, pos); err != nil {
						return err
					}
					pos++
				}
				return nil
			}, nil
		}
		if err := fill(list); err != nil {
			return err
		}
		if err := w.flushMembers(stmtCtx); err != nil {
			return err
		}
		if err := w.settle(stmtCtx); err != nil {
			return err
		}
		return w.restore(ctx)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ingestCacheKiB is the page cache an ingest works with: large batches
// touch the title and id indexes all over, and a cache that holds them
// saves a read per record.
var ingestCacheKiB = 64 << 10 // a variable for tests

// ingestTx is one Ingest's transaction: its statements, and the
// title-derived papers by title key (few: only id-less sources make them),
// so that a record with a real id needs no title lookup.
type ingestTx struct {
	tx        *sql.Tx
	res       *IngestResult
	now       string
	prevCache int64
	stmts     []*sql.Stmt

	byID, byPID, realByKey, insert, update, member *sql.Stmt

	derived map[string]int64 // title key -> pid of the derived-id paper
	fresh   map[int64]bool   // papers this ingest inserted
	before  map[int64]*Row   // papers stored earlier that it merged into, as they were
	members []any            // list memberships to insert: lid, pid, pos, ...
}

// memberRows is how many list memberships one statement inserts.
const memberRows = 256

func memberInsert(rows int) string {
	return `INSERT INTO list_papers (lid, pid, pos) VALUES (?, ?, ?)` + strings.Repeat(`, (?, ?, ?)`, rows-1) + ` ON CONFLICT DO NOTHING`
}

// addMember puts a paper on a list (at pos, unless it is on it already).
func (w *ingestTx) addMember(ctx context.Context, lid, pid, pos int64) error {
	w.members = append(w.members, lid, pid, pos)
	if len(w.members) == 3*memberRows {
		return w.flushMembers(ctx)
	}
	return nil
}

func (w *ingestTx) flushMembers(ctx context.Context) error {
	var err error
	switch n := len(w.members) / 3; n {
	case 0:
	case memberRows:
		_, err = w.member.ExecContext(ctx, w.members...)
	default:
		_, err = w.tx.ExecContext(ctx, memberInsert(n), w.members...)
	}
	w.members = w.members[:0]
	return err
}

func newIngestTx(ctx context.Context, tx *sql.Tx, res *IngestResult, now string) (*ingestTx, error) {
	w := &ingestTx{tx: tx, res: res, now: now, derived: map[string]int64{}, fresh: map[int64]bool{}, before: map[int64]*Row{}}
	if err := tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&w.prevCache); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, ingestCacheKiB)); err != nil {
		return nil, err
	}
	prep := func(dst **sql.Stmt, q string) error {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		w.stmts = append(w.stmts, st)
		*dst = st
		return nil
	}
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&w.byID, `SELECT ` + paperCols + ` FROM papers WHERE id = ?`},
		{&w.byPID, `SELECT ` + paperCols + ` FROM papers WHERE pid = ?`},
		{&w.realByKey, `SELECT ` + paperCols + ` FROM papers WHERE title_hash = ? AND derived_id = 0 AND title_key = ? ORDER BY pid LIMIT 1`},
		{&w.insert, `INSERT INTO papers (id, derived_id, arxiv_id, title, title_key, title_hash, abstract, authors, n_authors, org, date, comments, upvotes, url, category, links, text_hash, doi, journal_ref, added_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`},
		{&w.update, `UPDATE papers SET id = ?, derived_id = ?, arxiv_id = ?, title = ?, title_key = ?, title_hash = ?, abstract = ?, authors = ?, n_authors = ?, org = ?, date = ?, comments = ?, upvotes = ?, url = ?, category = ?, links = ?, text_hash = ?, doi = ?, journal_ref = ?, updated_at = ? WHERE pid = ?`},
		{&w.member, memberInsert(memberRows)},
	} {
		if err := prep(p.dst, p.q); err != nil {
			w.close()
			return nil, err
		}
	}
	// through the partial index papers_derived, the first pid of a key first
	rows, err := tx.QueryContext(ctx, `SELECT title_key, pid FROM papers WHERE derived_id = 1 ORDER BY title_key, pid`)
	if err != nil {
		w.close()
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var pid int64
		if err := rows.Scan(&key, &pid); err != nil {
			w.close()
			return nil, err
		}
		if _, ok := w.derived[key]; !ok {
			w.derived[key] = pid
		}
	}
	if err := rows.Err(); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *ingestTx) close() {
	for _, st := range w.stmts {
		st.Close()
	}
	w.stmts = nil
}

// restore gives the connection back its page cache size.
func (w *ingestTx) restore(ctx context.Context) error {
	_, err := w.tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, w.prevCache))
	return err
}

// put stores one record: a new paper, or merged into the paper it is.
func (w *ingestTx) put(ctx context.Context, in *Row) (int64, error) {
	var old *Row
	var err error
	switch {
	case in.DerivedID:
		// the same title-derived id, else a paper with a real id and this title
		old, err = scanPaper(w.byID.QueryRowContext(ctx, in.ID))
		if errors.Is(err, sql.ErrNoRows) {
			old, err = scanPaper(w.realByKey.QueryRowContext(ctx, titleHash(in.TitleKey), in.TitleKey))
		}
	default:
		pid, titled := w.derived[in.TitleKey]
		if !titled {
			// most records of a large ingest: insert, and merge on conflict
			pid, err := w.insertNew(ctx, in)
			if err == nil || !errors.Is(err, sql.ErrNoRows) {
				return pid, err
			}
		}
		old, err = scanPaper(w.byID.QueryRowContext(ctx, in.ID))
		if errors.Is(err, sql.ErrNoRows) && titled {
			old, err = scanPaper(w.byPID.QueryRowContext(ctx, pid))
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		pid, err := w.insertNew(ctx, in)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("id %q is stored but could not be read", in.ID)
		}
		return pid, err
	}
	if err != nil {
		return 0, err
	}
	return old.PID, w.mergeInto(ctx, old, in)
}

// insertNew inserts a paper, or returns sql.ErrNoRows when its id is
// already stored.
func (w *ingestTx) insertNew(ctx context.Context, in *Row) (int64, error) {
	r, err := w.insert.ExecContext(ctx, in.ID, boolInt(in.DerivedID), nullStr(in.ArxivID), in.Title, in.TitleKey, titleHash(in.TitleKey), in.Abstract,
		jsonList(in.Authors), nullInt(in.NAuthors), nullStr(in.Org), nullStr(in.Date), nullInt(in.Comments), nullInt(in.Upvotes),
		nullStr(in.URL), nullStr(in.Category), jsonList(in.Links), in.TextHash, nullStr(in.DOI), nullStr(in.Journal), w.now, w.now)
	if err != nil {
		return 0, err
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return 0, cmp.Or(err, sql.ErrNoRows) // the id is stored
	}
	pid, err := r.LastInsertId()
	if err != nil {
		return 0, err
	}
	w.res.New++
	w.fresh[pid] = true
	if in.DerivedID {
		if _, ok := w.derived[in.TitleKey]; !ok {
			w.derived[in.TitleKey] = pid
		}
	}
	return pid, nil
}

// mergeInto folds a record into a stored paper; a changed text drops the
// paper's vectors.
func (w *ingestTx) mergeInto(ctx context.Context, old, in *Row) error {
	if _, ok := w.before[old.PID]; !ok && !w.fresh[old.PID] {
		// a paper stored before this ingest: what it was, to compare with
		// what it is at the end (a listing may hold a paper twice)
		w.before[old.PID] = old
	}
	m, changed := merge(old, in)
	if !changed {
		return nil
	}
	if _, err := w.update.ExecContext(ctx, m.ID, boolInt(m.DerivedID), nullStr(m.ArxivID), m.Title, m.TitleKey, titleHash(m.TitleKey), m.Abstract,
		jsonList(m.Authors), nullInt(m.NAuthors), nullStr(m.Org), nullStr(m.Date), nullInt(m.Comments), nullInt(m.Upvotes),
		nullStr(m.URL), nullStr(m.Category), jsonList(m.Links), m.TextHash, nullStr(m.DOI), nullStr(m.Journal), w.now, old.PID); err != nil {
		return err
	}
	if old.DerivedID && !m.DerivedID && w.derived[old.TitleKey] == old.PID {
		delete(w.derived, old.TitleKey)
	}
	return nil
}

// settle counts the papers stored before this ingest that it changed, and
// drops the vectors of those whose text changed: at the end, so that a
// listing holding a paper twice changes nothing when it is ingested again.
func (w *ingestTx) settle(ctx context.Context) error {
	pids := make([]int64, 0, len(w.before))
	for pid := range w.before {
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	for _, pid := range pids {
		old := w.before[pid]
		cur, err := scanPaper(w.byPID.QueryRowContext(ctx, pid))
		if err != nil {
			return err
		}
		if samePaper(cur, old) {
			continue
		}
		w.res.Updated++
		if cur.TextHash != old.TextHash {
			if err := dropVectors(ctx, w.tx, pid); err != nil {
				return err
			}
			w.res.Changed = append(w.res.Changed, pid)
		}
	}
	return nil
}

// titleHash is the title key's indexed stand-in: 64 bits of FNV-1a, as
// a signed SQLite integer. Lookups compare the key too.
func titleHash(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return int64(h.Sum64())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ensureList(ctx context.Context, tx *sql.Tx, name, source, now string) (int64, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO lists (name, source, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at, source = COALESCE(excluded.source, source)`, name, nullStr(source), now, now); err != nil {
		return 0, err
	}
	var lid int64
	err := tx.QueryRowContext(ctx, `SELECT lid FROM lists WHERE name = ?`, name).Scan(&lid)
	return lid, err
}

// Filter selects papers. The zero value selects all.
type Filter struct {
	Lists []string // only papers on one of these lists
	Since string   // only papers dated on or after YYYY-MM-DD
	Limit int      // at most this many (0: no limit)
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.Lists) > 0 {
		conds = append(conds, `p.pid IN (SELECT lp.pid FROM list_papers lp JOIN lists l ON l.lid = lp.lid WHERE l.name IN (?`+strings.Repeat(", ?", len(f.Lists)-1)+`))`)
		for _, l := range f.Lists {
			args = append(args, l)
		}
	}
	if f.Since != "" {
		conds = append(conds, `p.date >= ?`)
		args = append(args, f.Since)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Papers returns the papers the filter selects with their lists, newest date
// first, then by id.
func (s *Store) Papers(ctx context.Context, f Filter) ([]Row, error) {
	w, args := f.where()
	q := `SELECT ` + prefixed("p.", paperCols) + ` FROM papers p` + w + ` ORDER BY p.date IS NULL, p.date DESC, p.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	ps, err := s.queryPapers(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return ps, s.FillLists(ctx, ps)
}

// PIDs returns the pids the filter selects, ascending.
func (s *Store) PIDs(ctx context.Context, f Filter) ([]int64, error) {
	w, args := f.where()
	q := `SELECT p.pid FROM papers p` + w + ` ORDER BY p.pid`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var pid int64
		if err := rows.Scan(&pid); err != nil {
			return nil, err
		}
		out = append(out, pid)
	}
	return out, rows.Err()
}

// PapersByPID returns the papers with these pids, in the order given
// (unknown pids are left out).
func (s *Store) PapersByPID(ctx context.Context, pids []int64) ([]Row, error) {
	if len(pids) == 0 {
		return nil, nil
	}
	byPID := map[int64]Row{}
	for lo := 0; lo < len(pids); lo += 500 {
		hi := min(lo+500, len(pids))
		args := make([]any, hi-lo)
		for i, p := range pids[lo:hi] {
			args[i] = p
		}
		ps, err := s.queryPapers(ctx, `SELECT `+paperCols+` FROM papers WHERE pid IN (?`+strings.Repeat(",?", hi-lo-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			byPID[p.PID] = p
		}
	}
	out := make([]Row, 0, len(pids))
	for _, pid := range pids {
		if p, ok := byPID[pid]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = prefix + parts[i]
	}
	return strings.Join(parts, ", ")
}

func (s *Store) queryPapers(ctx context.Context, q string, args ...any) ([]Row, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		p, err := scanPaper(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

func (s *Store) FillLists(ctx context.Context, ps []Row) error {
	if len(ps) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(ps))
	for i, p := range ps {
		idx[p.PID] = i
	}
	fill := func(query string, args ...any) error {
		return s.eachPair(ctx, func(pid int64, name string) {
			if i, ok := idx[pid]; ok {
				ps[i].Lists = append(ps[i].Lists, name)
			}
		}, query, args...)
	}
	// A few papers among many (papers --limit 5 of a million) are looked up
	// in each list by the primary key (lid, pid); otherwise every list's
	// papers are read, once. There is no index by pid alone: the lookups
	// cost lists x papers, the scan at least one row a paper.
	var lists, papers int64
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM lists), (SELECT coalesce(max(pid), 0) FROM papers)`).Scan(&lists, &papers); err != nil {
		return s.wrapErr(err)
	}
	if len(ps) > 500 || 4*lists*int64(len(ps)) > papers {
		return fill(`SELECT lp.pid, l.name FROM list_papers lp JOIN lists l ON l.lid = lp.lid ORDER BY l.name`)
	}
	args := make([]any, len(ps))
	for i, p := range ps {
		args[i] = p.PID
	}
	return fill(`SELECT lp.pid, l.name FROM lists l JOIN list_papers lp ON lp.lid = l.lid WHERE lp.pid IN (?`+strings.Repeat(",?", len(ps)-1)+`) ORDER BY l.name`, args...)
}

// AmbiguousError is returned by FindPaper when a title fragment matches
// several papers.
type AmbiguousError struct {
	Ref     string
	Matches []Row // at most 20
	Total   int
}

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q matches %d papers; give an id or a longer part of the title:", e.Ref, e.Total)
	for _, p := range e.Matches {
		fmt.Fprintf(&b, "\n  %s  %s", p.ID, p.Title)
	}
	if e.Total > len(e.Matches) {
		fmt.Fprintf(&b, "\n  ... and %d more", e.Total-len(e.Matches))
	}
	return b.String()
}

// NotFoundError is returned by FindPaper for a reference nothing matches; it
// wraps ErrNotFound and carries close suggestions.
type NotFoundError struct {
	Ref         string
	Suggestions []Row
}

func (e *NotFoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no paper has the id or a title containing %q", e.Ref)
	if len(e.Suggestions) > 0 {
		b.WriteString("; did you mean:")
		for _, p := range e.Suggestions {
			fmt.Fprintf(&b, "\n  %s  %s", p.ID, p.Title)
		}
	} else {
		b.WriteString(" (papersift papers lists what is stored)")
	}
	return b.String()
}

func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// FindPaper resolves what a user typed: an id (arXiv ids with or without a
// version), or a case-insensitive fragment of exactly one title.
func (s *Store) FindPaper(ctx context.Context, ref string, normID func(string) string) (*Row, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, &NotFoundError{Ref: ref}
	}
	for _, id := range []string{ref, normID(ref)} {
		p, err := scanPaper(s.db.QueryRowContext(ctx, `SELECT `+paperCols+` FROM papers WHERE id = ?1
			UNION ALL SELECT `+paperCols+` FROM papers WHERE arxiv_id = ?1 AND arxiv_id <> id LIMIT 1`, id))
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, s.wrapErr(err)
		}
	}
	// Title fragments are matched here rather than by SQLite's LIKE, which
	// folds the case of ASCII letters only ("Études", "Ångström"); the same
	// scan scores every paper for the suggestions, used when nothing
	// matches.
	type match struct {
		pid int64
		id  string
	}
	var ms []match
	var exact []match
	lref := strings.ToLower(ref)
	q := newTrigramQuery(ref)
	var near []suggestion
	rows, err := s.db.QueryContext(ctx, `SELECT pid, id, title FROM papers`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	for rows.Next() {
		var pid int64
		var id, title string
		if err := rows.Scan(&pid, &id, &title); err != nil {
			rows.Close()
			return nil, err
		}
		if strings.Contains(strings.ToLower(title), lref) {
			ms = append(ms, match{pid, id})
			if strings.EqualFold(title, ref) {
				exact = append(exact, match{pid, id})
			}
		}
		if len(ms) == 0 {
			if sc := max(q.similarity(id), q.similarity(title)); sc >= 0.3 {
				near = append(near, suggestion{pid, id, sc})
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrapErr(err)
	}
	byID := func(xs []match) {
		sort.Slice(xs, func(i, j int) bool { return xs[i].id < xs[j].id })
	}
	byID(ms)
	byID(exact)
	if len(exact) == 1 && len(ms) > 1 {
		ms = exact // an exact (case-insensitive) title among several matches wins
	}
	if len(ms) > 0 {
		pids := make([]int64, 0, 20)
		for _, m := range ms[:min(len(ms), 20)] {
			pids = append(pids, m.pid)
		}
		ps, err := s.PapersByPID(ctx, pids)
		if err != nil {
			return nil, err
		}
		if len(ms) == 1 && len(ps) == 1 {
			return &ps[0], nil
		}
		if len(ms) > 1 {
			return nil, &AmbiguousError{Ref: ref, Matches: ps, Total: len(ms)}
		}
	}
	sug, err := s.suggest(ctx, near, 5)
	if err != nil {
		return nil, err
	}
	return nil, &NotFoundError{Ref: ref, Suggestions: sug}
}

// suggestion is a paper whose id or title shares trigrams with a reference.
type suggestion struct {
	pid   int64
	id    string
	score float64
}

// suggest returns the n best of cs (by score, then id).
func (s *Store) suggest(ctx context.Context, cs []suggestion, n int) ([]Row, error) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score > cs[j].score
		}
		return cs[i].id < cs[j].id
	})
	if len(cs) > n {
		cs = cs[:n]
	}
	pids := make([]int64, len(cs))
	for i, c := range cs {
		pids[i] = c.pid
	}
	return s.PapersByPID(ctx, pids)
}

// trigramQuery is the set of trigrams of a reference ("  " + its lower
// case + " ", by runes), against which candidates are measured without a
// set of their own (a million titles' sets took 80 s).
type trigramQuery struct {
	index map[[3]rune]int // each distinct trigram's number
	seen  []bool
}

func newTrigramQuery(ref string) *trigramQuery {
	q := &trigramQuery{index: map[[3]rune]int{}}
	eachTrigram(ref, func(g [3]rune) {
		if _, ok := q.index[g]; !ok {
			q.index[g] = len(q.index)
		}
	})
	q.seen = make([]bool, len(q.index))
	return q
}

// eachTrigram calls fn with each trigram of "  " + strings.ToLower(s) +
// " ", by runes.
func eachTrigram(s string, fn func([3]rune)) {
	w := [3]rune{' ', ' ', 0}
	n := 2 // runes in the window
	push := func(r rune) {
		if n == 3 {
			w[0], w[1] = w[1], w[2]
			n = 2
		}
		w[n] = r
		n++
		if n == 3 {
			fn(w)
		}
	}
	for _, r := range s {
		push(unicode.ToLower(r))
	}
	push(' ')
}

// similarity is the share of the query's trigrams found in t.
func (q *trigramQuery) similarity(t string) float64 {
	if len(q.index) == 0 {
		return 0
	}
	clear(q.seen)
	found := 0
	eachTrigram(t, func(g [3]rune) {
		if i, ok := q.index[g]; ok && !q.seen[i] {
			q.seen[i] = true
			found++
		}
	})
	return float64(found) / float64(len(q.index))
}

// ListInfo describes a list.
type ListInfo struct {
	Name    string
	Papers  int
	Source  string // the source last ingested into it ("" before schema 3)
	Created string
	Updated string
}

// Lists returns every list, most recently ingested first.
func (s *Store) Lists(ctx context.Context) ([]ListInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT l.name, COALESCE(l.source, ''), l.created_at, l.updated_at, (SELECT count(*) FROM list_papers lp WHERE lp.lid = l.lid) FROM lists l ORDER BY l.updated_at DESC, l.lid DESC`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	var out []ListInfo
	for rows.Next() {
		var l ListInfo
		if err := rows.Scan(&l.Name, &l.Source, &l.Created, &l.Updated, &l.Papers); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ListExists reports whether a list of that name exists.
func (s *Store) ListExists(ctx context.Context, name string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM lists WHERE name = ?`, name).Scan(&n)
	return n > 0, s.wrapErr(err)
}

// Count returns the number of stored papers.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM papers`).Scan(&n)
	return n, s.wrapErr(err)
}
