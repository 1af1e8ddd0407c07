//go:build !linux

package hugeheap

func madviseMode() bool { return false }

func reserve(int) {}
