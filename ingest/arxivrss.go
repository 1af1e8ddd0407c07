package ingest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/papersift/papersift/internal/lazyre"

	"github.com/papersift/papersift/paper"
)

// The arxiv-rss format: arXiv's per-category announcement feed as
// rss.arxiv.org serves it since January 2024, in either of its forms
// (https://info.arxiv.org/help/rss_specifications.html and
// atom_specifications.html):
//
//   - RSS 2.0 (rss.arxiv.org/rss/CAT): <rss><channel> with the channel's
//     <pubDate> (the announcement day), <skipDays> (Saturday, Sunday: the
//     feed is empty then and on holidays), and one <item> per announcement:
//     <title>, <link> (the abs page), <description> ("arXiv:ID Announce
//     Type: TYPE" then "Abstract: ..."), <guid> (oai:arXiv.org:IDvN),
//     <category> (one per subject class, the primary first), <pubDate>,
//     <arxiv:announce_type>, <dc:creator> (the authors, separated by
//     commas), and optionally <arxiv:DOI> and <arxiv:journal_reference>.
//   - Atom (rss.arxiv.org/atom/CAT): <feed> of <entry> with the same
//     fields: <id>oai:arXiv.org:IDvN</id>, <summary>, <category term>,
//     <published>, <link rel="alternate">.
//
// The announce types are new (first announced today), cross (a paper
// announced today whose primary category is another), replace and
// replace-cross (a new version of a paper announced before). New and cross
// announcements are papers; replacements are left out unless asked for
// (Options.Replacements) and counted in Listing.Replaced: a replaced paper
// is not news of the day, and a reader's list of the day would otherwise
// fill with papers from months or years ago.
//
// Several categories in one feed (rss.arxiv.org/rss/cs.CL+cs.LG) list a
// paper once per category it is announced in; it is one record here (a
// new announcement wins over a cross-listing). The XML is read as strictly
// as the arxiv format's: no DTD, no entity but XML's own.

const nsDC = "http://purl.org/dc/elements/1.1/"

type rssItem struct {
	Title        string   `xml:"title"`
	Link         string   `xml:"link"`
	Description  string   `xml:"description"`
	GUID         string   `xml:"guid"`
	Categories   []string `xml:"category"`
	PubDate      string   `xml:"pubDate"`
	AnnounceType string   `xml:"http://arxiv.org/schemas/atom announce_type"`
	Creator      string   `xml:"http://purl.org/dc/elements/1.1/ creator"`
	DOI          string   `xml:"http://arxiv.org/schemas/atom DOI"`
	Journal      string   `xml:"http://arxiv.org/schemas/atom journal_reference"`
}

type announceEntry struct {
	ID         string     `xml:"http://www.w3.org/2005/Atom id"`
	Title      string     `xml:"http://www.w3.org/2005/Atom title"`
	Summary    string     `xml:"http://www.w3.org/2005/Atom summary"`
	Published  string     `xml:"http://www.w3.org/2005/Atom published"`
	Updated    string     `xml:"http://www.w3.org/2005/Atom updated"`
	Links      []atomLink `xml:"http://www.w3.org/2005/Atom link"`
	Categories []struct {
		Term string `xml:"term,attr"`
	} `xml:"http://www.w3.org/2005/Atom category"`
	Authors []struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	AnnounceType string `xml:"http://arxiv.org/schemas/atom announce_type"`
	Creator      string `xml:"http://purl.org/dc/elements/1.1/ creator"`
	DOI          string `xml:"http://arxiv.org/schemas/atom DOI"`
	Journal      string `xml:"http://arxiv.org/schemas/atom journal_reference"`
}

// announcement is an item or an entry of either form.
type announcement struct {
	line                      int
	guid, link, desc          string
	title, creator            string
	authors                   []string // Atom <author><name>, when there is no dc:creator
	cats                      []string
	date, typ, doi, journal   string
	descID, descType, summary string
}

// feedInfo is what a feed says of itself besides its papers.
type feedInfo struct {
	items    int       // items or entries of every announce type
	day      string    // the channel's announcement day, YYYY-MM-DD
	skipDays []string  // <skipDays>: the week days the feed is empty
	lacking  []lacking // records the arXiv API may complete
}

