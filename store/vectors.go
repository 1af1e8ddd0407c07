package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/papersift/papersift/internal/f32"
)

// Model is a stored embedding model (for the built-in model: one fit).
type Model struct {
	MID      int64
	Name     string
	Kind     string
	Dim      int
	ChunkCap int
	NFit     int
}

// chunkBytes is the target size of a vector chunk: large enough that
// loading every vector is a few thousand sequential reads, small enough
// that reading one vector (SQLite reads the whole chunk for it) takes a
// fraction of a millisecond: the similarity index rescoring its few
// candidates reads one chunk each.
const chunkBytes = 128 << 10

// Model returns the model of that name, or ErrNotFound.
func (s *Store) Model(ctx context.Context, name string) (*Model, error) {
	var m Model
	var nfit sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT mid, name, kind, dim, chunk_cap, n_fit FROM models WHERE name = ?`, name).
		Scan(&m.MID, &m.Name, &m.Kind, &m.Dim, &m.ChunkCap, &nfit)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("model %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, s.wrapErr(err)
	}
	m.NFit = int(nfit.Int64)
	return &m, nil
}

// EnsureModel returns the model of that name, creating it with dim. A model
// that exists with another dimension is an error (ErrDimensionMism).
func (s *Store) EnsureModel(ctx context.Context, name, kind string, dim int) (*Model, error) {
	if dim <= 0 {
		return nil, fmt.Errorf("model %s: dimension %d", name, dim)
	}
	m, err := s.Model(ctx, name)
	if err == nil {
		if m.Dim != dim {
			return nil, fmt.Errorf("model %s has %d dimensions, the endpoint now returns %d: %w", name, m.Dim, dim, ErrDimensionMism)
		}
		return m, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO models (name, kind, dim, chunk_cap, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		name, kind, dim, chunkCap(dim), s.stamp())
	if err != nil {
		return nil, s.wrapErr(err)
	}
	return s.EnsureModel(ctx, name, kind, dim)
}

func chunkCap(dim int) int {
	return max(16, chunkBytes/(4*dim))
}

// SaveFit stores a fit of the built-in model as the model name, with its
// parameters, and drops every other model of the same kind with its vectors
// (vectors of two fits are never compared, and a refit re-embeds all).
func (s *Store) SaveFit(ctx context.Context, name, kind string, dim, nfit int, params []byte) (*Model, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM models WHERE kind = ? AND name <> ?`, kind, name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO models (name, kind, dim, chunk_cap, n_fit, params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET n_fit = excluded.n_fit, params = excluded.params`,
			name, kind, dim, chunkCap(dim), nfit, params, s.stamp())
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Model(ctx, name)
}

// LatestModel returns the newest model of a kind, or ErrNotFound.
func (s *Store) LatestModel(ctx context.Context, kind string) (*Model, error) {
	var name string
	err := s.db.QueryRowContext(ctx, `SELECT name FROM models WHERE kind = ? ORDER BY mid DESC LIMIT 1`, kind).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s model: %w", kind, ErrNotFound)
	}
	if err != nil {
		return nil, s.wrapErr(err)
	}
	return s.Model(ctx, name)
}

// LatestFit returns the newest model of a kind with its parameters, or ErrNotFound.
func (s *Store) LatestFit(ctx context.Context, kind string) (*Model, []byte, error) {
	m, err := s.LatestModel(ctx, kind)
	if err != nil {
		return nil, nil, err
	}
	var params []byte
	if err := s.db.QueryRowContext(ctx, `SELECT params FROM models WHERE mid = ?`, m.MID).Scan(&params); err != nil {
		return nil, nil, s.wrapErr(err)
	}
	return m, params, nil
}

// TextToEmbed is a paper whose text a model has no current vector for.
type TextToEmbed struct {
	PID      int64
	ID       string
	Title    string
	Abstract string
	Hash     string
}

// Missing returns the papers that lack a vector of model mid for their
// current text, by pid (limit 0: all).
func (s *Store) Missing(ctx context.Context, mid int64, limit int) ([]TextToEmbed, error) {
	q := `SELECT p.pid, p.id, p.title, p.abstract, p.text_hash FROM papers p
		WHERE NOT EXISTS (SELECT 1 FROM vec_index v WHERE v.mid = ? AND v.pid = p.pid AND v.text_hash = p.text_hash)
		ORDER BY p.pid`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return s.texts(ctx, q, mid)
}

// AllTexts returns every paper's text, by pid.
func (s *Store) AllTexts(ctx context.Context) ([]TextToEmbed, error) {
	return s.texts(ctx, `SELECT pid, id, title, abstract, text_hash FROM papers ORDER BY pid`)
}

func (s *Store) texts(ctx context.Context, query string, args ...any) ([]TextToEmbed, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	var out []TextToEmbed
	for rows.Next() {
		var t TextToEmbed
		if err := rows.Scan(&t.PID, &t.ID, &t.Title, &t.Abstract, &t.Hash); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Vector is one paper's vector for one text.
type Vector struct {
	PID  int64
	Hash string // the text hash it was computed from
	Vec  []float32
}

type chunk struct {
	no   int64
	pids []int64
	data []float32
}

func readChunk(ctx context.Context, tx *sql.Tx, mid, no int64, dim int) (*chunk, error) {
	var n int
	var pids, data []byte
	err := tx.QueryRowContext(ctx, `SELECT n, pids, data FROM vec_chunks WHERE mid = ? AND chunk = ?`, mid, no).Scan(&n, &pids, &data)
	if err != nil {
		return nil, err
	}
	c := &chunk{no: no, pids: make([]int64, n), data: make([]float32, n*dim)}
	if len(pids) != 8*n || len(data) != 4*n*dim {
		return nil, fmt.Errorf("vector chunk %d of model %d is corrupt", no, mid)
	}
	for i := range c.pids {
		c.pids[i] = int64(binary.LittleEndian.Uint64(pids[8*i:]))
	}
	decodeFloats(c.data, data)
	return c, nil
}

func writeChunk(ctx context.Context, tx *sql.Tx, mid int64, c *chunk) error {
	if len(c.pids) == 0 {
		_, err := tx.ExecContext(ctx, `DELETE FROM vec_chunks WHERE mid = ? AND chunk = ?`, mid, c.no)
		return err
	}
	pids := make([]byte, 8*len(c.pids))
	for i, p := range c.pids {
		binary.LittleEndian.PutUint64(pids[8*i:], uint64(p))
	}
	data := make([]byte, 4*len(c.data))
	for i, x := range c.data {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(x))
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO vec_chunks (mid, chunk, n, pids, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (mid, chunk) DO UPDATE SET n = excluded.n, pids = excluded.pids, data = excluded.data`, mid, c.no, len(c.pids), pids, data)
	return err
}

