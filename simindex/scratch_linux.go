package simindex

import (
	"syscall"
	"unsafe"
)

// scratch is n bytes of fresh memory for the first pass's buffers, in huge
// pages where the kernel gives them: the first touch of each 4 KiB page of
// fresh memory traps (13-18 us on the virtual machines we measure on; the
// two buffers of a query took about 90 of them), a huge page's once. free
// returns it.
func scratch(n int) (b []byte, free func()) {
	const huge = 2 << 20
	// whole huge pages, from a boundary: the mapping has room for one
	// more, to align
	size := (n + huge - 1) &^ (huge - 1)
	m, err := syscall.Mmap(-1, 0, size+huge, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return alignedBytes(n), func() {}
	}
	_ = syscall.Madvise(m, syscall.MADV_HUGEPAGE) // best effort
	at := 0
	if p := uintptr(unsafe.Pointer(unsafe.SliceData(m))); p%huge != 0 {
		at = int(huge - p%huge)
	}
	return m[at : at+n : at+n], func() { syscall.Munmap(m) }
}
