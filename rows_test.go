package papersift

import (
	"testing"

	"github.com/papersift/papersift/store"
)

func TestByPID(t *testing.T) {
	for _, pids := range [][]int64{{1, 2, 3}, {3, 1, 2}, {2, 1, 4, 3, 6, 5}, {9, 8, 7, 6, 5, 4, 3, 2, 1}, {5}, {}} {
		mat := &store.Matrix{Dim: 2, PIDs: append([]int64(nil), pids...)}
		for _, p := range pids {
			mat.Data = append(mat.Data, float32(p), float32(-p))
		}
		byPID(mat)
		for i, p := range mat.PIDs {
			if (i > 0 && mat.PIDs[i-1] >= p) || mat.Row(i)[0] != float32(p) || mat.Row(i)[1] != float32(-p) {
				t.Fatalf("byPID(%v): pids %v, data %v", pids, mat.PIDs, mat.Data)
			}
		}
		if len(mat.PIDs) != len(pids) {
			t.Fatalf("byPID(%v) lost rows", pids)
		}
	}
}
