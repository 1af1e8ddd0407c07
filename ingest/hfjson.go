package ingest

import (
	"github.com/papersift/papersift/paper"

	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// The hf-json format: the response of
// https://huggingface.co/api/daily_papers[?date=YYYY-MM-DD], an array of
// items {"paper": {...}, "numComments": N, ...}. Every generation of the
// schema is read: 2024's minimal items (paper{id,authors,publishedAt,title,
// summary,upvotes}, mediaUrl, numComments), 2025's (submittedBy,
// ai_keywords, githubRepo, projectPage, paper.submittedOnDailyAt) and
// 2026's (organization, githubStars). Unknown fields are ignored.

type hfOrg struct {
	Name     string `json:"name"`
	Fullname string `json:"fullname"`
}

func (o *hfOrg) display() string {
	if o == nil {
		return ""
	}
	if s := clean(o.Fullname); s != "" {
		return s
	}
	return clean(o.Name)
}

type hfItem struct {
	Paper *struct {
		ID      json.RawMessage `json:"id"`
		Authors []struct {
			Name string `json:"name"`
		} `json:"authors"`
		PublishedAt        string `json:"publishedAt"`
		SubmittedOnDailyAt string `json:"submittedOnDailyAt"`
		Title              string `json:"title"`
		Summary            string `json:"summary"`
		Upvotes            *int   `json:"upvotes"`
		ProjectPage        string `json:"projectPage"`
		GithubRepo         string `json:"githubRepo"`
		Organization       *hfOrg `json:"organization"`
	} `json:"paper"`
	PublishedAt  string `json:"publishedAt"`
	Title        string `json:"title"`
	Summary      string `json:"summary"`
	NumComments  *int   `json:"numComments"`
	Organization *hfOrg `json:"organization"`
}

func parseHFJSON(data []byte, source string) (*Listing, error) {
	l := &Listing{}
	n := 0
	daily := map[string]int{} // paper.submittedOnDailyAt days
	newest := ""              // the newest item publishedAt
	err := jsonArray(data, source, func(raw json.RawMessage, line int) error {
		n++
		where := fmt.Sprintf("item %d", n)
		var it hfItem
		if err := json.Unmarshal(raw, &it); err != nil {
			// a field of an unexpected type inside "paper" is ignored
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) || !strings.HasPrefix(te.Field, "paper.") || it.Paper == nil {
				l.Skipped = append(l.Skipped, Skip{Line: line, Reason: fmt.Sprintf("%s is not a daily_papers item: %s", where, jsonErr(err))})
				return nil
			}
		}
		if it.Paper == nil {
			l.Skipped = append(l.Skipped, Skip{Line: line, Reason: fmt.Sprintf("%s has no \"paper\" object", where)})
			return nil
		}
		pp := it.Paper
		id, err := idString(pp.ID)
		if err != nil {
			l.Skipped = append(l.Skipped, Skip{Line: line, Reason: fmt.Sprintf("%s: paper.%v", where, err)})
			return nil
		}
		p := Record{Paper: paper.Paper{ID: id, Title: pp.Title, Abstract: pp.Summary, Upvotes: pp.Upvotes, Comments: it.NumComments}, Line: line}
		if blank(p.Title) {
			p.Title = it.Title
		}
		if blank(p.Abstract) {
			p.Abstract = it.Summary
		}
		switch {
		case blank(p.Title):
			l.Skipped = append(l.Skipped, Skip{Line: line, Reason: fmt.Sprintf("%s (%s) has no paper.title", where, name(id, ""))})
			return nil
		case blank(p.Abstract):
			l.Skipped = append(l.Skipped, Skip{Line: line, Reason: fmt.Sprintf("%s (%s) has no paper.summary", where, name(id, p.Title))})
			return nil
		}
		for _, a := range pp.Authors {
			p.Authors = append(p.Authors, a.Name)
		}
		p.Authors = cleanNames(p.Authors)
		p.Date = isoDate(pp.PublishedAt)
		p.Org = it.Organization.display()
		if p.Org == "" {
			p.Org = pp.Organization.display()
		}
		for _, link := range []string{pp.ProjectPage, pp.GithubRepo} {
			if link = strings.TrimSpace(link); link != "" && !contains(p.Links, link) {
				p.Links = append(p.Links, link)
			}
		}
		finish(&p.Paper)
		if err := checkNUL(&p.Paper, source, line); err != nil {
			return err
		}
		l.Papers = append(l.Papers, p)
		if d := isoDate(pp.SubmittedOnDailyAt); d != "" {
			daily[d]++
		}
		if d := isoDate(it.PublishedAt); d > newest {
			newest = d
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.Date = hfDay(source, daily, newest)
	return l, nil
}

// hfDay is the day a daily_papers response lists: the URL's ?date= when
// the source is one, else the day most items were submitted on
// (paper.submittedOnDailyAt, 2025 on; the later day on a tie), else the
// newest item's publishedAt (when it was put on the daily list).
func hfDay(source string, daily map[string]int, newest string) string {
	if u, err := url.Parse(source); err == nil && u.Scheme != "" {
		if d := u.Query().Get("date"); d != "" && isoDate(d) == d {
			return d
		}
	}
	if len(daily) > 0 {
		days := make([]string, 0, len(daily))
		for d := range daily {
			days = append(days, d)
		}
		sort.Slice(days, func(i, j int) bool {
			if daily[days[i]] != daily[days[j]] {
				return daily[days[i]] > daily[days[j]]
			}
			return days[i] > days[j]
		})
		return days[0]
	}
	return newest
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
