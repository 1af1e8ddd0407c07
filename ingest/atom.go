package ingest

import (
	"github.com/papersift/papersift/paper"

	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The arxiv format: an arXiv API Atom feed (export.arxiv.org/api/query?...).
// Each <entry> is a paper: <id> (an abs URL with the version), <title>,
// <summary>, <author><name>, <published>, <arxiv:primary_category term>,
// <link rel="alternate"> (the abs page) and related links (pdf, doi). The
// feed's opensearch:totalResults/startIndex/itemsPerPage say which page of
// the result it is.
//
// The XML is read strictly: a DTD (<!DOCTYPE ...>) is refused and entities
// other than XML's five are errors, never expanded, so an entity bomb or an
// external entity fails at once without being followed.

const (
	nsAtom       = "http://www.w3.org/2005/Atom"
	nsArxiv      = "http://arxiv.org/schemas/atom"
	nsOpenSearch = "http://a9.com/-/spec/opensearch/1.1/"
)

type atomLink struct {
	Href  string `xml:"href,attr"`
	Rel   string `xml:"rel,attr"`
	Title string `xml:"title,attr"`
	Type  string `xml:"type,attr"`
}

type atomEntry struct {
	ID        string `xml:"http://www.w3.org/2005/Atom id"`
	Published string `xml:"http://www.w3.org/2005/Atom published"`
	Updated   string `xml:"http://www.w3.org/2005/Atom updated"`
	Title     string `xml:"http://www.w3.org/2005/Atom title"`
	Summary   string `xml:"http://www.w3.org/2005/Atom summary"`
	Authors   []struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Links   []atomLink `xml:"http://www.w3.org/2005/Atom link"`
	Primary struct {
		Term string `xml:"term,attr"`
	} `xml:"http://arxiv.org/schemas/atom primary_category"`
	Categories []struct {
		Term string `xml:"term,attr"`
	} `xml:"http://www.w3.org/2005/Atom category"`
}

func parseAtom(data []byte, source string) (*Listing, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = nil // only &lt; &gt; &amp; &apos; &quot; and character references
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
			return nil, &ParseError{Source: source, Line: 1, Msg: fmt.Sprintf("the XML declares encoding %q: papersift reads UTF-8 feeds", enc)}
		}
	}
	l := &Listing{}
	var paging Paging
	havePaging := false
	depth := 0
	entries := 0
	sawRoot := false
	for {
		startLine, _ := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, xmlFail(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, &ParseError{Source: source, Line: startLine,
				Msg: "a DTD or entity declaration (<!" + short(clean(string(t))) + ">): not followed; an arXiv Atom feed has none"}
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, &ParseError{Source: source, Line: startLine, Msg: "text outside any element: this is not XML (an arXiv Atom feed starts with <feed ...>)"}
			}
		case xml.EndElement:
			depth--
		case xml.StartElement:
			depth++
			sawRoot = true
			if depth == 1 {
				if t.Name.Local != "feed" || t.Name.Space != nsAtom {
					return nil, fail(fmt.Sprintf("XML whose root is <%s>, not an Atom <feed>: papersift reads arXiv API Atom feeds", t.Name.Local))
				}
				continue
			}
			if depth != 2 {
				continue
			}
			line, _ := dec.InputPos()
			switch {
			case t.Name.Space == nsAtom && t.Name.Local == "entry":
				start := dec.InputOffset()
				var e atomEntry
				if err := dec.DecodeElement(&e, &t); err != nil {
					return nil, xmlFail(err)
				}
				depth--
				if dec.InputOffset()-start > MaxRecordBytes {
					return nil, &ParseError{Source: source, Line: line, Msg: fmt.Sprintf("an entry larger than %s: this is not a listing", sizeString(MaxRecordBytes))}
				}
				entries++
				if strings.Contains(e.ID, "arxiv.org/api/errors") {
					return nil, &ParseError{Source: source, Line: line, Msg: "the arXiv API answered with an error: " + clean(e.Summary)}
				}
				p, reason := e.paper(fmt.Sprintf("entry %d", entries))
				if reason != "" {
					l.Skipped = append(l.Skipped, Skip{Line: line, Reason: reason})
					continue
				}
				p.Line = line
				l.Papers = append(l.Papers, p)
				if p.Date > l.Date {
					l.Date = p.Date
				}
			case t.Name.Space == nsOpenSearch:
				var v string
				if err := dec.DecodeElement(&v, &t); err != nil {
					return nil, xmlFail(err)
				}
				depth--
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil {
					continue
				}
				switch t.Name.Local {
				case "totalResults":
					paging.Total, havePaging = n, true
				case "startIndex":
					paging.Start, havePaging = n, true
				case "itemsPerPage":
					paging.PerPage, havePaging = n, true
				}
			}
		}
	}
	if !sawRoot {
		return nil, &ParseError{Source: source, Line: 1, Msg: "no XML element: an arXiv Atom feed starts with <feed ...>"}
	}
	if depth != 0 {
		return nil, &ParseError{Source: source, Line: lineAt(data, len(data)), Msg: "the XML ends early (truncated?)"}
	}
	if havePaging {
		l.Paging = &paging
	}
	return l, nil
}

// procInstEncoding reads encoding="..." of an XML declaration.
func procInstEncoding(inst []byte) string {
	s := string(inst)
	i := strings.Index(s, "encoding=")
	if i < 0 {
		return ""
	}
	s = s[i+len("encoding="):]
	if len(s) < 2 {
		return ""
	}
	q := s[0]
	if q != '"' && q != '\'' {
		return ""
	}
	s = s[1:]
	if j := strings.IndexByte(s, q); j >= 0 {
		return s[:j]
	}
	return ""
}

func (e *atomEntry) paper(where string) (Record, string) {
	id := strings.TrimSpace(e.ID)
	p := Record{Paper: paper.Paper{ID: id, ArxivID: paper.ArxivID(id), Title: e.Title, Abstract: e.Summary}}
	if blank(p.Title) {
		return p, fmt.Sprintf("%s (%s) has no title", where, name(id, ""))
	}
	if blank(p.Abstract) {
		return p, fmt.Sprintf("%s (%s) has no summary", where, name(id, p.Title))
	}
	for _, a := range e.Authors {
		p.Authors = append(p.Authors, a.Name)
	}
	p.Authors = cleanNames(p.Authors)
	p.Date = isoDate(e.Published)
	if p.Date == "" {
		p.Date = isoDate(e.Updated)
	}
	p.Category = strings.TrimSpace(e.Primary.Term)
	if p.Category == "" && len(e.Categories) > 0 {
		p.Category = strings.TrimSpace(e.Categories[0].Term)
	}
	for _, k := range e.Links {
		href := strings.TrimSpace(k.Href)
		switch {
		case href == "":
		case k.Rel == "alternate" || k.Rel == "":
			if p.URL == "" {
				p.URL = href
			}
		case !contains(p.Links, href):
			p.Links = append(p.Links, href)
		}
	}
	if p.ArxivID != "" {
		p.URL = "https://arxiv.org/abs/" + p.ArxivID // the abs page of the latest version
	}
	finish(&p.Paper)
	return p, ""
}