// lacking is a record the feed gives without its abstract, title or
// authors.
type lacking struct {
	rec  Record // what the feed gave
	skip bool   // the record was skipped (no title or abstract), not kept
}

func parseArxivFeed(data []byte, source string, keepReplaced bool) (*Listing, *feedInfo, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = nil
	fail := func(msg string) error {
		line, _ := dec.InputPos()
		return &ParseError{Source: source, Line: line, Msg: msg}
	}
	xmlFail := func(err error) error {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return &ParseError{Source: source, Line: se.Line, Msg: "invalid XML: " + strings.TrimPrefix(se.Msg, "xml: ")}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &ParseError{Source: source, Line: lineAt(data, len(data)), Msg: "the XML ends early (truncated?)"}
		}
		return fail("invalid XML: " + strings.TrimPrefix(err.Error(), "xml: "))
	}
	if bytes.HasPrefix(data, []byte("<?xml")) {
		decl, _, _ := bytes.Cut(data, []byte("?>"))
		if enc := procInstEncoding(decl); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return nil, nil, &ParseError{Source: source, Line: 1, Msg: fmt.Sprintf("the XML declares encoding %q: papersift reads UTF-8 feeds", enc)}
		}
	}
	info := &feedInfo{}
	var anns []announcement
	root := "" // "rss" or "feed"
	depth := 0
	sawRoot := false
	updated := "" // an Atom feed's <updated>
	for {
		startLine, _ := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, xmlFail(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, nil, &ParseError{Source: source, Line: startLine,
				Msg: "a DTD or entity declaration (<!" + short(clean(string(t))) + ">): not followed; an arXiv feed has none"}
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, nil, &ParseError{Source: source, Line: startLine, Msg: "text outside any element: this is not XML (an arXiv announcement feed starts with <rss ...> or <feed ...>)"}
			}
		case xml.EndElement:
			depth--
		case xml.StartElement:
			depth++
			sawRoot = true
			line, _ := dec.InputPos()
			if depth == 1 {
				switch {
				case t.Name.Local == "rss" && t.Name.Space == "":
					root = "rss"
				case t.Name.Local == "feed" && t.Name.Space == nsAtom:
					root = "feed"
				case t.Name.Local == "RDF":
					return nil, nil, fail("an RSS 1.0 (RDF) feed, arXiv's format before 2024: papersift reads the feeds of https://rss.arxiv.org/rss/CATEGORY")
				default:
					return nil, nil, fail(fmt.Sprintf("XML whose root is <%s>, not <rss> or an Atom <feed>: papersift reads arXiv's announcement feeds (https://rss.arxiv.org/rss/CATEGORY)", t.Name.Local))
				}
				continue
			}
			// the elements read: rss/channel/{item,pubDate,skipDays}, feed/{entry,updated}
			var err error
			switch {
			case root == "rss" && depth == 2 && t.Name.Local == "channel":
				continue
			case root == "rss" && depth == 3 && t.Name.Local == "item":
				start := dec.InputOffset()
				var it rssItem
				if err = dec.DecodeElement(&it, &t); err == nil {
					if dec.InputOffset()-start > MaxRecordBytes {
						return nil, nil, &ParseError{Source: source, Line: line, Msg: fmt.Sprintf("an item larger than %s: this is not a listing", sizeString(MaxRecordBytes))}
					}
					anns = append(anns, announcement{line: line, guid: it.GUID, link: it.Link, desc: it.Description,
						title: it.Title, creator: it.Creator, cats: it.Categories, date: isoDate(it.PubDate),
						typ: it.AnnounceType, doi: it.DOI, journal: it.Journal})
				}
			case root == "rss" && depth == 3 && t.Name.Local == "pubDate":
				var v string
				if err = dec.DecodeElement(&v, &t); err == nil {
					info.day = isoDate(v)
				}
			case root == "rss" && depth == 3 && t.Name.Local == "skipDays":
				var v struct {
					Days []string `xml:"day"`
				}
				if err = dec.DecodeElement(&v, &t); err == nil {
					for _, d := range v.Days {
						if d = clean(d); d != "" && len(info.skipDays) < 7 {
							info.skipDays = append(info.skipDays, short(d))
						}
					}
				}
			case root == "feed" && depth == 2 && t.Name.Space == nsAtom && t.Name.Local == "entry":
				start := dec.InputOffset()
				var e announceEntry
				if err = dec.DecodeElement(&e, &t); err == nil {
					if dec.InputOffset()-start > MaxRecordBytes {
						return nil, nil, &ParseError{Source: source, Line: line, Msg: fmt.Sprintf("an entry larger than %s: this is not a listing", sizeString(MaxRecordBytes))}
					}
					a := announcement{line: line, guid: e.ID, desc: e.Summary, title: e.Title, creator: e.Creator,
						date: isoDate(e.Published), typ: e.AnnounceType, doi: e.DOI, journal: e.Journal}
					for _, k := range e.Links {
						if a.link == "" && (k.Rel == "alternate" || k.Rel == "") {
							a.link = k.Href
						}
					}
					for _, c := range e.Categories {
						a.cats = append(a.cats, c.Term)
					}
					for _, au := range e.Authors {
						a.authors = append(a.authors, au.Name)
					}
					anns = append(anns, a)
				}
			case root == "feed" && depth == 2 && t.Name.Space == nsAtom && t.Name.Local == "updated":
				var v string
				if err = dec.DecodeElement(&v, &t); err == nil {
					updated = isoDate(v)
				}
			default:
				continue
			}
			if err != nil {
				return nil, nil, xmlFail(err)
			}
			depth-- // DecodeElement read the end element
		}
	}
	if !sawRoot {
		return nil, nil, &ParseError{Source: source, Line: 1, Msg: "no XML element: an arXiv announcement feed starts with <rss ...> or <feed ...>"}
	}
	if depth != 0 {
		return nil, nil, &ParseError{Source: source, Line: lineAt(data, len(data)), Msg: "the XML ends early (truncated?)"}
	}
	l, err := announcements(anns, source, keepReplaced, info)
	if err != nil {
		return nil, nil, err
	}
	if info.day == "" {
		info.day = newestDay(l)
	}
	if info.day == "" && root == "feed" && len(anns) == 0 {
		info.day = updated
	}
	l.Date = info.day
	return l, info, nil
}

