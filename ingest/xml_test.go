package ingest

import (
	"runtime"
	"strings"
	"testing"
)

// TestXMLBombs: entity declarations are refused and entities never
// expanded, so a billion-laughs document or an external entity fails at
// once, with a line, having allocated little.
func TestXMLBombs(t *testing.T) {
	laughs := `<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>&lol9;</title><summary>&lol9;</summary></entry></feed>`
	external := `<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>&xxe;</title><summary>s</summary></entry></feed>`
	// no DTD, but an entity the document never declared
	undeclared := "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<entry><id>1</id><title>&lol9;</title><summary>s</summary></entry></feed>"
	tests := []struct {
		name, data, format string
		line               int
		msg                string
	}{
		{"billion laughs", laughs, "", 2, "DTD or entity declaration"},
		{"billion laughs as arxiv", laughs, "arxiv", 2, "DTD or entity declaration"},
		{"external entity", external, "arxiv", 2, "not followed"},
		{"undeclared entity", undeclared, "", 2, "invalid character entity &lol9;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ParseBytes([]byte(tt.data), Options{Source: "bomb.xml", Format: tt.format})
			runtime.ReadMemStats(&after)
			pe, ok := err.(*ParseError)
			if !ok || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Fatalf("got %v; want bomb.xml:%d: ...%s", err, tt.line, tt.msg)
			}
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
				t.Errorf("allocated %d bytes parsing a %d-byte bomb: the entities were expanded?", grown, len(tt.data))
			}
		})
	}
}

// TestXMLEncoding: a feed in another encoding than UTF-8 is refused by name.
func TestXMLEncoding(t *testing.T) {
	data := `<?xml version="1.0" encoding="ISO-8859-1"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>`
	_, err := ParseBytes([]byte(data), Options{Source: "latin.xml"})
	if err == nil || !strings.Contains(err.Error(), `latin.xml:1: the XML declares encoding "ISO-8859-1"`) {
		t.Errorf("got %v", err)
	}
}
