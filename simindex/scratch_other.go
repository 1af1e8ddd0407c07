//go:build !linux

package simindex

// scratch is n bytes of fresh memory for the first pass's buffers.
func scratch(n int) ([]byte, func()) { return alignedBytes(n), func() {} }
