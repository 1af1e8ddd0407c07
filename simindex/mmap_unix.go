//go:build unix

package simindex

import (
	"os"
	"syscall"
)

// mapFile maps a file's first size bytes for reading. Pages in the page
// cache are mapped a few at a time as they are touched, without a copy.
func mapFile(f *os.File, size int) ([]byte, func() error, error) {
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}

// openNonblock opens a file for reading without blocking on a FIFO.
func openNonblock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
