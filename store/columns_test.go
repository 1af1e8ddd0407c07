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

// FillLists gives a paper its lists in name order, by one scan of every
// list's papers or, for a few papers, by looking each up: the same lists.
func TestFillListsFewAndMany(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var all []Row
	for i := range 600 {
		all = append(all, mkPaper(fmt.Sprintf("q%03d", i), fmt.Sprintf("T %d", i), fmt.Sprintf("A %d.", i)))
	}
	// every paper in "all"; every third in "b-third"; every fifth in "a-fifth"
	batches := []Batch{{List: "all", Papers: all}}
	var third, fifth []Row
	for i, p := range all {
		if i%3 == 0 {
			third = append(third, p)
		}
		if i%5 == 0 {
			fifth = append(fifth, p)
		}
	}
	batches = append(batches, Batch{List: "b-third", Papers: third}, Batch{List: "a-fifth", Papers: fifth})
	if _, err := s.Ingest(ctx, batches); err != nil {
		t.Fatal(err)
	}
	many, err := s.Papers(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(many) != 600 {
		t.Fatalf("%d papers, want 600", len(many))
	}
	lists := map[string][]string{}
	for _, p := range many {
		lists[p.ID] = p.Lists
	}
	for _, id := range []string{"q000", "q003", "q005", "q007", "q015"} {
		var n int
		fmt.Sscanf(id, "q%d", &n)
		want := []string{}
		if n%5 == 0 {
			want = append(want, "a-fifth")
		}
		want = append(want, "all")
		if n%3 == 0 {
			want = append(want, "b-third")
		}
		if !slices.Equal(lists[id], want) {
			t.Errorf("paper %s (scan of every list): lists %v, want %v", id, lists[id], want)
		}
	}
	few, err := s.Papers(ctx, Filter{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(few) != 20 {
		t.Fatalf("%d papers with limit 20", len(few))
	}
	for _, p := range few {
		if !slices.Equal(p.Lists, lists[p.ID]) {
			t.Errorf("paper %s: lists %v looked up, %v by the scan", p.ID, p.Lists, lists[p.ID])
		}
	}
}