// newestDay is the latest announcement day of a listing's papers.
func newestDay(l *Listing) string {
	d := ""
	for _, p := range l.Papers {
		if p.Date > d {
			d = p.Date
		}
	}
	return d
}

var (
	// the title of the feeds before 2024: "Title. (arXiv:2401.01234v1 [cs.CL])"
	oldTitleSuffix = lazyre.New(`\s*\(arXiv:\S+ \[[^\]]*\][^)]*\)\s*$`)
	// the head of a description: "arXiv:2203.01250v3 Announce Type: replace-cross"
	descHead = lazyre.New(`^arXiv:(\S+)\s+Announce\s+Type:\s*([A-Za-z-]+)\s*$`)
)

// announcements turns a feed's announcements into records.
func announcements(anns []announcement, source string, keepReplaced bool, info *feedInfo) (*Listing, error) {
	l := &Listing{}
	info.items = len(anns)
	byID := map[string]int{}    // arXiv id -> index in l.Papers
	typeOf := map[string]bool{} // arXiv id -> kept as a new announcement
	replaced := map[string]bool{}
	var skippedIDs []string // the arXiv id of each skip, "" when none
	for n, a := range anns {
		where := fmt.Sprintf("item %d", n+1)
		a.descID, a.descType, a.summary = splitDescription(a.desc)
		typ := strings.ToLower(clean(a.typ))
		if typ == "" {
			typ = strings.ToLower(a.descType)
		}
		if typ == "" {
			typ = "new"
		}
		id := ""
		for _, c := range []string{a.descID, strings.TrimPrefix(strings.TrimSpace(a.guid), "oai:arXiv.org:"), a.link} {
			if id = paper.ArxivID(c); id != "" {
				break
			}
		}
		if strings.HasPrefix(typ, "replace") && !keepReplaced {
			if id != "" {
				replaced[id] = true
			} else {
				replaced[fmt.Sprint("item ", n)] = true
			}
			continue
		}
		rawID := id
		if rawID == "" {
			rawID = strings.TrimSpace(a.link)
		}
		title := oldTitleSuffix.ReplaceAllString(a.title, "")
		p := Record{Paper: paper.Paper{ID: rawID, ArxivID: id, Title: title, Abstract: a.summary, Date: a.date}, Line: a.line}
		if a.creator != "" {
			p.Authors = splitCreators(a.creator)
		} else {
			p.Authors = cleanNames(a.authors)
		}
		for _, c := range a.cats {
			if c = clean(c); c != "" {
				p.Category = short(c)
				break
			}
		}
		p.DOI = feedDOI(a.doi)
		p.Journal = clean(a.journal)
		if p.Date == "" {
			p.Date = info.day
		}
		if i, dup := byID[id]; id != "" && dup {
			// listed again under another category of the feed: one paper,
			// and a new announcement says more than a cross-listing
			if typ == "new" && !typeOf[id] && !blank(p.Title) && !blank(p.Abstract) {
				finish(&p.Paper)
				if err := checkNUL(&p.Paper, source, p.Line); err != nil {
					return nil, err
				}
				p.Line = l.Papers[i].Line
				l.Papers[i], typeOf[id] = p, true
			}
			continue
		}
		missing := ""
		switch {
		case blank(p.Title):
			missing = "title"
		case blank(p.Abstract):
			missing = "abstract"
		}
		if missing != "" {
			l.Skipped = append(l.Skipped, Skip{Line: a.line, Reason: fmt.Sprintf("%s (%s) has no %s", where, name(rawID, p.Title), missing)})
			skippedIDs = append(skippedIDs, id)
			if id != "" {
				p.ID = id
				info.lacking = append(info.lacking, lacking{rec: p, skip: true})
			}
			continue
		}
		finish(&p.Paper)
		if err := checkNUL(&p.Paper, source, p.Line); err != nil {
			return nil, err
		}
		if id != "" {
			byID[id], typeOf[id] = len(l.Papers), typ == "new"
			if len(p.Authors) == 0 {
				info.lacking = append(info.lacking, lacking{rec: p})
			}
		}
		l.Papers = append(l.Papers, p)
	}
	// a record skipped once but given whole by another item is no loss
	kept := l.Skipped[:0]
	for i, sk := range l.Skipped {
		if _, ok := byID[skippedIDs[i]]; !ok || skippedIDs[i] == "" {
			kept = append(kept, sk)
		}
	}
	l.Skipped = kept
	lack := info.lacking[:0]
	for _, lk := range info.lacking {
		if _, ok := byID[lk.rec.ID]; !lk.skip || !ok {
			lack = append(lack, lk)
		}
	}
	info.lacking = lack
	// a replaced paper also announced as new or cross today is no replacement
	for id := range replaced {
		if _, ok := byID[id]; !ok {
			l.Replaced++
		}
	}
	return l, nil
}

