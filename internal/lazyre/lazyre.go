// Package lazyre is a regular expression compiled at its first use rather
// than when the program starts.
//
// Every package-level regexp.MustCompile runs at start-up, in every command:
// on the machines papersift is measured on, the memory that compiling them
// touches costs each process about a millisecond before it does any work.
// A Regexp of this package is declared the same way and compiled once, by
// the first call that needs it (safe for concurrent use).
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled at its first use.
type Regexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

// New returns expr, to be compiled at its first use; an invalid expression
// panics then, as regexp.MustCompile would at start-up (a test that uses it
// catches it).
func New(expr string) *Regexp {
	r := &Regexp{expr: expr}
	mu.Lock()
	made = append(made, r)
	mu.Unlock()
	return r
}

var (
	mu   sync.Mutex
	made []*Regexp // every expression of the program, for CheckAll
)

// CheckAll compiles every expression made so far (in a test of a program
// whose packages declare them: a typo fails there, not at a reader's
// first use) and returns the first error.
func CheckAll() error {
	mu.Lock()
	defer mu.Unlock()
	for _, r := range made {
		if _, err := regexp.Compile(r.expr); err != nil {
			return err
		}
	}
	return nil
}

// Count is the number of expressions made so far.
func Count() int {
	mu.Lock()
	defer mu.Unlock()
	return len(made)
}

// Regexp is the compiled expression.
func (r *Regexp) Regexp() *regexp.Regexp {
	r.once.Do(func() { r.re = regexp.MustCompile(r.expr) })
	return r.re
}

// String is the source text of the expression.
func (r *Regexp) String() string { return r.expr }

// MatchString is regexp.Regexp.MatchString.
func (r *Regexp) MatchString(s string) bool { return r.Regexp().MatchString(s) }

// Match is regexp.Regexp.Match.
func (r *Regexp) Match(b []byte) bool { return r.Regexp().Match(b) }

// FindString is regexp.Regexp.FindString.
func (r *Regexp) FindString(s string) string { return r.Regexp().FindString(s) }

// FindStringSubmatch is regexp.Regexp.FindStringSubmatch.
func (r *Regexp) FindStringSubmatch(s string) []string { return r.Regexp().FindStringSubmatch(s) }

// FindAllStringSubmatchIndex is regexp.Regexp.FindAllStringSubmatchIndex.
func (r *Regexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return r.Regexp().FindAllStringSubmatchIndex(s, n)
}

// ReplaceAllString is regexp.Regexp.ReplaceAllString.
func (r *Regexp) ReplaceAllString(src, repl string) string {
	return r.Regexp().ReplaceAllString(src, repl)
}
