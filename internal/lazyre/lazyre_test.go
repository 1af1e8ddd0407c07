package lazyre

import (
	"regexp"
	"sync"
	"testing"
)

func TestSameAsRegexp(t *testing.T) {
	const expr = `(?i)\b(ab+)(c?)\b`
	lazy, eager := New(expr), regexp.MustCompile(expr)
	if lazy.re != nil {
		t.Fatal("compiled before its first use")
	}
	for _, s := range []string{"", "ab", "x ABBc y abc", "zab", "ab abbc"} {
		if lazy.MatchString(s) != eager.MatchString(s) || lazy.Match([]byte(s)) != eager.Match([]byte(s)) {
			t.Errorf("%q: match differs", s)
		}
		if lazy.FindString(s) != eager.FindString(s) {
			t.Errorf("%q: FindString differs", s)
		}
		if a, b := lazy.FindStringSubmatch(s), eager.FindStringSubmatch(s); len(a) != len(b) || (len(a) > 0 && a[1] != b[1]) {
			t.Errorf("%q: FindStringSubmatch %q, want %q", s, a, b)
		}
		if a, b := lazy.FindAllStringSubmatchIndex(s, -1), eager.FindAllStringSubmatchIndex(s, -1); len(a) != len(b) {
			t.Errorf("%q: FindAllStringSubmatchIndex %v, want %v", s, a, b)
		}
		if a, b := lazy.ReplaceAllString(s, "<$1>"), eager.ReplaceAllString(s, "<$1>"); a != b {
			t.Errorf("%q: ReplaceAllString %q, want %q", s, a, b)
		}
	}
	if lazy.String() != expr {
		t.Errorf("String() = %q", lazy.String())
	}
}

func TestConcurrentFirstUse(t *testing.T) {
	r := New(`^a+$`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if !r.MatchString("aaa") {
				t.Error("no match")
			}
		})
	}
	wg.Wait()
}

func TestInvalidPanicsAtUse(t *testing.T) {
	r := New(`(`)
	defer func() {
		if recover() == nil {
			t.Error("an invalid expression did not panic at its first use")
		}
	}()
	r.MatchString("x")
}

func TestCheckAll(t *testing.T) {
	mu.Lock()
	saved := made
	made = nil // the other tests' expressions (one is invalid on purpose)
	mu.Unlock()
	defer func() { mu.Lock(); made = saved; mu.Unlock() }()
	New(`a+b`)
	if err := CheckAll(); err != nil || Count() != 1 {
		t.Fatalf("CheckAll of one valid expression: %v (count %d)", err, Count())
	}
	New(`a(b`)
	if err := CheckAll(); err == nil || Count() != 2 {
		t.Fatalf("CheckAll passed an invalid expression (count %d)", Count())
	}
}