// splitDescription reads "arXiv:ID Announce Type: TYPE Abstract: TEXT";
// a description of another shape is all abstract.
func splitDescription(desc string) (id, typ, abstract string) {
	s := strings.TrimSpace(desc)
	if !strings.HasPrefix(s, "arXiv:") {
		return "", "", s
	}
	head, rest, ok := strings.Cut(s, "Abstract:")
	if !ok {
		head, rest = s, ""
	}
	if len(head) > 200 {
		return "", "", s
	}
	m := descHead.FindStringSubmatch(strings.TrimSpace(head))
	if m == nil {
		return "", "", s
	}
	return m[1], m[2], rest
}

// splitCreators splits dc:creator, "A, B, C" (or "A, B and C"), into names.
func splitCreators(s string) []string {
	parts := strings.Split(s, ",")
	last := parts[len(parts)-1]
	if i := strings.LastIndex(last, " and "); i >= 0 {
		parts = append(parts[:len(parts)-1], last[:i], last[i+len(" and "):])
	}
	return cleanNames(parts)
}

// feedDOI is a DOI as papersift keeps it: lowercase, without a resolver's
// prefix; the first when there are several; "" when it is none.
func feedDOI(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	d := f[0]
	for _, p := range []string{"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"} {
		if len(d) >= len(p) && strings.EqualFold(d[:len(p)], p) {
			d = d[len(p):]
			break
		}
	}
	if !strings.HasPrefix(d, "10.") || len(d) > 300 {
		return ""
	}
	return strings.ToLower(d)
}
