package digest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/papersift/papersift/internal/parallel"
)

// LayoutOptions tune Layout. The zero value means the defaults.
type LayoutOptions struct {
	// Max is the most papers laid out by t-SNE (default 500; its cost grows
	// with the square: about a second for 500 on two cores). Beyond it a sample is laid out: each topic's first
	// rows, in proportion to the topic's size; every other row is placed
	// among the most similar sampled rows of its topic.
	Max int
	// Perplexity is t-SNE's effective number of neighbours (default: 30,
	// or a third of the papers when there are fewer than 91).
	Perplexity float64
	// TopicGap is added to the squared distance between two papers of
	// different topics (unit vectors are between 0 and 4 apart), so that
	// the map keeps the topics apart. Default 0.5; negative means 0 (the
	// vectors alone).
	TopicGap float64
}

// Layout parameters (van der Maaten 2008; the early exaggeration, momentum
// and gains of scikit-learn's exact t-SNE).
const (
	defaultMaxLayout = 500
	defaultTopicGap  = 0.5
	exaggeration     = 12.0
	exaggerateIters  = 250
	layoutIters      = 750
	minGain          = 0.01
)

// ErrTopics is returned when the topics do not match the data's rows.
var ErrTopics = errors.New("digest: one topic per row is needed")

// ErrNotFinite is returned for data holding a NaN or an infinity.
var ErrNotFinite = errors.New("digest: data holds a value that is not finite")

// Layout places the rows of data (n×dim, row-major) on a plane for the map:
// t-SNE (exact gradient) on the rows' cosine distances, papers of different
// topics pushed apart by opt.TopicGap, so that papers with similar abstracts
// lie together and topics form separate islands. topic[i] is row i's topic.
//
// The rows are normalised (a zero row is as far from every row as two
// orthogonal ones). There is no randomness: t-SNE starts from the principal
// components, so the same data gives the same points, bit for bit, on a given
// platform. The result is turned so that its longer side is horizontal.
// Projection.Explained is zero: the axes mean nothing by themselves.
func Layout(ctx context.Context, data []float32, dim int, topic []int, opt LayoutOptions) (*Projection, error) {
	if dim <= 0 || len(data)%dim != 0 {
		return nil, fmt.Errorf("%w (%d values, dimension %d)", ErrDimension, len(data), dim)
	}
	n := len(data) / dim
	if len(topic) != n {
		return nil, fmt.Errorf("%w (%d rows, %d topics)", ErrTopics, n, len(topic))
	}
	for _, v := range data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, ErrNotFinite
		}
	}
	if opt.Max <= 0 {
		opt.Max = defaultMaxLayout
	}
	gap := opt.TopicGap
	switch {
	case gap == 0:
		gap = defaultTopicGap
	case gap < 0 || math.IsNaN(gap):
		gap = 0
	}
	p := &Projection{Points: make([][2]float64, n)}
	if n < 2 {
		return p, nil
	}
	rows := layoutSample(topic, opt.Max)
	m := len(rows)
	x := make([]float64, m*dim)
	for s, r := range rows {
		unit(x[s*dim:(s+1)*dim], data[r*dim:(r+1)*dim])
	}
	tp := make([]int, m)
	for s, r := range rows {
		tp[s] = topic[r]
	}
	perp := opt.Perplexity
	if perp <= 0 || math.IsNaN(perp) {
		perp = min(30, float64(m-1)/3)
	}
	perp = max(1, min(perp, float64(m-1)))
	P, err := affinities(ctx, x, dim, tp, gap, perp)
	if err != nil {
		return nil, err
	}
	y, err := initial(x, dim)
	if err != nil {
		return nil, err
	}
	if err := tsne(ctx, P, y); err != nil {
		return nil, err
	}
	orient(y, tp)
	for s, r := range rows {
		p.Points[r] = [2]float64{y[2*s], y[2*s+1]}
	}
	if m < n {
		placeRest(data, dim, topic, rows, x, y, p.Points)
	}
	return p, nil
}

// unit writes v normalised into dst (zero stays zero).
func unit(dst []float64, v []float32) {
	ss := 0.0
	for j, f := range v {
		dst[j] = float64(f)
		ss += dst[j] * dst[j]
	}
	if ss == 0 {
		return
	}
	inv := 1 / math.Sqrt(ss)
	for j := range dst {
		dst[j] *= inv
	}
}

