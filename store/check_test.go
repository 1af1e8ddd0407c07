package store

import (
	"context"
	"slices"
	"testing"
)

// The migrations' tables and indexes are all there in a new database, and
// Check names the ones that went missing.
func TestCheckNamesMissingSchema(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	want, err := expectedSchema()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"papers", "interests", "feedback", "papers_pid_title", "papers_title_hash"} {
		if want[name] == "" {
			t.Errorf("expectedSchema lacks %s: %v", name, want)
		}
	}
	if want["papers_title_key"] != "" || want["list_papers_pid"] != "" {
		t.Errorf("expectedSchema keeps indexes a migration dropped: %v", want)
	}
	c, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !c.OK() {
		t.Fatalf("a new database: %+v", c)
	}
	if _, err := s.db.ExecContext(ctx, `DROP TABLE interest_vectors; DROP TABLE interests; DROP INDEX papers_pid_title`); err != nil {
		t.Fatal(err)
	}
	if c, err = s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	got := []string{"the index papers_pid_title is missing", "the table interest_vectors is missing", "the table interests is missing"}
	if !slices.Equal(c.Integrity, got) {
		t.Errorf("Check.Integrity = %q, want %q", c.Integrity, got)
	}
}
