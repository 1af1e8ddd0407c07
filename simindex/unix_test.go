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
	if err := Build(ctx, path, 0o644, stamp, 32, 100, scanOf(pids, data, 32, 50)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an hour-old temporary file was left: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary file (a build under way) was removed: %v", err)
	}
}
