package digest

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Projection places the papers' vectors on a plane: on their first two
// principal components (Project), or on a map that keeps neighbours and
// topics together (Layout).
type Projection struct {
	// Points holds one (x, y) per row of the data, in the data's order.
	Points [][2]float64
	// Explained is the share of the total variance along each axis, in
	// [0, 1] (zero for Layout, whose axes mean nothing by themselves).
	Explained [2]float64
}

// ErrDimension is returned when the data is not a whole number of rows.
var ErrDimension = errors.New("digest: data length is not a multiple of the dimension")

// Project returns the projection of the rows of data (n×dim, row-major) on
// their first two principal components (gonum's stat.PC). Each axis's sign
// is fixed so that its largest loading is positive: the same data always
// gives the same map. Fewer than two distinct rows put every point at the
// origin.
func Project(data []float32, dim int) (*Projection, error) {
	if dim <= 0 || len(data)%dim != 0 {
		return nil, fmt.Errorf("%w (%d values, dimension %d)", ErrDimension, len(data), dim)
	}
	n := len(data) / dim
	p := &Projection{Points: make([][2]float64, n)}
	if n < 2 {
		return p, nil
	}
	x := mat.NewDense(n, dim, nil)
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		for j, v := range data[i*dim : (i+1)*dim] {
			row[j] = float64(v)
		}
	}
	var pc stat.PC
	if !pc.PrincipalComponents(x, nil) {
		return nil, errors.New("digest: principal components did not converge")
	}
	vars := pc.VarsTo(nil)
	total := 0.0
	for _, v := range vars {
		total += v
	}
	if total <= 0 || math.IsNaN(total) {
		return p, nil // every row is the same point
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	_, nc := vecs.Dims()
	axes := min(2, nc)
	// centre the data: the projection of a centred row is its score
	means := make([]float64, dim)
	for j := range means {
		means[j] = stat.Mean(mat.Col(nil, j, x), nil)
	}
	for a := 0; a < axes; a++ {
		v := mat.Col(nil, a, &vecs)
		big := 0
		for j := range v {
			if math.Abs(v[j]) > math.Abs(v[big]) {
				big = j
			}
		}
		sign := 1.0
		if v[big] < 0 {
			sign = -1
		}
		for i := 0; i < n; i++ {
			s := 0.0
			for j, xv := range x.RawRowView(i) {
				s += (xv - means[j]) * v[j]
			}
			p.Points[i][a] = sign * s
		}
		p.Explained[a] = vars[a] / total
	}
	return p, nil
}
