package hugeheap

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// anonHuge returns the AnonHugePages (kB) of the mappings that overlap
// [addr, addr+size).
func anonHuge(t *testing.T, addr, size uintptr) int {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
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
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}

// After Reserve, the heap's next large allocation is backed by huge pages
// as it is touched (where the system gives them only to memory asking).
func TestReserveGivesHugePages(t *testing.T) {
	if !madviseMode() {
		t.Skip("transparent_hugepage is not in madvise mode here")
	}
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
		t.Errorf("AnonHugePages of the allocation's mapping: %d kB, want most of its 64 MB", kb)
	}
}
