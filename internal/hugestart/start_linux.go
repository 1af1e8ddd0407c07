package hugestart

import (
	"syscall"
	"unsafe"
)

const (
	madvHugepage = 14 // MADV_HUGEPAGE
	madvCollapse = 25 // MADV_COLLAPSE (Linux 6.1)
	hugePage     = 2 << 20
	arena        = 64 << 20 // the Go runtime's heap arena on 64-bit Linux
)

var probe *[64]byte

func init() {
	// a fresh object lies where the heap's next allocations go
	probe = new([64]byte)
	p := uintptr(unsafe.Pointer(probe))
	probe = nil
	// best effort, both: the range may reach unmapped addresses (ENOMEM,
	// the mapped part marked all the same), and an older kernel knows
	// neither advice
	syscall.Syscall(syscall.SYS_MADVISE, p&^(arena-1), arena, madvHugepage)
	Page = p &^ (hugePage - 1)
	if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, Page, hugePage, madvCollapse); e != 0 {
		Err = e
	}
}
