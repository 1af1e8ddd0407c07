//go:build linux && (amd64 || arm64 || riscv64 || ppc64le || s390x || loong64)

package hugestart

import (
	"errors"
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
	if syscall.Getpagesize() != 4096 {
		Err = errors.New("huge pages are asked for with 4 KiB pages only")
		return
	}
	if thpNever() {
		// MADV_COLLAPSE does not ask the system's setting: papersift does
		Err = errors.New("transparent huge pages are off (never)")
		return
	}
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

// thpNever reports whether the system's transparent huge pages are off
// ("[never]" in /sys/kernel/mm/transparent_hugepage/enabled), read with
// system calls alone (this runs before package os is ready).
func thpNever() bool {
	fd, err := syscall.Open("/sys/kernel/mm/transparent_hugepage/enabled", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return true // no transparent huge pages at all
	}
	defer syscall.Close(fd)
	var b [128]byte
	n, _ := syscall.Read(fd, b[:])
	s := string(b[:max(n, 0)])
	for i := 0; i+7 <= len(s); i++ {
		if s[i:i+7] == "[never]" {
			return true
		}
	}
	return false
}
