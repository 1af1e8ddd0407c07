package papersift_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/papersift/papersift"
)

// hfDays are the Hugging Face Daily Papers days of ../shared.
func hfDays(t *testing.T) []string {
	t.Helper()
	days, _ := filepath.Glob(filepath.Join("..", "shared", "data", "hf-json", "*.json"))
	if len(days) < 4 {
		t.Skip("../shared/data/hf-json is absent: the stability test needs its Daily Papers days")
	}
	return days
}

// TestStableTopics is issue 13's stability check: ingest one day alone,
// group it (-k 4 --seed 1), ingest three other days, group the first day
// again: the adjusted Rand index of the two groupings is at least 0.8, for
// every choice of days.
func TestStableTopics(t *testing.T) {
	days := hfDays(t)
	ctx := context.Background()
	group := func(l *papersift.Library, list string) map[string]int {
		t.Helper()
		g, err := l.Group(ctx, papersift.GroupOptions{Scope: papersift.ListScope(list), K: 4, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		at := map[string]int{}
		for _, c := range g.Clusters {
			for _, p := range c.Papers {
				at[p.ID] = c.ID
			}
		}
		return at
	}
	worst := 1.0
	for i, first := range days {
		var others []string
		for j, d := range days {
			if j != i {
				others = append(others, d)
			}
		}
		for a := 0; a < len(others); a++ {
			for b := a + 1; b < len(others); b++ {
				for c := b + 1; c < len(others); c++ {
					l, err := papersift.New(papersift.Config{DB: filepath.Join(t.TempDir(), "p.db"), Events: &events{},
						Now: func() time.Time { return time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC) }})
					if err != nil {
						t.Fatal(err)
					}
					res, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{first}})
					if err != nil {
						t.Fatal(err)
					}
					before := group(l, res.List)
					if _, err := l.Ingest(ctx, papersift.IngestOptions{Sources: []string{others[a], others[b], others[c]}}); err != nil {
						t.Fatal(err)
					}
					after := group(l, res.List)
					l.Close()
					var x, y []int
					for id, c := range before {
						x, y = append(x, c), append(y, after[id])
					}
					ari := adjustedRand(x, y)
					worst = min(worst, ari)
					if ari < 0.8 {
						t.Errorf("%s, then %s: ARI %.3f", filepath.Base(first),
							strings.Join([]string{filepath.Base(others[a]), filepath.Base(others[b]), filepath.Base(others[c])}, ", "), ari)
					}
				}
			}
		}
	}
	t.Logf("lowest ARI over every choice of days: %.3f", worst)
}

// adjustedRand is the adjusted Rand index of two labellings of the same
// items (Hubert and Arabie).
func adjustedRand(x, y []int) float64 {
	type pair struct{ a, b int }
	n := len(x)
	cells, rows, cols := map[pair]int{}, map[int]int{}, map[int]int{}
	for i := range x {
		cells[pair{x[i], y[i]}]++
		rows[x[i]]++
		cols[y[i]]++
	}
	c2 := func(k int) float64 { return float64(k) * float64(k-1) / 2 }
	var index, sa, sb float64
	for _, k := range cells {
		index += c2(k)
	}
	for _, k := range rows {
		sa += c2(k)
	}
	for _, k := range cols {
		sb += c2(k)
	}
	expected := sa * sb / c2(n)
	maxIndex := (sa + sb) / 2
	if maxIndex == expected {
		return 1
	}
	return (index - expected) / (maxIndex - expected)
}

func TestAdjustedRand(t *testing.T) {
	if r := adjustedRand([]int{0, 0, 1, 1}, []int{5, 5, 7, 7}); r != 1 {
		t.Errorf("same partition, other names: %v", r)
	}
	if r := adjustedRand([]int{0, 0, 1, 1, 2, 2}, []int{0, 1, 2, 0, 1, 2}); r >= 0 {
		t.Errorf("crossed partitions: %v, want below 0", r)
	}
}
