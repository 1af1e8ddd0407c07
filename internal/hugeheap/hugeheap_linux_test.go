package hugeheap

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/papersift/papersift/internal/hugestart"
)

// anonHuge returns the AnonHugePages (kB) of the mappings that overlap
// [addr, addr+size).
func anonHuge(t *testing.T, addr, size uintptr) int {
	kb, err := anonHugeKB(addr, size)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

func anonHugeKB(addr, size uintptr) (int, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in, total := false, 0
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 {
			in = lo < addr+size && addr < hi
			continue
		}
		if kb := 0; in && strings.HasPrefix(line, "AnonHugePages:") {
			fmt.Sscanf(strings.TrimPrefix(line, "AnonHugePages:"), "%d", &kb)
			total += kb
		}
	}
	return total, sc.Err()
}

// hugePagesAvailable reports whether the kernel backs a region marked
// MADV_HUGEPAGE with huge pages now (it may not: fragmented memory, or
// defrag settings that never wait for them).
func hugePagesAvailable(t *testing.T) bool {
	m, err := syscall.Mmap(-1, 0, 8<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	if err := syscall.Madvise(m, syscall.MADV_HUGEPAGE); err != nil {
		return false
	}
	for i := 0; i < len(m); i += 4096 {
		m[i] = 1
	}
	return anonHuge(t, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m))) > 0
}

// rss is the process's resident memory in bytes.
func rss(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip(err)
	}
	var size, res int
	fmt.Sscan(string(b), &size, &res)
	return res * os.Getpagesize()
}

// After Reserve, the heap's next large allocation is backed by huge pages
// as it is touched (where the system gives them only to memory asking).
func TestReserveGivesHugePages(t *testing.T) {
	if !madviseMode() {
		t.Skip("transparent_hugepage is not in madvise mode here")
	}
	if !hugePagesAvailable(t) {
		t.Skip("the kernel gives no huge pages now, even to memory marked for them")
	}
	defer func() { reserved = 0 }()
	Reserve(256 << 20)
	if reserved != 256<<20 {
		t.Fatalf("reserved %d", reserved)
	}
	Reserve(Most) // once a process
	if reserved != 256<<20 {
		t.Fatalf("a second reservation: %d", reserved)
	}
	b := make([]byte, 64<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	kb := anonHuge(t, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if kb < 32<<10 {
		t.Errorf("AnonHugePages of the allocation's mappings: %d kB, want most of its 64 MB", kb)
	}
}

// Reserve touches nothing, even when the heap holds free memory not yet
// returned to the system (which the runtime would zero, page by page, in
// a span that takes it).
func TestReserveTouchesNothing(t *testing.T) {
	if !madviseMode() {
		t.Skip("transparent_hugepage is not in madvise mode here")
	}
	defer func() { reserved = 0 }()
	reserved = 0
	for r := 0; r < 6; r++ {
		garbage := make([]byte, 40<<20)
		for i := 0; i < len(garbage); i += 4096 {
			garbage[i] = 1
		}
		runtime.KeepAlive(garbage)
		garbage = nil
		runtime.GC() // free, still resident
		before := rss(t)
		reserved = 0
		Reserve(256 << 20)
		if grew := rss(t) - before; grew > 24<<20 {
			t.Fatalf("a reservation of 256 MB made %d MB resident", grew>>20)
		}
	}
}

// startHuge is the AnonHugePages (kB) of the heap's first 2 MiB as the
// tests start (later, a test's FreeOSMemory may split the page), or the
// error reading them.
var startHuge, startHugeErr = anonHugeKB(hugestart.Page, hugePage)

// Package hugestart's initialisation backs the 2 MiB of the heap's first
// objects with a huge page (where the kernel has MADV_COLLAPSE and gives
// huge pages at all).
func TestStartCollapsesTheHeapsFirstPage(t *testing.T) {
	if hugestart.Err != nil {
		t.Skipf("the kernel did not collapse the heap's first 2 MiB: %v", hugestart.Err)
	}
	if hugestart.Page == 0 || hugestart.Page%hugePage != 0 {
		t.Fatalf("hugestart.Page = %#x, want a 2 MiB boundary", hugestart.Page)
	}
	if startHugeErr != nil {
		t.Skip(startHugeErr)
	}
	if startHuge < 2048 {
		t.Errorf("AnonHugePages of the heap's first 2 MiB as the tests started: %d kB, want 2048", startHuge)
	}
}
