//go:build !linux

package hugestart

import "errors"

func init() { Err = errors.New("huge pages are asked for on Linux only") }