// layoutSample returns the rows to lay out, ascending: all of them when
// there are at most max, else each topic's first rows, the topic's share of
// max by the largest remainder (ties to the earlier topic), at least one
// each while max allows.
func layoutSample(topic []int, max int) []int {
	n := len(topic)
	if n <= max {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		return rows
	}
	size := map[int]int{}
	for _, t := range topic {
		size[t]++
	}
	ts := make([]int, 0, len(size))
	for t := range size {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	quota := map[int]int{}
	type rem struct{ t, r int }
	var rems []rem
	left := max
	for _, t := range ts {
		q := size[t] * max / n
		quota[t] = q
		left -= q
		rems = append(rems, rem{t, size[t] * max % n})
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return b.r - a.r })
	for i := 0; left > 0 && i < len(rems); i++ {
		quota[rems[i].t]++
		left--
	}
	// a topic left out takes one row from the largest quota
	for _, t := range ts {
		if quota[t] > 0 {
			continue
		}
		big := ts[0]
		for _, u := range ts {
			if quota[u] > quota[big] {
				big = u
			}
		}
		if quota[big] <= 1 {
			break
		}
		quota[big]--
		quota[t] = 1
	}
	var rows []int
	for i, t := range topic {
		if quota[t] > 0 {
			quota[t]--
			rows = append(rows, i)
		}
	}
	return rows
}

// affinities returns t-SNE's joint probabilities (m×m, symmetric, summing
// to 1) from the rows' squared distances 2(1-cos), plus gap between topics,
// each row's bandwidth found by bisection to match the perplexity.
func affinities(ctx context.Context, x []float64, dim int, topic []int, gap, perp float64) ([]float64, error) {
	m := len(topic)
	cond := make([]float64, m*m)
	target := math.Log(perp)
	err := parallel.For(ctx, m, func(lo, hi int) {
		d := make([]float64, m)
		for i := lo; i < hi; i++ {
			xi := x[i*dim : (i+1)*dim]
			dmin := math.Inf(1)
			for j := 0; j < m; j++ {
				if j == i {
					continue
				}
				xj := x[j*dim : (j+1)*dim]
				c := 0.0
				for k, v := range xi {
					c += v * xj[k]
				}
				d[j] = max(0, 2*(1-c))
				if topic[i] != topic[j] {
					d[j] += gap
				}
				dmin = min(dmin, d[j])
			}
			row := cond[i*m : (i+1)*m]
			bandwidth(row, d, i, dmin, target)
		}
	})
	if err != nil {
		return nil, err
	}
	P := make([]float64, m*m)
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			if i != j {
				P[i*m+j] = max((cond[i*m+j]+cond[j*m+i])/float64(2*m), 1e-12)
			}
		}
	}
	return P, nil
}

// bandwidth fills row with p(j|i) ∝ exp(-beta (d_j - dmin)), beta bisected
// until the entropy is the target (natural logarithm of the perplexity).
func bandwidth(row, d []float64, i int, dmin, target float64) {
	beta, lo, hi := 1.0, 0.0, math.Inf(1)
	for it := 0; it < 100; it++ {
		sum, sdp := 0.0, 0.0
		for j := range row {
			if j == i {
				row[j] = 0
				continue
			}
			e := d[j] - dmin
			row[j] = math.Exp(-beta * e)
			sum += row[j]
			sdp += e * row[j]
		}
		h := math.Log(sum) + beta*sdp/sum
		for j := range row {
			row[j] /= sum
		}
		diff := h - target
		if math.Abs(diff) < 1e-6 {
			return
		}
		if diff > 0 { // too flat: narrow the kernel
			lo = beta
			if math.IsInf(hi, 1) {
				beta *= 2
			} else {
				beta = (beta + hi) / 2
			}
		} else {
			hi = beta
			beta = (beta + lo) / 2
		}
	}
}

// initial is t-SNE's starting point: the rows' first two principal
// components, scaled to a standard deviation of 1e-4 along the first.
func initial(x []float64, dim int) ([]float64, error) {
	f := make([]float32, len(x))
	for i, v := range x {
		f[i] = float32(v)
	}
	pr, err := Project(f, dim)
	if err != nil {
		return nil, err
	}
	m := len(pr.Points)
	y := make([]float64, 2*m)
	ss := 0.0
	for i, pt := range pr.Points {
		y[2*i], y[2*i+1] = pt[0], pt[1]
		ss += pt[0] * pt[0]
	}
	if sd := math.Sqrt(ss / float64(m)); sd > 0 {
		for i := range y {
			y[i] *= 1e-4 / sd
		}
	}
	return y, nil
}

