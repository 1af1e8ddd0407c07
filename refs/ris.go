package refs

import (
	"fmt"
	"strings"

	"github.com/papersift/papersift/internal/lazyre"
)

// risLineRe is a tagged line: two characters, one or two spaces (some
// exporters write one), a hyphen, and the value after a space.
var risLineRe = lazyre.New(`^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$`)

// ParseRIS reads RIS as reference managers and publishers export it: a
// record runs from TY to ER; a line without a tag continues the value
// before it; text outside records (a publisher's header) is ignored.
//
// Title is TI, else T1, else CT, else BT; authors AU and A1; abstract AB,
// else N2; DOI from DO (bare or a doi.org link) or a doi.org UR; the
// arXiv id from UR, DO, the links, notes and journal names; the date from
// DA, else PY, else Y1 ("2017/06/12/"). A record without ER, and a tagged
// line outside a record, are errors naming the line.
func ParseRIS(data []byte, name string) (*File, error) {
	data, name, err := prepare(data, name)
	if err != nil {
		return nil, err
	}
	f := &File{Name: name, Format: FormatRIS}
	var rec *risRecord
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		n := i + 1
		l = strings.TrimRight(l, "\r")
		m := risLineRe.FindStringSubmatch(strings.TrimRight(l, " \t"))
		if m == nil {
			if rec != nil && rec.last != nil && strings.TrimSpace(l) != "" {
				rec.last.WriteByte(' ')
				rec.last.WriteString(strings.TrimSpace(l))
			}
			continue
		}
		tag, val := m[1], strings.TrimSpace(m[2])
		switch {
		case tag == "TY":
			if rec != nil {
				return nil, &ParseError{Source: name, Line: rec.line, Msg: fmt.Sprintf("the record of line %d has no ER line before the next record (line %d): end each record with a line \"ER  - \"", rec.line, n)}
			}
			rec = &risRecord{line: n, typ: val, raw: map[string][]*strings.Builder{}}
		case rec == nil:
			return nil, &ParseError{Source: name, Line: n, Msg: fmt.Sprintf("the %s line is outside a record: a record starts with a line \"TY  - \" and ends with \"ER  - \"", tag)}
		case tag == "ER":
			f.add(rec.entry())
			rec = nil
		default:
			b := &strings.Builder{}
			b.WriteString(val)
			rec.raw[tag] = append(rec.raw[tag], b)
			rec.last = b
		}
	}
	if rec != nil {
		return nil, &ParseError{Source: name, Line: rec.line, Msg: "this record has no ER line: end each record with a line \"ER  - \" (or the file is cut short)"}
	}
	if err := f.empty("RIS records"); err != nil {
		return nil, err
	}
	return f, nil
}

type risRecord struct {
	line int
	typ  string
	raw  map[string][]*strings.Builder
	last *strings.Builder // the value a continuation line belongs to
	tags map[string][]string
}

func (r *risRecord) first(tags ...string) string {
	for _, t := range tags {
		for _, v := range r.tags[t] {
			if v = collapse(v); v != "" {
				return v
			}
		}
	}
	return ""
}

func (r *risRecord) entry() Entry {
	r.tags = make(map[string][]string, len(r.raw))
	for t, bs := range r.raw {
		for _, b := range bs {
			r.tags[t] = append(r.tags[t], b.String())
		}
	}
	e := Entry{Line: r.line, Type: r.typ, Key: r.first("ID")}
	e.Title = r.first("TI", "T1", "CT")
	if e.Title == "" && r.typ == "BOOK" {
		e.Title = r.first("BT")
	}
	e.Abstract = r.first("AB", "N2")
	for _, t := range []string{"AU", "A1"} {
		for _, a := range r.tags[t] {
			e.Authors = append(e.Authors, personName(a))
		}
	}
	for _, u := range append(append([]string{}, r.tags["UR"]...), r.tags["LK"]...) {
		if e.URL = firstURL(strings.ReplaceAll(u, ";", " ")); e.URL != "" {
			break
		}
	}
	e.DOI = NormalizeDOI(r.first("DO"))
	for _, u := range r.tags["UR"] {
		if e.DOI == "" {
			e.DOI = NormalizeDOI(firstURL(u))
		}
	}
	for _, t := range []string{"UR", "DO", "L1", "L2", "L3", "L4", "LK", "AN", "N1", "M1", "M3", "JO", "JF", "JA", "J2", "T2"} {
		for _, v := range r.tags[t] {
			if e.ArxivID == "" {
				e.ArxivID = findArxiv(v)
			}
		}
	}
	for _, t := range []string{"DA", "PY", "Y1"} {
		if v := r.first(t); v != "" {
			if e.Year, e.Date = isoDate(v); e.Year != "" {
				break
			}
		}
	}
	return e
}
