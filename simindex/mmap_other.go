//go:build !unix

package simindex

import (
	"io"
	"os"
)

// mapPrivate reads size bytes of a file from off (no memory map here).
func mapPrivate(f *os.File, off int64, size int) ([]byte, func() error, error) {
	b := make([]byte, size)
	if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
		return nil, nil, err
	}
	return b, func() error { return nil }, nil
}

func openNonblock(path string) (*os.File, error) { return os.Open(path) }