// tsne runs gradient descent on y (m points, x and y interleaved) against
// the joint probabilities P.
func tsne(ctx context.Context, P, y []float64) error {
	m := len(y) / 2
	lr := max(float64(m)/exaggeration/4, 50)
	attr := make([]float64, 2*m)
	rep := make([]float64, 2*m)
	upd := make([]float64, 2*m)
	gains := make([]float64, 2*m)
	for i := range gains {
		gains[i] = 1
	}
	const parts = 16
	zs := make([]float64, parts)
	for it := 0; it < layoutIters; it++ {
		ex, mom := 1.0, 0.8
		if it < exaggerateIters {
			ex, mom = exaggeration, 0.5
		}
		// each part owns its rows' sums and its share of Z; the shares are
		// added in part order, whatever the number of cores
		err := parallel.Fixed(ctx, m, parts, func(part, lo, hi int) {
			z := 0.0
			for i := lo; i < hi; i++ {
				yx, yy := y[2*i], y[2*i+1]
				pi := P[i*m : (i+1)*m]
				var ax, ay, rx, ry float64
				for j := 0; j < m; j++ {
					if j == i {
						continue
					}
					dx, dy := yx-y[2*j], yy-y[2*j+1]
					q := 1 / (1 + dx*dx + dy*dy)
					z += q
					pq := pi[j] * q
					ax += pq * dx
					ay += pq * dy
					q2 := q * q
					rx += q2 * dx
					ry += q2 * dy
				}
				attr[2*i], attr[2*i+1] = ax, ay
				rep[2*i], rep[2*i+1] = rx, ry
			}
			zs[part] = z
		})
		if err != nil {
			return err
		}
		z := 0.0
		for _, v := range zs {
			z += v
		}
		var cx, cy float64
		for k := range y {
			g := 4 * (ex*attr[k] - rep[k]/z)
			if (g > 0) != (upd[k] > 0) {
				gains[k] += 0.2
			} else {
				gains[k] = max(gains[k]*0.8, minGain)
			}
			upd[k] = mom*upd[k] - lr*gains[k]*g
			y[k] += upd[k]
			if k%2 == 0 {
				cx += y[k]
			} else {
				cy += y[k]
			}
		}
		cx, cy = cx/float64(m), cy/float64(m)
		for i := 0; i < m; i++ {
			y[2*i] -= cx
			y[2*i+1] -= cy
		}
	}
	return nil
}

// orient turns y (interleaved points) to its principal axes, the longer
// one horizontal, and mirrors it so that the first point of the first topic
// lies left of the centre, and its first topic's mean above it.
func orient(y []float64, topic []int) {
	m := len(y) / 2
	var sxx, syy, sxy float64
	for i := 0; i < m; i++ {
		x, v := y[2*i], y[2*i+1]
		sxx += x * x
		syy += v * v
		sxy += x * v
	}
	theta := 0.5 * math.Atan2(2*sxy, sxx-syy)
	c, s := math.Cos(theta), math.Sin(theta)
	for i := 0; i < m; i++ {
		x, v := y[2*i], y[2*i+1]
		y[2*i], y[2*i+1] = c*x+s*v, -s*x+c*v
	}
	var mx, my float64
	for i := 0; i < m; i++ {
		if topic[i] == topic[0] {
			mx += y[2*i]
			my += y[2*i+1]
		}
	}
	if mx > 0 {
		for i := 0; i < m; i++ {
			y[2*i] = -y[2*i]
		}
	}
	if my < 0 {
		for i := 0; i < m; i++ {
			y[2*i+1] = -y[2*i+1]
		}
	}
}

// placeRest places each row left out of the sample among the sampled rows
// of its topic (of any topic when its topic has none): at the mean of its
// three most similar ones' places, weighted by similarity, nudged along a
// spiral so that two rows never coincide.
func placeRest(data []float32, dim int, topic, rows []int, x, y []float64, pts [][2]float64) {
	byTopic := map[int][]int{} // sample indices by topic
	for s, r := range rows {
		byTopic[topic[r]] = append(byTopic[topic[r]], s)
	}
	all := make([]int, len(rows))
	for s := range all {
		all[s] = s
	}
	// the spiral's step: a small share of the map's extent
	var minX, maxX float64
	for s := range rows {
		minX, maxX = min(minX, y[2*s]), max(maxX, y[2*s])
	}
	step := (maxX - minX) / 1000
	v := make([]float64, dim)
	in, k := 0, 0
	for i := range topic {
		if in < len(rows) && rows[in] == i {
			in++
			continue
		}
		unit(v, data[i*dim:(i+1)*dim])
		cand := byTopic[topic[i]]
		if len(cand) == 0 {
			cand = all
		}
		var best [3]int
		bestC := [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
		for _, s := range cand {
			xs := x[s*dim : (s+1)*dim]
			c := 0.0
			for k, f := range v {
				c += f * xs[k]
			}
			for b := 0; b < 3; b++ {
				if c > bestC[b] {
					copy(best[b+1:], best[b:2])
					copy(bestC[b+1:], bestC[b:2])
					best[b], bestC[b] = s, c
					break
				}
			}
		}
		var px, py, sw float64
		for b := 0; b < 3 && !math.IsInf(bestC[b], -1); b++ {
			w := max(bestC[b], 0) + 1e-3
			px += w * y[2*best[b]]
			py += w * y[2*best[b]+1]
			sw += w
		}
		k++
		a := float64(k) * 2.399963229728653 // the golden angle
		r := step * math.Sqrt(float64(k%1000+1))
		pts[i] = [2]float64{px/sw + r*math.Cos(a), py/sw + r*math.Sin(a)}
	}
}
