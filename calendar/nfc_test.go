package calendar

import (
	"strings"
	"testing"
)

// TestParseICSNFC: names and notes in an exported calendar arrive in
// Unicode NFC even when the file holds decomposed letters, including a
// letter whose accent a folded line put on the next line (issue 18).
func TestParseICSNFC(t *testing.T) {
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:Ysgol Glyndw\u0302r\r\n" +
		"BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20250901\r\nDTEND;VALUE=DATE:20251220\r\nSUMMARY:Tymor yr Hydref\r\nX-CYNLLUN-NAME-CY:Tymor yr Hydref yn Nhy\r\n \u0302 Gwyn\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20251208\r\nSUMMARY:Gw\u0302yl y Banc\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	c, err := ParseICS([]byte(ics))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Ysgol Glyndŵr" {
		t.Errorf("name %+q", c.Name)
	}
	if len(c.Terms) != 1 || c.Terms[0].NameCy != "Tymor yr Hydref yn Nhŷ Gwyn" {
		t.Errorf("terms %+v", c.Terms)
	}
	if len(c.Closures) != 1 || c.Closures[0].Note != "Gŵyl y Banc" {
		t.Errorf("closures %+v", c.Closures)
	}
	for _, s := range []string{c.Name, c.Terms[0].NameCy, c.Closures[0].Note} {
		if strings.ContainsRune(s, '\u0302') {
			t.Errorf("%+q keeps a combining mark", s)
		}
	}
}
