//go:build unix

package simindex

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO where the index should be neither blocks Open nor is built over;
// temporary files a killed build left are removed once old.
func TestFIFOAndLeftovers(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(8, 9))
	pids, data := corpus(r, 100, 32)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.simidx")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFO here:", err)
	}
	if _, err := Open(fifo, stamp, 32); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a FIFO: %v", err)
	}
	if err := Build(ctx, fifo, 0o644, stamp, 32, 100, scanOf(pids, data, 32, 50)); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("building over a FIFO: %v", err)
	}
	path := filepath.Join(dir, "x.simidx")
	old, fresh := path+".123.tmp", path+".456.tmp"
	for _, f := range []string{old, fresh} {
		if err := os.WriteFile(f, []byte("half a build"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hourAgo := time.Now().Add(-time.Hour)
	os.Chtimes(old, hourAgo, hourAgo)
	mustBuild(t, path, pids, data, 32, 50)
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an hour-old temporary file was left: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary file (a build under way) was removed: %v", err)
	}
}

// mapPrivate maps from any offset (the pages of some machines are larger
// than the file's 4 KiB alignment), and a write never reaches the file.
func TestMapPrivateOffsets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	want := make([]byte, 3*os.Getpagesize()+123)
	for i := range want {
		want[i] = byte(i * 7)
	}
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, off := range []int64{0, 1, 4096, int64(os.Getpagesize()) + 5} {
		b, unmap, err := mapPrivate(f, off, 100)
		if err != nil {
			t.Fatalf("offset %d: %v", off, err)
		}
		if string(b[:100]) != string(want[off:off+100]) {
			t.Fatalf("offset %d: other bytes", off)
		}
		b[0]++
		unmap()
	}
	if got, _ := os.ReadFile(path); string(got) != string(want) {
		t.Fatal("a write to the private map reached the file")
	}
}
