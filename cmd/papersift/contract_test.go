package main

import "time"

// The JSON shapes of the command-line contract (../shared/CLI.md), as the
// tests read them: defined here apart from the code that writes them, so
// that a change of the output shows.

type ingestJSON struct {
	Read     int          `json:"read"`
	New      int          `json:"new"`
	Updated  int          `json:"updated"`
	Skipped  int          `json:"skipped"`
	Embedded int          `json:"embedded"`
	List     string       `json:"list"`
	Lists    []string     `json:"lists"`
	Model    string       `json:"model,omitempty"`
	Sources  []sourceJSON `json:"sources"`
	// Failed are papers stored but not embedded (the endpoint refused them).
	Failed []failedPaper `json:"failed,omitempty"`
}

type sourceJSON struct {
	Source  string      `json:"source"`
	Format  string      `json:"format"`
	Papers  int         `json:"papers"`
	Skipped int         `json:"skipped"`
	List    string      `json:"list"`
	Date    *string     `json:"date"` // the listing's own date
	Paging  *pagingJSON `json:"paging,omitempty"`
}

type pagingJSON struct {
	Total   int  `json:"total"`
	Start   int  `json:"start"`
	PerPage int  `json:"per_page"`
	Next    *int `json:"next"` // the start of the next page, null on the last
}

type failedPaper struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

type paperJSON struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Abstract string   `json:"abstract"`
	Authors  []string `json:"authors"`
	NAuthors *int     `json:"n_authors"`
	Org      *string  `json:"org"`
	Date     *string  `json:"date"`
	Comments *int     `json:"comments"`
	Upvotes  *int     `json:"upvotes"`
	URL      *string  `json:"url"`
	ArxivID  *string  `json:"arxiv_id"`
	Category *string  `json:"category"`
	Links    []string `json:"links"`
	Lists    []string `json:"lists"`
}

type hitJSON struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Score float64 `json:"score"`
}

type groupJSON struct {
	K        int           `json:"k"`
	List     string        `json:"list,omitempty"`
	Model    string        `json:"model"`
	Auto     *autoJSON     `json:"auto,omitempty"`
	Clusters []clusterJSON `json:"clusters"`
	Missing  int           `json:"missing"`
}

type autoJSON struct {
	Criterion string      `json:"criterion"`
	Score     float64     `json:"score"`
	Tried     []triedJSON `json:"tried"`
}

type triedJSON struct {
	K     int     `json:"k"`
	Score float64 `json:"score"`
}

type clusterJSON struct {
	ID     int       `json:"id"`
	Label  string    `json:"label"`
	Terms  []string  `json:"terms"`
	Size   int       `json:"size"`
	Papers []hitJSON `json:"papers"`
}

type queueItemJSON struct {
	Rank   int     `json:"rank"`
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Score  float64 `json:"score"`
	Reason string  `json:"reason"`
	// Match, Strength and Weak: how close the paper is to the closest
	// like or interest (issue 13's floor)
	Match    float64 `json:"match"`
	Strength string  `json:"strength"`
	Weak     bool    `json:"weak"`
}

type profileJSON struct {
	Likes     []string `json:"likes"`
	Dislikes  []string `json:"dislikes"`
	Read      []string `json:"read"`
	Interests []string `json:"interests"`
}

type evalJSON struct {
	Likes        int     `json:"likes"`
	Candidates   int     `json:"candidates"`
	K            int     `json:"k"`
	HitRate      float64 `json:"hit_rate_at_k"`
	PrecisionAtK float64 `json:"precision_at_k"`
	AUC          float64 `json:"auc"`
	Chance       float64 `json:"chance_hit_rate"`
}

type embedJSON struct {
	Embedded  int           `json:"embedded"`
	Model     string        `json:"model"`
	Refitted  bool          `json:"refitted"`
	Failed    []failedPaper `json:"failed"`
	Truncated []string      `json:"truncated"`
	Requests  int           `json:"requests"`
	Retries   int           `json:"retries"`
}

type doctorStored struct {
	Vectors    int `json:"vectors"`
	Dimensions int `json:"dimensions"`
	Papers     int `json:"papers"`
}

type doctorJSON struct {
	OK         bool          `json:"ok"`
	Embedder   string        `json:"embedder"`
	BaseURL    string        `json:"base_url,omitempty"`
	Model      string        `json:"model"`
	Identity   string        `json:"identity,omitempty"`
	KeySet     *bool         `json:"key_set,omitempty"`
	Dimensions int           `json:"dimensions,omitempty"`
	LatencyMS  int64         `json:"latency_ms,omitempty"`
	Encoding   string        `json:"encoding,omitempty"`
	Stored     *doctorStored `json:"stored"`
	Warnings   []string      `json:"warnings"`
	Error      string        `json:"error,omitempty"`
}

type digestJSON struct {
	List   string          `json:"list"`
	Ingest *ingestJSON     `json:"ingest,omitempty"`
	Groups *groupJSON      `json:"groups"`
	Queue  []queueItemJSON `json:"queue"`
}

func isDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}
