package refs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/papersift/papersift/internal/lazyre"

	"github.com/papersift/papersift/paper"
)

// ProfileVersion is the version of the profile file WriteProfile writes
// and the newest ParseProfile reads.
const ProfileVersion = 1

// Profile is a reader's whole profile as a profile file holds it: the
// papers liked, disliked and marked read (each with what recreating it in
// a fresh database needs), and the interests.
type Profile struct {
	Likes     []Entry
	Dislikes  []Entry
	Read      []Entry
	Interests []Interest
}

// The profile file, as JSON:
//
//	{
//	  "papersift_profile": 1,
//	  "likes": [{"id": "1706.03762", "arxiv_id": "1706.03762", "title": "...", ...}],
//	  "dislikes": [],
//	  "read": [],
//	  "interests": [{"text": "spiking neural networks", "at": "2026-11-02T09:00:00Z"}]
//	}
//
// A paper carries id, arxiv_id, doi, title, authors, date, url, category,
// org, links, at (when it was rated) and abstract, each left out when
// empty. An interest may also be a plain string.
type profileJSON struct {
	Version   *int           `json:"papersift_profile"`
	Likes     []profilePaper `json:"likes"`
	Dislikes  []profilePaper `json:"dislikes"`
	Read      []profilePaper `json:"read"`
	Interests []interestJSON `json:"interests"`
}

type profilePaper struct {
	ID       string   `json:"id,omitempty"`
	ArxivID  string   `json:"arxiv_id,omitempty"`
	DOI      string   `json:"doi,omitempty"`
	Title    string   `json:"title,omitempty"`
	Authors  []string `json:"authors,omitempty"`
	Date     string   `json:"date,omitempty"`
	URL      string   `json:"url,omitempty"`
	Category string   `json:"category,omitempty"`
	Org      string   `json:"org,omitempty"`
	Links    []string `json:"links,omitempty"`
	At       string   `json:"at,omitempty"`
	Abstract string   `json:"abstract,omitempty"`
}

type interestJSON struct {
	Text string `json:"text"`
	At   string `json:"at,omitempty"`
}

