package main

import (
	"math"
	"time"

	"github.com/urfave/cli/v2"
)

// The documented ranges of the numeric flags: a value outside its range is
// wrong usage (exit 2); a value inside it always works (a -k larger than
// the corpus gives every paper).
const (
	maxTimeout     = 24 * time.Hour
	maxDimensions  = 65536
	maxBatch       = 10000
	maxTokens      = 10_000_000
	maxConcurrency = 64
	maxRetries     = 100
	minHalfLife    = 0.1     // days
	maxHalfLife    = 100_000 // days
)

// dash is how a flag is written: -k, --max-size.
func dash(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// intIn reads an int flag that must lie in [lo, hi].
func intIn(c *cli.Context, name string, lo, hi int) (int, error) {
	v := c.Int(name)
	if v < lo || v > hi {
		if hi == math.MaxInt {
			return 0, usagef("%s %d: give a whole number of at least %d", dash(name), v, lo)
		}
		return 0, usagef("%s %d: give a whole number from %d to %d", dash(name), v, lo, hi)
	}
	return v, nil
}

// durationIn reads a duration flag that must be positive and at most 24h.
func durationIn(c *cli.Context, name string) (time.Duration, error) {
	v := c.Duration(name)
	if v <= 0 || v > maxTimeout {
		return 0, usagef("%s %s: give a positive duration of at most 24h (e.g. 30s, 2m)", dash(name), v)
	}
	return v, nil
}

// finite reports whether x is a number (not NaN, not infinite).
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
