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
	all := map[int64]string{}
	if err := s.EachTitle(ctx, func(pid int64, t string) { all[pid] = t }); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(all, title) {
		t.Errorf("EachTitle = %v, want %v", all, title)
	}
	for _, ask := range [][]int64{{pids[3], pids[0], pids[17], pids[39], 99999}, {}, nil} { // 99999: no such paper
		var got []int64
		if err := s.TitlesOf(ctx, ask, func(pid int64, tl string) {
			got = append(got, pid)
			if tl != title[pid] {
				t.Errorf("TitlesOf: %q for paper %d, want %q", tl, pid, title[pid])
			}
		}); err != nil {
			t.Fatal(err)
		}
		var want []int64
		for _, p := range ask {
			if _, ok := title[p]; ok {
				want = append(want, p)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("TitlesOf(%v) gave papers %v, want %v", ask, got, want)
		}
	}
}
