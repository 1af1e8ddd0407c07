package recommend

import (
	"context"
	"math/rand/v2"
	"testing"
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
