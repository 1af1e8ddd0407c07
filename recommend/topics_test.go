package recommend

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/papersift/papersift/internal/f32"
)

// unequalTopics is a corpus of three topics: topic 0 tight (its papers
// score high), topic 1 loose, topic 2 what the reader does not read.
func unequalTopics() (data []float32, dim int, topicOf func(int) int) {
	const per = 60
	dim = 24
	rng := rand.New(rand.NewPCG(3, 4))
	centres := randomUnit(rng, 3, dim)
	spread := []float64{0.6, 1.4, 1.0}
	data = make([]float32, 3*per*dim)
	for i := 0; i < 3*per; i++ {
		c := i % 3
		row := data[i*dim : (i+1)*dim]
		for j := range row {
			row[j] = centres[c*dim+j] + float32(spread[c]*rng.NormFloat64()/4.9)
		}
		unitInPlace(row)
	}
	return data, dim, func(i int) int { return i % 3 }
}

func unitInPlace(x []float32) {
	u := unit(x)
	copy(x, u)
}

// A reader of two topics, 4 likes of one and 2 of the other, gets the
// smaller topic its share of the queue, though its papers score lower.
func TestRankGivesEachTopicItsShare(t *testing.T) {
	data, dim, topicOf := unequalTopics()
	p := Profile{Likes: []int{0, 3, 6, 9, 1, 4}} // 4 of topic 0, 2 of topic 1
	var cand []int
	for i := 12; i < len(data)/dim; i++ {
		cand = append(cand, i)
	}
	count := func(items []Item) map[int]int {
		c := map[int]int{}
		for _, it := range items {
			c[topicOf(it.Index)]++
		}
		return c
	}
	ctx := context.Background()
	items, err := Rank(ctx, data, dim, cand, p, QueueOptions{N: 18, TopicSlack: -1})
	if err != nil {
		t.Fatal(err)
	}
	checked, err := Rank(ctx, data, dim, cand, p, QueueOptions{N: 18})
	if err != nil {
		t.Fatal(err)
	}
	flat, err := Rank(ctx, data, dim, cand, p, QueueOptions{N: 18, Topics: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range [][]Item{items, checked, flat} {
		for k := 1; k < len(q); k++ {
			if matchTier(q[k]) < matchTier(q[k-1]) {
				t.Errorf("item %d (match %.3f, weak %v) is a stronger match than item %d before it (%.3f)", k, q[k].Match, q[k].Weak, k-1, q[k-1].Match)
			}
		}
	}
	got, before, mid := count(items), count(flat), count(checked)
	t.Logf("by topic: %v; with the default slack: %v; ranked as one: %v", got, mid, before)
	if mid[1] < before[1] || mid[1] > got[1] {
		t.Errorf("with the default slack the smaller topic got %d places, want from %d to %d", mid[1], before[1], got[1])
	}
	// Sainte-Lague on 4:2 gives 12:6 of 18
	if got[1] < 5 || got[0] < 10 || got[2] > 1 {
		t.Errorf("topics in the queue: %v, want about 12 of topic 0 and 6 of topic 1", got)
	}
	if got[1] <= before[1] {
		t.Errorf("the smaller topic got %d places, no more than the %d of one ranking", got[1], before[1])
	}
	for _, it := range items {
		if it.Topic != topicOf(it.Index) && topicOf(it.Index) != 2 {
			t.Errorf("paper %d of topic %d chosen for topic %d", it.Index, topicOf(it.Index), it.Topic)
		}
	}
	// one topic: the same as one ranking
	one, _ := Rank(ctx, data, dim, cand, Profile{Likes: []int{0, 3, 6, 9}}, QueueOptions{N: 10})
	oneFlat, _ := Rank(ctx, data, dim, cand, Profile{Likes: []int{0, 3, 6, 9}}, QueueOptions{N: 10, Topics: -1})
	for i := range one {
		if one[i].Index != oneFlat[i].Index {
			t.Fatalf("a one-topic reader's queue changed at %d: %d, %d", i, one[i].Index, oneFlat[i].Index)
		}
	}
}

// Papers far from everything the reader likes are weak, come after every
// other, and still fill the queue to N.
func TestRankFloor(t *testing.T) {
	data, dim, topicOf := unequalTopics()
	p := Profile{Likes: []int{0, 3, 6}} // topic 0
	var cand []int
	for i := 9; i < len(data)/dim; i++ {
		if topicOf(i) == 2 || i < 30 {
			cand = append(cand, i) // 7 papers of topic 0, the rest of topic 2
		}
	}
	items, err := Rank(context.Background(), data, dim, cand, p, QueueOptions{N: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 20 {
		t.Fatalf("%d items, want 20", len(items))
	}
	seenWeak := false
	for k, it := range items {
		if k > 0 && matchTier(it) < matchTier(items[k-1]) {
			t.Errorf("item %d (match %.3f) is a stronger match than item %d before it (%.3f)", k, it.Match, k-1, items[k-1].Match)
		}
		if it.Weak != (it.Match < DefaultFloor) {
			t.Errorf("item %d: match %.3f, weak %v", k, it.Match, it.Weak)
		}
		if topicOf(it.Index) == 0 && it.Weak {
			t.Errorf("a paper of the reader's topic is weak: %+v", it)
		}
		if seenWeak && !it.Weak {
			t.Errorf("item %d is not weak but follows a weak one", k)
		}
		seenWeak = seenWeak || it.Weak
	}
	if !seenWeak {
		t.Error("no paper of the unrelated topic is weak")
	}
	// with the floor off, nothing is weak
	items, _ = Rank(context.Background(), data, dim, cand, p, QueueOptions{N: 20, Floor: -1})
	for _, it := range items {
		if it.Weak {
			t.Fatalf("floor off, yet %+v is weak", it)
		}
	}
}

// naiveTopics is average-link clustering written plainly, the reference.
func naiveTopics(us [][]float32, join float64, most int) [][]int {
	groups := make([][]int, len(us))
	for i := range us {
		groups[i] = []int{i}
	}
	for len(groups) > 1 {
		bi, bj, best := -1, -1, math.Inf(-1)
		for i := range groups {
			for j := i + 1; j < len(groups); j++ {
				var t float64
				for _, a := range groups[i] {
					for _, b := range groups[j] {
						t += float64(f32.Dot(us[a], us[b]))
					}
				}
				if v := t / float64(len(groups[i])*len(groups[j])); v > best {
					bi, bj, best = i, j, v
				}
			}
		}
		if !(best >= join) && len(groups) <= most {
			break
		}
		groups[bi] = append(groups[bi], groups[bj]...)
		groups = append(groups[:bj], groups[bj+1:]...)
	}
	for _, g := range groups {
		slices.Sort(g)
	}
	return groups
}

func TestTopicsOf(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		data := topics(seed, 4, 20, 16, 1.2)
		us := make([][]float32, 80)
		for i := range us {
			us[i] = data[i*16 : (i+1)*16]
		}
		for _, join := range []float64{-0.05, 0.2} {
			got, want := topicsOf(us, join, 6), naiveTopics(us, join, 6)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("seed %d join %v: %v, want %v", seed, join, got, want)
			}
		}
	}
	// a large profile: grouped on a subset, every positive in one topic
	data := topics(9, 3, 400, 16, 0.4)
	mean, _ := Mean(context.Background(), data, 16)
	us := make([][]float32, 1200)
	for i := range us {
		us[i] = unit(centred(data[i*16:(i+1)*16], mean)) // as the queue does
	}
	got := topicsOf(us, -0.05, 6)
	seen := make([]int, len(us))
	for _, g := range got {
		for _, i := range g {
			seen[i]++
		}
	}
	for i, k := range seen {
		if k != 1 {
			t.Fatalf("positive %d is in %d topics", i, k)
		}
	}
	if len(got) != 3 {
		t.Errorf("%d topics among three tight ones", len(got))
	}
	for _, g := range got {
		for _, i := range g {
			if i%3 != g[0]%3 {
				t.Fatalf("topic %v mixes the made-up topics", g)
			}
		}
	}
}

// matchTier orders the words of a match: strong 0, good 1, weak 2.
func matchTier(it Item) int {
	switch {
	case it.Weak:
		return 2
	case it.Match >= StrongMatch:
		return 0
	}
	return 1
}

// A paper that blends all of a reader's likes scores high on the whole
// profile but is close to none of them; a paper that is one of them again
// is a strong match: the strong match comes first.
func TestRankStrongBeforeGood(t *testing.T) {
	const dim, likes = 32, 16
	var data []float32
	add := func(v []float32) int {
		data = append(data, unit(v)...)
		return len(data)/dim - 1
	}
	axis := func(i int) []float32 {
		v := make([]float32, dim)
		v[i] = 1
		return v
	}
	var p Profile
	for i := 0; i < likes; i++ {
		p.Likes = append(p.Likes, add(axis(i)))
	}
	blend := make([]float32, dim)
	for i := 0; i < likes; i++ {
		blend[i] = 1
	}
	y := add(blend)   // close to no like in particular
	x := add(axis(0)) // the first like again
	for i := 0; i < 400; i++ {
		add(axis(likes + i%(dim-likes))) // the rest of the corpus, elsewhere
	}
	cand := []int{y, x}
	for i := x + 1; i < len(data)/dim; i++ {
		cand = append(cand, i)
	}
	items, err := Rank(context.Background(), data, dim, cand, p, QueueOptions{N: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items[:2] {
		t.Logf("row %d: score %.2f, match %.2f (%d)", it.Index, it.Score, it.Match, matchTier(it))
	}
	if items[0].Index != x || matchTier(items[0]) != 0 {
		t.Errorf("first %+v, want the strong match %d", items[0], x)
	}
	for k := 1; k < len(items); k++ {
		if matchTier(items[k]) < matchTier(items[k-1]) {
			t.Errorf("item %d is a stronger match than item %d", k, k-1)
		}
	}
}

// A weak match of a reader of several topics names the topic it is nearest
// too (the topic whose liked papers hold its closest one, here), not the
// first topic by default.
func TestWeakItemsNameTheirTopic(t *testing.T) {
	data, dim, topicOf := unequalTopics()
	p := Profile{Likes: []int{0, 3, 6, 9, 1, 4, 7, 10}} // 4 of topic 0, 4 of topic 1
	var cand []int
	for i := 12; i < len(data)/dim; i++ {
		if topicOf(i) == 2 {
			cand = append(cand, i)
		}
	}
	items, err := Rank(context.Background(), data, dim, cand, p, QueueOptions{N: len(cand)})
	if err != nil {
		t.Fatal(err)
	}
	nearest := func(row int) int { // the topic of the closest like
		best, of := math.Inf(-1), 0
		for _, l := range p.Likes {
			if c := float64(f32.Dot(data[row*dim:(row+1)*dim], data[l*dim:(l+1)*dim])); c > best {
				best, of = c, topicOf(l)
			}
		}
		return of
	}
	weak, agree, ones := 0, 0, 0
	for _, it := range items {
		if !it.Weak {
			continue
		}
		weak++
		if it.Topic == 1 {
			ones++
		}
		if it.Topic == nearest(it.Index) {
			agree++
		}
	}
	if weak < 10 || ones == 0 || agree < weak*3/4 {
		t.Fatalf("%d weak items, %d named topic 1, %d name the topic of their closest like", weak, ones, agree)
	}
}
