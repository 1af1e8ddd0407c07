package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
)

func TestEachNameAndEachTitle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var ps []Row
	for i := range 40 {
		// ids out of the pids' order
		ps = append(ps, mkPaper(fmt.Sprintf("p%02d", (i*17)%40), fmt.Sprintf("Title %d", i), fmt.Sprintf("Abstract %d.", i)))
	}
	if _, err := s.Ingest(ctx, []Batch{{List: "l", Papers: ps}}); err != nil {
		t.Fatal(err)
	}
	title := map[int64]string{}
	var ids []string
	if err := s.EachName(ctx, func(pid int64, id string) {
		ids = append(ids, id)
		title[pid] = ""
	}); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 40 || !slices.IsSorted(ids) {
		t.Fatalf("EachName gave %d ids, sorted %v: %v", len(ids), slices.IsSorted(ids), ids)
	}
	rows, err := s.PapersByPID(ctx, slices.Sorted(maps.Keys(title)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		title[r.PID] = r.Title
	}
	pids := slices.Sorted(maps.Keys(title))
	some := []int64{pids[3], pids[0], pids[17], pids[39], 99999} // 99999: no such paper
	defer func(old int) { titleScanFrom = old }(titleScanFrom)
	for _, scanFrom := range []int{20000, 2} { // by key, then by one scan with a filter
		titleScanFrom = scanFrom
		for _, ask := range [][]int64{nil, some, {}} {
			got := map[int64]string{}
			if err := s.EachTitle(ctx, ask, func(pid int64, t string) { got[pid] = t }); err != nil {
				t.Fatal(err)
			}
			want := map[int64]string{}
			if ask == nil {
				want = title
			}
			for _, p := range ask {
				if t, ok := title[p]; ok {
					want[p] = t
				}
			}
			if !maps.Equal(got, want) {
				t.Errorf("scan from %d, EachTitle(%v) = %v, want %v", scanFrom, ask, got, want)
			}
		}
	}
}
