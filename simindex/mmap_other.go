//go:build !unix

package simindex

import (
	"io"
	"os"
)

// mapFile reads a file's first size bytes (no memory map here).
func mapFile(f *os.File, size int) ([]byte, func() error, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, nil, err
	}
	return b, func() error { return nil }, nil
}

func openNonblock(path string) (*os.File, error) { return os.Open(path) }
