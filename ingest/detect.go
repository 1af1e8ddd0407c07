package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"path"
	"strings"
)

// Hint is what is known of a source besides its content.
type Hint struct {
	Name        string // file name or URL: its extension
	ContentType string // a server's Content-Type
}

// Detect names the format of data by its content. The hint only decides
// when the content does not (a file with a .csv name whose header lacks a
// column is still CSV, so that the error says which column).
func Detect(data []byte, h Hint) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	i := firstNonSpace(data)
	if i < 0 {
		return "", errors.New("the file is empty")
	}
	t := data[i:]
	switch t[0] {
	case '[':
		return detectJSONArray(t)
	case '{':
		return objectFormat(t), nil
	case '<':
		return detectXML(t)
	}
	if _, ok := csvHeader(t); ok {
		return "csv", nil
	}
	if hfMetaRe.Match(data) || hfPageStart(t) {
		return "hf-page", nil
	}
	if f := hintFormat(h); f != "" {
		return f, nil
	}
	return "", fmt.Errorf("cannot tell the format from the content: pass --format (one of %s); "+
		"CSV needs a header row with title and abstract columns", strings.Join(Formats, ", "))
}

// objectFormat tells arXiv's metadata snapshot from JSON Lines of paper
// objects by the keys of the first line's object: the snapshot's has
// "authors_parsed", or "versions" and "update_date".
func objectFormat(t []byte) string {
	line, _, _ := bytes.Cut(t, []byte("\n"))
	var keys struct {
		AuthorsParsed json.RawMessage `json:"authors_parsed"`
		Versions      json.RawMessage `json:"versions"`
		UpdateDate    json.RawMessage `json:"update_date"`
	}
	if json.Unmarshal(line, &keys) != nil {
		return "jsonl" // and the JSON Lines parser says what is wrong
	}
	if keys.AuthorsParsed != nil || (keys.Versions != nil && keys.UpdateDate != nil) {
		return "arxiv-snapshot"
	}
	return "jsonl"
}

// hintFormat is the format a file name or content type names.
func hintFormat(h Hint) string {
	if h.ContentType != "" {
		if mt, _, err := mime.ParseMediaType(h.ContentType); err == nil {
			switch mt {
			case "text/csv", "application/csv":
				return "csv"
			case "application/x-ndjson", "application/jsonl", "application/x-jsonlines":
				return "jsonl"
			case "application/atom+xml":
				return "arxiv"
			case "application/rss+xml":
				return "arxiv-rss"
			}
		}
	}
	name := h.Name
	if i := strings.IndexAny(name, "?#"); i >= 0 && strings.Contains(name, "://") {
		name = name[:i]
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		return "csv"
	case ".jsonl", ".ndjson":
		return "jsonl"
	case ".atom":
		return "arxiv"
	case ".rss":
		return "arxiv-rss"
	}
	return ""
}

// hfPageStart: a page copied from its top begins with "Daily Papers".
func hfPageStart(t []byte) bool {
	line, _, _ := bytes.Cut(t, []byte("\n"))
	return strings.EqualFold(strings.TrimSpace(string(line)), "daily papers")
}

// detectJSONArray tells the Hugging Face API's items ({"paper": {...}})
// from an array of paper objects by the first element.
func detectJSONArray(t []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(t))
	if _, err := dec.Token(); err != nil {
		return "", fmt.Errorf("invalid JSON: %s", jsonErr(err))
	}
	if !dec.More() {
		return "", errors.New("an empty JSON array: no papers in it")
	}
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		// broken JSON: guess, and let the parser say where it breaks
		if bytes.Contains(t[:min(len(t), 4096)], []byte(`"paper"`)) {
			return "hf-json", nil
		}
		return "jsonl", nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(first, &obj); err != nil {
		return "", fmt.Errorf("a JSON array of %s, not of paper objects (formats: an array of {\"title\",\"abstract\",...}, or the Hugging Face daily_papers array)", jsonKind(first))
	}
	if _, ok := obj["paper"]; ok {
		return "hf-json", nil
	}
	return "jsonl", nil
}

func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '[':
		return "arrays"
	case '"':
		return "strings"
	case 't', 'f':
		return "booleans"
	case 'n':
		return "nulls"
	case '{':
		return "objects"
	}
	return "numbers"
}

// detectXML accepts an Atom feed (the arXiv API's, or arXiv's announcement
// feed) or arXiv's RSS announcement feed, and names what else it is.
func detectXML(t []byte) (string, error) {
	head := t[:min(len(t), 4096)]
	lower := bytes.ToLower(head)
	feed, rss := bytes.Index(head, []byte("<feed")), bytes.Index(head, []byte("<rss"))
	switch {
	case bytes.Contains(lower, []byte("<!doctype html")) || bytes.Contains(lower, []byte("<html")):
		return "", errors.New("an HTML page, not a listing (for Hugging Face Daily Papers use the API, " +
			"https://huggingface.co/api/daily_papers?date=YYYY-MM-DD, or copy the page's text)")
	case feed >= 0 && (rss < 0 || feed < rss):
		if announceFeed(head) {
			return "arxiv-rss", nil
		}
		return "arxiv", nil
	case rss >= 0:
		if bytes.Contains(head, []byte("arxiv.org")) {
			return "arxiv-rss", nil
		}
		return "", errors.New("an RSS feed that is not arXiv's; papersift reads arXiv's announcement feeds " +
			"(https://rss.arxiv.org/rss/CATEGORY) and arXiv API Atom feeds (https://export.arxiv.org/api/query?...)")
	}
	return "", errors.New("XML that is not an Atom feed (papersift reads arXiv API Atom feeds and arXiv's announcement feeds)")
}

// announceFeed tells arXiv's Atom announcement feed (rss.arxiv.org/atom/CAT)
// from an arXiv API answer by its first bytes.
func announceFeed(head []byte) bool {
	return bytes.Contains(head, []byte("rss.arxiv.org")) || bytes.Contains(head, []byte("announce_type")) ||
		bytes.Contains(head, []byte("oai:arXiv.org:"))
}
