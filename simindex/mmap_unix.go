//go:build unix

package simindex

import (
	"os"
	"syscall"
)

// mapPrivate maps size bytes of a file from off for reading, in place:
// pages in the page cache are mapped as they are touched, without a copy.
// The map is private and writable, so that a write changes this process's
// copy of a page, never the file (and never faults). off need not be a
// multiple of the page size (the file aligns it to 4 KiB; pages may be
// larger).
func mapPrivate(f *os.File, off int64, size int) ([]byte, func() error, error) {
	page := int64(os.Getpagesize())
	start := off / page * page
	b, err := syscall.Mmap(int(f.Fd()), start, size+int(off-start), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, err
	}
	return b[off-start:], func() error { return syscall.Munmap(b) }, nil
}

// openNonblock opens a file for reading without blocking on a FIFO.
func openNonblock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