// PutVectors stores vectors of model m in one transaction. A vector whose
// hash is no longer its paper's text hash (the text changed meanwhile), or
// whose paper is gone, is not stored; the number stored is returned. A
// model dropped meanwhile (by another process's refit) is ErrModelGone.
func (s *Store) PutVectors(ctx context.Context, m *Model, vs []Vector) (int, error) {
	var stored int
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		stored, err = putVectors(ctx, tx, m, vs)
		return err
	})
	return stored, err
}

// putVectors is PutVectors within tx.
func putVectors(ctx context.Context, tx *sql.Tx, m *Model, vs []Vector) (stored int, err error) {
	err = func() error {
		var n int
		// By name too: SQLite reuses the mid of a dropped model.
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM models WHERE mid = ? AND name = ?`, m.MID, m.Name).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("model %s: %w", m.Name, ErrModelGone)
		}
		cur, err := tx.PrepareContext(ctx, `SELECT text_hash FROM papers WHERE pid = ?`)
		if err != nil {
			return err
		}
		defer cur.Close()
		where, err := tx.PrepareContext(ctx, `SELECT chunk, slot FROM vec_index WHERE mid = ? AND pid = ?`)
		if err != nil {
			return err
		}
		defer where.Close()
		setIdx, err := tx.PrepareContext(ctx, `INSERT INTO vec_index (mid, pid, text_hash, chunk, slot) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (mid, pid) DO UPDATE SET text_hash = excluded.text_hash, chunk = excluded.chunk, slot = excluded.slot`)
		if err != nil {
			return err
		}
		defer setIdx.Close()
		chunks := map[int64]*chunk{}
		get := func(no int64) (*chunk, error) {
			if c, ok := chunks[no]; ok {
				return c, nil
			}
			c, err := readChunk(ctx, tx, m.MID, no, m.Dim)
			if err != nil {
				return nil, err
			}
			chunks[no] = c
			return c, nil
		}
		var tail *chunk
		var lastNo sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(chunk) FROM vec_chunks WHERE mid = ?`, m.MID).Scan(&lastNo); err != nil {
			return err
		}
		if lastNo.Valid {
			if tail, err = get(lastNo.Int64); err != nil {
				return err
			}
		}
		for _, v := range vs {
			if len(v.Vec) != m.Dim {
				return fmt.Errorf("paper %d: %d dimensions for model %s of %d: %w", v.PID, len(v.Vec), m.Name, m.Dim, ErrDimensionMism)
			}
			var h string
			if err := cur.QueryRowContext(ctx, v.PID).Scan(&h); errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return err
			}
			if h != v.Hash {
				continue
			}
			var no int64
			var slot int
			err := where.QueryRowContext(ctx, m.MID, v.PID).Scan(&no, &slot)
			switch {
			case err == nil:
				c, err := get(no)
				if err != nil {
					return err
				}
				copy(c.data[slot*m.Dim:(slot+1)*m.Dim], v.Vec)
			case errors.Is(err, sql.ErrNoRows):
				if tail == nil || len(tail.pids) >= m.ChunkCap {
					next := int64(0)
					if tail != nil {
						next = tail.no + 1
					}
					tail = &chunk{no: next}
					chunks[next] = tail
				}
				no, slot = tail.no, len(tail.pids)
				tail.pids = append(tail.pids, v.PID)
				tail.data = append(tail.data, v.Vec...)
			default:
				return err
			}
			if _, err := setIdx.ExecContext(ctx, m.MID, v.PID, v.Hash, no, slot); err != nil {
				return err
			}
			stored++
		}
		// write every touched chunk once, in chunk order
		nos := make([]int64, 0, len(chunks))
		for no := range chunks {
			nos = append(nos, no)
		}
		slices.Sort(nos)
		for _, no := range nos {
			if err := writeChunk(ctx, tx, m.MID, chunks[no]); err != nil {
				return err
			}
		}
		return nil
	}()
	return stored, err
}

