// Package hugestart backs the start of the Go heap with a transparent huge
// page, as soon as the program starts: import it for its effect, early (it
// imports nothing that allocates, so its initialisation runs among the
// first).
//
// On a virtual machine with paravirtualised page tables (the Firecracker
// microVMs our measurements run on) the first touch of each 4 KiB page of
// fresh memory traps to the kernel and costs 13-18 us (see package
// hugeheap). A Go program's initialisation touches a few hundred pages of
// its heap, so a command started in about 26 ms of which 7 went to these
// faults. Its initialisation marks the heap's address space MADV_HUGEPAGE
// (the memory mapped so far: the runtime maps what it adds later without
// the mark) and asks the kernel (MADV_COLLAPSE, Linux 6.1 and later) to back
// the 2 MiB around the heap's first objects with one huge page now: the
// pages the rest of the initialisation and a small command touch there are
// already present. papersift --version: 760 page faults and 26 ms before,
// 450-650 and 21 ms after; similar at a million papers 56 -> 46 ms
// (bench/RESULTS.md). It costs at most a few MB of memory (the huge pages'
// untouched parts), and nothing where the kernel refuses (older kernels)
// or papersift does not ask: transparent huge pages set to "never" (which
// MADV_COLLAPSE would not ask), pages other than 4 KiB, 32-bit systems
// (another heap layout), other systems. Where memory is fragmented, the
// kernel may compact it to find the huge page: on such a machine a start
// can be slower, not faster (the reason the Go runtime stopped asking for
// huge pages itself, golang/go#61718).
package hugestart

// Page is the address of the 2 MiB the initialisation asked to be backed by
// a huge page, and Err what the kernel answered (nil: done).
var (
	Page uintptr
	Err  error
)
