//go:build !linux || !(amd64 || arm64 || riscv64 || ppc64le || s390x || loong64)

package hugestart

import "errors"

func init() { Err = errors.New("huge pages are asked for on 64-bit Linux only") }
