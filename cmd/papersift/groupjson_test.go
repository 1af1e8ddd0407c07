package main

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/internal/textout"
)

// writeGroupJSON writes, cluster by cluster, the very bytes of one
// encoding of the whole, whatever the strings hold.
func TestWriteGroupJSONIsTheWhole(t *testing.T) {
	odd := `a "clusters":null <b> & \ ` + "\u2028 \x01 é"
	for _, r := range []*papersift.Groups{
		{K: 2, List: odd, Model: "local/x", Note: odd, Missing: 3, Silhouette: 0.123, Weak: true,
			Auto: &papersift.AutoK{Criterion: "silhouette", Score: 0.5, Tried: []papersift.Tried{{K: 2, Score: 0.5}}},
			Clusters: []papersift.Cluster{
				{ID: 0, Label: odd, Terms: []string{"x", odd}, Size: 2, Weak: true, Silhouette: -0.2,
					Papers: []papersift.Hit{{ID: "p1", Title: odd, Score: 0.9}, {ID: "p2", Title: "", Score: 1e-7}}},
				{ID: 1, Label: "y", Terms: []string{}, Size: 1, Papers: []papersift.Hit{{ID: "p3", Title: "t", Score: 1}}},
			}},
		{K: 0, Model: "m", Lists: []string{"a", "b"}, Clusters: []papersift.Cluster{}},
		many(37),
	} {
		var want, got bytes.Buffer
		if err := textout.WriteJSON(&want, r, false); err != nil {
			t.Fatal(err)
		}
		if err := writeGroupJSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("streamed:\n%s\nwhole:\n%s", got.Bytes(), want.Bytes())
		}
	}
}

// many is a grouping of k clusters, each different, encoded by several
// goroutines at once.
func many(k int) *papersift.Groups {
	r := &papersift.Groups{K: k, Model: "m"}
	for c := range k {
		cl := papersift.Cluster{ID: c, Label: fmt.Sprint("topic ", c), Terms: []string{fmt.Sprint(c)}, Size: c + 1}
		for i := range c + 1 {
			cl.Papers = append(cl.Papers, papersift.Hit{ID: fmt.Sprintf("p%d.%d", c, i), Title: strings.Repeat("t", i), Score: float64(i) / 7})
		}
		r.Clusters = append(r.Clusters, cl)
	}
	return r
}

// An error in one cluster (a score JSON cannot hold) is returned, whatever
// the others do.
func TestWriteGroupJSONError(t *testing.T) {
	for _, bad := range []int{0, 5, 39} {
		r := many(40)
		r.Clusters[bad].Papers[0].Score = math.NaN()
		var got bytes.Buffer
		if err := writeGroupJSON(&got, r); err == nil {
			t.Fatalf("NaN in cluster %d: no error", bad)
		}
	}
}
