package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// ScanVectors calls fn with every chunk of model m's vectors, in storage
// order: the papers of the chunk and their vectors (row-major). Both slices
// are valid only during the call and may share the database's buffers, so
// a scan reads each vector once and copies nothing on little-endian
// machines. Use it to answer a query without holding every vector.
func (s *Store) ScanVectors(ctx context.Context, m *Model, fn func(pids []int64, data []float32) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT n, pids, data FROM vec_chunks WHERE mid = ? ORDER BY chunk`, m.MID)
	if err != nil {
		return s.wrapErr(err)
	}
	defer rows.Close()
	var pidBuf []int64
	var vecBuf []float32
	for rows.Next() {
		var n int
		var pids, data sql.RawBytes
		if err := rows.Scan(&n, &pids, &data); err != nil {
			return err
		}
		if len(pids) != 8*n || len(data) != 4*n*m.Dim {
			return fmt.Errorf("a vector chunk of model %s is corrupt", m.Name)
		}
		if n == 0 {
			continue
		}
		var ps []int64
		var vs []float32
		if littleEndian && uintptr(unsafe.Pointer(&pids[0]))%8 == 0 && uintptr(unsafe.Pointer(&data[0]))%4 == 0 {
			ps = unsafe.Slice((*int64)(unsafe.Pointer(&pids[0])), n)
			vs = unsafe.Slice((*float32)(unsafe.Pointer(&data[0])), n*m.Dim)
		} else {
			pidBuf = pidBuf[:0]
			for i := 0; i < n; i++ {
				pidBuf = append(pidBuf, int64(binary.LittleEndian.Uint64(pids[8*i:])))
			}
			if cap(vecBuf) < n*m.Dim {
				vecBuf = make([]float32, n*m.Dim)
			}
			vecBuf = vecBuf[:n*m.Dim]
			decodeFloats(vecBuf, data)
			ps, vs = pidBuf, vecBuf
		}
		if err := fn(ps, vs); err != nil {
			return err
		}
	}
	return rows.Err()
}

// VectorOf returns the vector of model m for a paper, or ErrNotFound.
func (s *Store) VectorOf(ctx context.Context, m *Model, pid int64) ([]float32, error) {
	var chunk int64
	var slot int
	err := s.db.QueryRowContext(ctx, `SELECT chunk, slot FROM vec_index WHERE mid = ? AND pid = ?`, m.MID, pid).Scan(&chunk, &slot)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("vector of paper %d in model %s: %w", pid, m.Name, ErrNotFound)
	}
	if err != nil {
		return nil, s.wrapErr(err)
	}
	// substr reads only the bytes of one vector out of the chunk
	var b []byte
	err = s.db.QueryRowContext(ctx, `SELECT substr(data, ?, ?) FROM vec_chunks WHERE mid = ? AND chunk = ?`, 1+4*slot*m.Dim, 4*m.Dim, m.MID, chunk).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && len(b) != 4*m.Dim) {
		return nil, fmt.Errorf("the vector chunk of paper %d in model %s is missing or corrupt", pid, m.Name)
	}
	if err != nil {
		return nil, s.wrapErr(err)
	}
	v := make([]float32, m.Dim)
	decodeFloats(v, b)
	if !ValidVector(v) {
		return nil, fmt.Errorf("vector of paper %d in model %s: %w", pid, m.Name, ErrBadVector)
	}
	return v, nil
}

// VectorsOf returns the vectors of model m of the given papers, in their
// order, row-major. A paper without one is ErrNotFound; a damaged vector
// is ErrBadVector.
func (s *Store) VectorsOf(ctx context.Context, m *Model, pids []int64) ([]float32, error) {
	out := make([]float32, 0, len(pids)*m.Dim)
	for _, p := range pids {
		v, err := s.VectorOf(ctx, m, p)
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
	}
	return out, nil
}
