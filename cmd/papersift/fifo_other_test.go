//go:build !unix

package main

import "testing"

// mkfifo: no named pipes here.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	t.Skip("no named pipes on this system")
}
