package main

import (
	"testing"

	"github.com/papersift/papersift/internal/lazyre"
)

// Every regular expression of the program is compiled at its first use
// (internal/lazyre): this compiles them all, so that a typo fails here and
// not in a reader's hands.
func TestEveryExpressionCompiles(t *testing.T) {
	if n := lazyre.Count(); n < 25 {
		t.Fatalf("only %d expressions registered: are the packages that declare them linked in?", n)
	}
	if err := lazyre.CheckAll(); err != nil {
		t.Fatal(err)
	}
}