// dropVectors removes every vector of a paper (all models), within tx.
func dropVectors(ctx context.Context, tx *sql.Tx, pid int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT v.mid, v.chunk, v.slot, m.dim FROM vec_index v JOIN models m ON m.mid = v.mid WHERE v.pid = ?`, pid)
	if err != nil {
		return err
	}
	type loc struct {
		mid, chunk int64
		slot, dim  int
	}
	var locs []loc
	for rows.Next() {
		var l loc
		if err := rows.Scan(&l.mid, &l.chunk, &l.slot, &l.dim); err != nil {
			rows.Close()
			return err
		}
		locs = append(locs, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, l := range locs {
		c, err := readChunk(ctx, tx, l.mid, l.chunk, l.dim)
		if err != nil {
			return err
		}
		last := len(c.pids) - 1
		if l.slot != last {
			moved := c.pids[last]
			c.pids[l.slot] = moved
			copy(c.data[l.slot*l.dim:(l.slot+1)*l.dim], c.data[last*l.dim:(last+1)*l.dim])
			if _, err := tx.ExecContext(ctx, `UPDATE vec_index SET slot = ? WHERE mid = ? AND pid = ?`, l.slot, l.mid, moved); err != nil {
				return err
			}
		}
		c.pids = c.pids[:last]
		c.data = c.data[:last*l.dim]
		if err := writeChunk(ctx, tx, l.mid, c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM vec_index WHERE mid = ? AND pid = ?`, l.mid, pid); err != nil {
			return err
		}
	}
	return nil
}

// ValidVector reports whether v is a finite unit vector: what every stored
// vector is (the embedders normalise), unless damaged.
func ValidVector(v []float32) bool {
	ss := f32.Dot(v, v) // NaN and infinities carry through
	return ss >= 1-2e-3 && ss <= 1+2e-3
}

// Matrix holds the vectors of one model: row i is paper PIDs[i].
type Matrix struct {
	Model string
	Dim   int
	PIDs  []int64
	Data  []float32 // len(PIDs) x Dim, row-major
	// Bad are the papers whose stored vector is damaged (see ValidVector):
	// left out of PIDs and Data.
	Bad []int64
}

// Row returns row i.
func (m *Matrix) Row(i int) []float32 { return m.Data[i*m.Dim : (i+1)*m.Dim : (i+1)*m.Dim] }

// RowIndex maps each paper to its row.
func (m *Matrix) RowIndex() map[int64]int {
	row := make(map[int64]int, len(m.PIDs))
	for i, pid := range m.PIDs {
		row[pid] = i
	}
	return row
}

