// Package hugeheap lets the Go heap of a command that is about to allocate
// much memory be backed by transparent huge pages.
//
// Every first touch of a 4 KiB page of fresh memory traps to the kernel;
// on a virtual machine with paravirtualised page tables (the Firecracker
// microVMs our measurements run on) that costs 13-18 us a page: 110 ms for
// 32 MB. Linux backs memory with 2 MiB pages, one trap each, where a
// program asks for them (transparent_hugepage "madvise", the default of
// many distributions) or everywhere ("always"): the same 32 MB in 2 ms, or
// in 70 ms when the host has not yet backed the guest's memory. The Go
// runtime no longer asks (since Go 1.21.1), and has no setting for it.
//
// Reserve returns the heap's free memory to the system, grows the heap by
// one large allocation, marks its address range MADV_HUGEPAGE, and frees it
// at once (two garbage collections: 6-10 ms in all): the runtime then
// places the command's next allocations in that range, which the kernel
// backs with huge pages as they are touched. Nothing is touched by Reserve
// itself, so it costs no memory. Memory the runtime later returns to the
// system only splits its huge pages, which the kernel frees under memory
// pressure: a command that turns over much garbage keeps more resident. On
// 64,930 abstracts, group --all -k 50 faulted 3,400 pages instead of
// 20,000 (1.05 s -> 0.85 s), and on 1,000,000 papers queue --all took
// 1.4 s instead of 1.9 s (see bench/RESULTS.md).
package hugeheap

import "sync"

var (
	mu       sync.Mutex
	reserved int
)

// Most is the largest reservation: below the commands' soft memory limit
// (896 MB).
const Most = 512 << 20

// Reserve makes the next n bytes (at most Most) of the heap's growth
// eligible for huge pages, when the system backs memory with them only
// where asked. A process reserves once: a later call for more than the
// first reserves nothing more.
func Reserve(n int) {
	mu.Lock()
	defer mu.Unlock()
	if reserved > 0 || n <= 0 || !madviseMode() {
		return
	}
	reserved = min(n, Most)
	reserve(reserved)
}
