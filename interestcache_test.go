package papersift_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/papersift/papersift"
	"github.com/papersift/papersift/store"
)

// The vectors of the reader's interests are kept for the queue (which may
// only read) when they are added and after embedding; the queue is the same
// with them, without them, and with a damaged one (embedded again).
func TestInterestVectorsCache(t *testing.T) {
	ctx := context.Background()
	l, _ := newLibrary(t, false)
	if _, err := l.Rate(ctx, papersift.Like, []string{"Brain-IT"}); err != nil {
		t.Fatal(err)
	}
	if err := l.AddInterest(ctx, "video diffusion models"); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, l.Path(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows := func() int {
		t.Helper()
		var n int
		if err := st.DB().QueryRow(`SELECT count(*) FROM interest_vectors`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if rows() != 1 {
		t.Fatalf("%d interest vectors kept after interest add, want 1", rows())
	}
	queue := func() []papersift.QueueItem {
		t.Helper()
		q, err := l.Queue(ctx, papersift.QueueOptions{N: 10, Scope: papersift.Scope{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	cached := queue()
	if _, err := st.DB().Exec(`DELETE FROM interest_vectors`); err != nil {
		t.Fatal(err)
	}
	if fresh := queue(); !reflect.DeepEqual(fresh, cached) {
		t.Fatalf("the queue without the kept vector differs:\n%v\n%v", fresh, cached)
	}
	if rows() != 1 {
		t.Fatalf("the queue did not keep the vector it embedded (%d rows)", rows())
	}
	// a damaged vector (not a unit vector) is embedded again
	if _, err := st.DB().Exec(`UPDATE interest_vectors SET vec = zeroblob(length(vec))`); err != nil {
		t.Fatal(err)
	}
	if damaged := queue(); !reflect.DeepEqual(damaged, cached) {
		t.Fatal("the queue with a damaged kept vector differs")
	}
	// another model's vector is never read, and goes when this model's
	// is written
	var dim int
	if err := st.DB().QueryRow(`SELECT length(vec)/4 FROM interest_vectors`).Scan(&dim); err != nil {
		t.Fatal(err)
	}
	e1 := make([]byte, 4*dim)
	e1[3] = 0x3f
	e1[2] = 0x80 // 1.0 as little-endian float32
	if _, err := st.DB().Exec(`DELETE FROM interest_vectors`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`INSERT INTO interest_vectors (model, text, vec) VALUES ('local/other', 'video diffusion models', ?)`, e1); err != nil {
		t.Fatal(err)
	}
	if other := queue(); !reflect.DeepEqual(other, cached) {
		t.Fatal("the queue used another model's vector")
	}
	var others int
	if err := st.DB().QueryRow(`SELECT count(*) FROM interest_vectors WHERE model = 'local/other'`).Scan(&others); err != nil || others != 0 {
		t.Fatalf("another model's vectors left: %d (%v)", others, err)
	}
	// a removed interest takes its vectors along
	if err := l.RemoveInterest(ctx, "video diffusion models"); err != nil {
		t.Fatal(err)
	}
	if rows() != 0 {
		t.Fatalf("%d interest vectors left after the interest was removed", rows())
	}
}