// LoadVectors reads every vector of model m: one sequential read of its chunks.
func (s *Store) LoadVectors(ctx context.Context, m *Model) (*Matrix, error) {
	var total sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT sum(n) FROM vec_chunks WHERE mid = ?`, m.MID).Scan(&total); err != nil {
		return nil, s.wrapErr(err)
	}
	out := &Matrix{Model: m.Name, Dim: m.Dim, PIDs: make([]int64, 0, total.Int64), Data: make([]float32, 0, int(total.Int64)*m.Dim)}
	rows, err := s.db.QueryContext(ctx, `SELECT n, pids, data FROM vec_chunks WHERE mid = ? ORDER BY chunk`, m.MID)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var pids, data sql.RawBytes
		if err := rows.Scan(&n, &pids, &data); err != nil {
			return nil, err
		}
		if len(pids) != 8*n || len(data) != 4*n*m.Dim {
			return nil, fmt.Errorf("a vector chunk of model %s is corrupt", m.Name)
		}
		at := len(out.Data)
		out.Data = out.Data[:at+n*m.Dim]
		decodeFloats(out.Data[at:], data)
		// a damaged vector is left out, while its chunk is in the cache
		for i := 0; i < n; i++ {
			pid := int64(binary.LittleEndian.Uint64(pids[8*i:]))
			if !ValidVector(out.Data[at : at+m.Dim]) {
				out.Bad = append(out.Bad, pid)
				copy(out.Data[at:], out.Data[at+m.Dim:])
				out.Data = out.Data[:len(out.Data)-m.Dim]
				continue
			}
			out.PIDs = append(out.PIDs, pid)
			at += m.Dim
		}
	}
	return out, rows.Err()
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// decodeFloats decodes little-endian float32s; on little-endian machines it
// is one memory copy.
func decodeFloats(dst []float32, src []byte) {
	if littleEndian && len(dst) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), src)
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

// VectorCounts returns the number of vectors per model name.
func (s *Store) VectorCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.name, (SELECT count(*) FROM vec_index v WHERE v.mid = m.mid) FROM models m ORDER BY m.name`)
	if err != nil {
		return nil, s.wrapErr(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}

// TextsOf returns the texts of the papers pids, in their order (a paper
// that is gone is left out).
func (s *Store) TextsOf(ctx context.Context, pids []int64) ([]TextToEmbed, error) {
	byPID := make(map[int64]TextToEmbed, len(pids))
	err := inBatches(pids, func(in string, args []any) error {
		rows, err := s.db.QueryContext(ctx, `SELECT pid, id, title, abstract, text_hash FROM papers WHERE pid IN `+in, args...)
		if err != nil {
			return s.wrapErr(err)
		}
		defer rows.Close()
		for rows.Next() {
			var t TextToEmbed
			if err := rows.Scan(&t.PID, &t.ID, &t.Title, &t.Abstract, &t.Hash); err != nil {
				return s.wrapErr(err)
			}
			byPID[t.PID] = t
		}
		return s.wrapErr(rows.Err())
	})
	if err != nil {
		return nil, err
	}
	out := make([]TextToEmbed, 0, len(pids))
	for _, pid := range pids {
		if t, ok := byPID[pid]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// VectorStamp identifies the state of one model's vectors: it changes with
// every write of them, and differs between databases.
type VectorStamp struct {
	DB    string // the database's identity
	MID   int64
	Model string
	Gen   int64 // the model's vector generation
}

// VectorStamp returns the current stamp of model m's vectors.
func (s *Store) VectorStamp(ctx context.Context, m *Model) (VectorStamp, error) {
	st := VectorStamp{MID: m.MID, Model: m.Name}
	err := s.db.QueryRowContext(ctx, `SELECT g.db_id, coalesce((SELECT gen FROM model_gen WHERE mid = m.mid), 0)
		FROM models m, vec_gen g WHERE m.mid = ? AND m.name = ?`, m.MID, m.Name).Scan(&st.DB, &st.Gen)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("model %s: %w", m.Name, ErrNotFound)
	}
	if err != nil {
		return st, s.wrapErr(err)
	}
	return st, nil
}

// VectorCount returns the number of stored vectors of model m.
func (s *Store) VectorCount(ctx context.Context, m *Model) (int, error) {
	var n sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT sum(n) FROM vec_chunks WHERE mid = ?`, m.MID).Scan(&n); err != nil {
		return 0, s.wrapErr(err)
	}
	return int(n.Int64), nil
}