// WriteProfile writes p as a profile file (indented JSON, UTF-8, in the
// order p gives), which ParseProfile reads back as it was.
func WriteProfile(w io.Writer, p Profile) error {
	out := profileJSON{
		Version:   new(int),
		Likes:     papersJSON(p.Likes),
		Dislikes:  papersJSON(p.Dislikes),
		Read:      papersJSON(p.Read),
		Interests: make([]interestJSON, len(p.Interests)),
	}
	*out.Version = ProfileVersion
	for i, in := range p.Interests {
		out.Interests[i] = interestJSON{Text: in.Text, At: in.At}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func papersJSON(es []Entry) []profilePaper {
	out := make([]profilePaper, len(es))
	for i, e := range es {
		out[i] = profilePaper{
			ID: e.ID, ArxivID: e.ArxivID, DOI: e.DOI, Title: e.Title, Authors: e.Authors,
			Date: e.Date, URL: e.URL, Category: e.Category, Org: e.Org, Links: e.Links,
			At: e.At, Abstract: e.Abstract,
		}
	}
	return out
}

// File is the profile as a File of entries: likes, dislikes and read
// papers (each with its Rating), and the interests.
func (p *Profile) File(name string) *File {
	f := &File{Name: name, Format: FormatProfile, Interests: p.Interests}
	for _, es := range [][]Entry{p.Likes, p.Dislikes, p.Read} {
		f.Entries = append(f.Entries, es...)
	}
	return f
}

var isoDay = lazyre.New(`^\d{4}-\d{2}-\d{2}$`)

// ParseProfile reads a profile file. Unknown keys, a version newer than
// ProfileVersion, a paper without any identity, an arXiv id or DOI that is
// none, a date not written YYYY-MM-DD and a paper both liked and disliked
// are errors naming the line.
func ParseProfile(data []byte, name string) (*Profile, error) {
	data, name, err := prepare(data, name)
	if err != nil {
		return nil, err
	}
	lines := newLineIndex(data)
	fail := func(off int64, format string, args ...any) error {
		return &ParseError{Source: name, Line: lines.line(int(off)), Msg: fmt.Sprintf(format, args...)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	jsonErr := func(err error) error {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fail(se.Offset, "not valid JSON (%v): a profile file is what papersift profile export writes", se)
		case errors.As(err, &te):
			return fail(te.Offset, "%s holds a %s where the profile has a %s", fieldName(te.Field), te.Value, te.Type)
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return fail(int64(len(data)), "the file ends inside the profile: it is cut short")
		}
		return fail(dec.InputOffset(), "%v", err)
	}
	if t, err := dec.Token(); err != nil {
		return nil, jsonErr(err)
	} else if t != json.Delim('{') {
		return nil, fail(0, "not a papersift profile: a profile file is a JSON object (papersift profile export writes one)")
	}
	var version *int
	p := &Profile{}
	seen := map[string]bool{}
	for dec.More() {
		at := int64(skipJSONSpace(data, int(dec.InputOffset())))
		t, err := dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		key, _ := t.(string)
		if seen[key] {
			return nil, fail(at, "%q is given twice", key)
		}
		seen[key] = true
		switch key {
		case "papersift_profile":
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, jsonErr(err)
			}
			n, ok := v.(float64)
			if !ok || n != float64(int(n)) {
				return nil, fail(at, "papersift_profile holds %s: it is the profile's version, a whole number", describeJSON(v))
			}
			version = new(int(n))
		case "likes", "dislikes", "read":
			list, err := parsePapers(dec, data, lines, Rating(strings.TrimSuffix(key, "s")), jsonErr, fail)
			if err != nil {
				return nil, err
			}
			switch key {
			case "likes":
				p.Likes = list
			case "dislikes":
				p.Dislikes = list
			default:
				p.Read = list
			}
		case "interests":
			list, err := parseInterests(dec, data, lines, jsonErr, fail)
			if err != nil {
				return nil, err
			}
			p.Interests = list
		default:
			return nil, fail(at, "unknown key %q: a profile has papersift_profile, likes, dislikes, read and interests", key)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonErr(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail(dec.InputOffset(), "something follows the profile: a profile file is one JSON object")
	}
	switch {
	case version == nil:
		return nil, fail(0, "not a papersift profile: the object has no \"papersift_profile\" version (papersift profile export writes one)")
	case *version > ProfileVersion:
		return nil, fail(0, "profile version %d is newer than this papersift reads (%d): upgrade papersift", *version, ProfileVersion)
	case *version < 1:
		return nil, fail(0, "profile version %d is not a version: papersift profiles start at 1", *version)
	}
	liked := map[string]int{}
	for _, e := range p.Likes {
		liked[identity(e)] = e.Line
	}
	for _, e := range p.Dislikes {
		if l, ok := liked[identity(e)]; ok {
			return nil, &ParseError{Source: name, Line: e.Line, Msg: fmt.Sprintf("this paper is disliked and also liked (line %d): keep one of the two", l)}
		}
	}
	return p, nil
}

// parsePapers reads one list of papers.
func parsePapers(dec *json.Decoder, data []byte, lines lineIndex, r Rating, jsonErr func(error) error, fail func(int64, string, ...any) error) ([]Entry, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, jsonErr(err)
	}
	if t == nil {
		return nil, nil
	}
	if t != json.Delim('[') {
		return nil, fail(dec.InputOffset(), "%ss must be a list of papers", r)
	}
	var out []Entry
	for dec.More() {
		at := int64(skipJSONSpace(data, int(dec.InputOffset())))
		var pp profilePaper
		if err := dec.Decode(&pp); err != nil {
			if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
				return nil, fail(at, "unknown field %s in a paper: a paper has id, arxiv_id, doi, title, authors, date, url, category, org, links, at and abstract", f)
			}
			return nil, jsonErr(err)
		}
		e := Entry{
			Key: pp.ID, Line: lines.line(int(at)), ID: pp.ID, ArxivID: pp.ArxivID, DOI: pp.DOI,
			Title: pp.Title, Abstract: pp.Abstract, Authors: pp.Authors, Date: pp.Date, URL: pp.URL,
			Category: pp.Category, Org: pp.Org, Links: pp.Links, Rating: r, At: pp.At,
		}
		// (a JSON string may hold \u0000; the other formats refuse a NUL)
		if strings.ContainsRune(strings.Join(append(append([]string{e.ID, e.ArxivID, e.DOI, e.Title, e.Abstract, e.Date, e.URL, e.Category, e.Org, e.At}, e.Authors...), e.Links...), ""), 0) {
			return nil, fail(at, "a NUL character in a paper: this is binary data, not a profile")
		}
		if e.ArxivID != "" && paper.ArxivID(e.ArxivID) != e.ArxivID {
			return nil, fail(at, "arxiv_id %q is not an arXiv id without version (like 1706.03762)", e.ArxivID)
		}
		if e.DOI != "" && NormalizeDOI(e.DOI) != e.DOI {
			return nil, fail(at, "doi %q is not a DOI in lowercase without https://doi.org/ (like 10.1145/3292500.3330701)", e.DOI)
		}
		if e.Date != "" && !isoDay.MatchString(e.Date) {
			return nil, fail(at, "date %q is not written YYYY-MM-DD", e.Date)
		}
		if len(e.Date) >= 4 {
			e.Year = e.Date[:4]
		}
		if !e.Identified() {
			return nil, fail(at, "a paper without id, arxiv_id, doi or title: give it one")
		}
		out = append(out, e)
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonErr(err)
	}
	return out, nil
}

// parseInterests reads the list of interests: texts, or {"text", "at"}.
func parseInterests(dec *json.Decoder, data []byte, lines lineIndex, jsonErr func(error) error, fail func(int64, string, ...any) error) ([]Interest, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, jsonErr(err)
	}
	if t == nil {
		return nil, nil
	}
	if t != json.Delim('[') {
		return nil, fail(dec.InputOffset(), "interests must be a list of texts")
	}
	var out []Interest
	for dec.More() {
		at := int64(skipJSONSpace(data, int(dec.InputOffset())))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonErr(err)
		}
		in := Interest{Line: lines.line(int(at))}
		if err := json.Unmarshal(raw, &in.Text); err != nil {
			var obj interestJSON
			d := json.NewDecoder(bytes.NewReader(raw))
			d.DisallowUnknownFields()
			if err := d.Decode(&obj); err != nil {
				return nil, fail(at, "an interest is a text, or {\"text\": ..., \"at\": ...}")
			}
			in.Text, in.At = obj.Text, obj.At
		}
		if strings.ContainsRune(in.Text+in.At, 0) {
			return nil, fail(at, "a NUL character in an interest: this is binary data, not a profile")
		}
		if strings.TrimSpace(in.Text) == "" {
			return nil, fail(at, "an interest without text")
		}
		out = append(out, in)
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonErr(err)
	}
	return out, nil
}

// identity is what tells a profile's papers apart.
func identity(e Entry) string {
	switch {
	case e.ID != "":
		return "id:" + e.ID
	case e.ArxivID != "":
		return "arxiv:" + e.ArxivID
	case e.DOI != "":
		return "doi:" + e.DOI
	}
	return "title:" + paper.TitleKey(e.Title)
}

func skipJSONSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r' || data[i] == ',') {
		i++
	}
	return i
}

// describeJSON names a JSON value's kind for messages.
func describeJSON(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "true or false"
	case nil:
		return "null"
	case float64:
		return "a fraction"
	case []any:
		return "a list"
	}
	return "an object"
}

func fieldName(f string) string {
	if f == "" {
		return "the profile"
	}
	return f
}
