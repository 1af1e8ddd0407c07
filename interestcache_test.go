package papersift_test

import (
	"context"
	"reflect"
	"strings"
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
	st := openStore(t, l)
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

// An interest with no word the model knows is found so once: the queue
// leaves it out with the same warning every time, from the kept mark, and
// a kept mark never hides an interest that the model can embed.
func TestUnembeddableInterestKept(t *testing.T) {
	ctx := context.Background()
	l, ev := newLibrary(t, false)
	if _, err := l.Rate(ctx, papersift.Like, []string{"Brain-IT"}); err != nil {
		t.Fatal(err)
	}
	const nonsense = "qqzxv wwkjq"
	if err := l.AddInterest(ctx, nonsense); err != nil {
		t.Fatal(err)
	}
	st := openStore(t, l)
	var n int
	if err := st.DB().QueryRow(`SELECT length(vec) FROM interest_vectors WHERE text = ?`, nonsense).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the interest with no known word: kept vector of %d bytes (%v), want an empty mark", n, err)
	}
	queue := func() ([]papersift.QueueItem, []string) {
		t.Helper()
		ev.warnings = nil
		q, err := l.Queue(ctx, papersift.QueueOptions{N: 10, Scope: papersift.Scope{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		return q, ev.warnings
	}
	marked, wMarked := queue()
	if len(wMarked) != 1 || !strings.Contains(wMarked[0], nonsense) || !strings.Contains(wMarked[0], "vocabulary") {
		t.Fatalf("warnings with the mark kept: %q", wMarked)
	}
	if _, err := st.DB().Exec(`DELETE FROM interest_vectors`); err != nil {
		t.Fatal(err)
	}
	fresh, wFresh := queue()
	if !reflect.DeepEqual(fresh, marked) || !reflect.DeepEqual(wFresh, wMarked) {
		t.Fatalf("the queue differs with and without the mark:\n%v %q\n%v %q", fresh, wFresh, marked, wMarked)
	}
	if err := st.DB().QueryRow(`SELECT length(vec) FROM interest_vectors WHERE text = ?`, nonsense).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the queue did not keep the mark: %d bytes (%v)", n, err)
	}
	// a mark is the model's own: another model's mark is not read
	if _, err := st.DB().Exec(`UPDATE interest_vectors SET model = 'local/other'`); err != nil {
		t.Fatal(err)
	}
	if other, wOther := queue(); !reflect.DeepEqual(other, marked) || !reflect.DeepEqual(wOther, wMarked) {
		t.Fatal("the queue read another model's mark")
	}
}

// A kept mark does not hide a failure of the whole (here the saved fit
// cannot be read): the queue's error is the same with and without it.
func TestMarkKeepsWholeError(t *testing.T) {
	ctx := context.Background()
	l, _ := newLibrary(t, false)
	const nonsense = "qqzxv wwkjq"
	if err := l.AddInterest(ctx, nonsense); err != nil {
		t.Fatal(err)
	}
	st := openStore(t, l)
	if _, err := st.DB().Exec(`INSERT INTO interests (text, at) VALUES ('diffusion models', '2026-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE models SET params = x'00'`); err != nil {
		t.Fatal(err)
	}
	_, withMark := l.Queue(ctx, papersift.QueueOptions{N: 10, Scope: papersift.Scope{All: true}})
	if _, err := st.DB().Exec(`DELETE FROM interest_vectors`); err != nil {
		t.Fatal(err)
	}
	_, without := l.Queue(ctx, papersift.QueueOptions{N: 10, Scope: papersift.Scope{All: true}})
	if withMark == nil || without == nil || withMark.Error() != without.Error() {
		t.Errorf("the queue's error depends on the mark:\nwith:    %v\nwithout: %v", withMark, without)
	}
}

// openStore opens the library's database beside it, for the test to look
// into and alter; it is closed when the test ends.
func openStore(t *testing.T, l *papersift.Library) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), l.Path(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
