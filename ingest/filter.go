package ingest

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// CheckFilters checks Options.Categories and Options.Since: a pattern
// path.Match refuses, or a day that is not YYYY-MM-DD, is an error.
func CheckFilters(categories []string, since string) error {
	_, err := newFilter(categories, since)
	return err
}

// filter keeps the papers of some categories and days (Options.Categories,
// Options.Since). The nil filter keeps everything.
type filter struct {
	patterns []string // lowercase
	since    string   // YYYY-MM-DD or ""
}

func newFilter(categories []string, since string) (*filter, error) {
	if len(categories) == 0 && since == "" {
		return nil, nil
	}
	f := &filter{since: since}
	for _, c := range categories {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" {
			return nil, fmt.Errorf("an empty category pattern (patterns: cs.CL, cs.*, math)")
		}
		if _, err := path.Match(c, ""); err != nil {
			return nil, fmt.Errorf("category pattern %q: %w", c, err)
		}
		f.patterns = append(f.patterns, c)
	}
	if since != "" {
		if _, err := time.Parse("2006-01-02", since); err != nil {
			return nil, fmt.Errorf("since %q: not a day (YYYY-MM-DD)", since)
		}
	}
	return f, nil
}

// keepDate reports whether a paper of date (YYYY-MM-DD or "") is kept.
func (f *filter) keepDate(date string) bool {
	return f == nil || f.since == "" || (date != "" && date >= f.since)
}

// keepCategories reports whether a paper of these categories (separated
// by white space, as arXiv's metadata lists them) is kept.
func (f *filter) keepCategories(cats string) bool {
	if f == nil || len(f.patterns) == 0 {
		return true
	}
	for rest := cats; ; {
		i := 0
		for i < len(rest) && isSpaceByte(rest[i]) {
			i++
		}
		rest = rest[i:]
		if rest == "" {
			return false
		}
		j := 0
		for j < len(rest) && !isSpaceByte(rest[j]) {
			j++
		}
		if f.matches(rest[:j]) {
			return true
		}
		rest = rest[j:]
	}
}

// keepCategoryList is keepCategories for a list of categories.
func (f *filter) keepCategoryList(cats []string) bool {
	if f == nil || len(f.patterns) == 0 {
		return true
	}
	for _, c := range cats {
		if f.matches(strings.TrimSpace(c)) {
			return true
		}
	}
	return false
}

// matches reports whether a category matches a pattern: "cs.*" matches
// "cs.CL", and a pattern without a dot ("math") also matches the
// categories of that archive ("math.AG").
func (f *filter) matches(cat string) bool {
	if cat == "" {
		return false
	}
	cat = strings.ToLower(cat)
	archive, _, sub := strings.Cut(cat, ".")
	for _, p := range f.patterns {
		if ok, _ := path.Match(p, cat); ok {
			return true
		}
		if sub && !strings.Contains(p, ".") {
			if ok, _ := path.Match(p, archive); ok {
				return true
			}
		}
	}
	return false
}

// apply leaves out of a listing read whole the papers the filter does not
// keep (by their primary category and date), counting them.
func (f *filter) apply(l *Listing) {
	if f == nil {
		return
	}
	kept := l.Papers[:0]
	for _, p := range l.Papers {
		if f.keepCategories(p.Category) && f.keepDate(p.Date) {
			kept = append(kept, p)
		} else {
			l.Filtered++
		}
	}
	clear(l.Papers[len(kept):])
	l.Papers = kept
}
