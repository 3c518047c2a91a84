package service

import (
	"strings"
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
)

// The built-in contacts: Cardiff's sample entry over the default (the
// Tribunal); another authority gets the default alone. A file read over
// them replaces services one by one, and its entry's sample mark replaces
// the built-in one's.
func TestRightsContacts(t *testing.T) {
	const cardiff, swansea = "org_la_W06000015", "org_la_W06000011"
	def := DefaultRightsContacts()
	c := def.For(cardiff)
	if !c.Sample || !c.ALNOfficer.Valid() || !strings.Contains(c.ALNOfficer.Name.CY, "Caerdydd") || !c.Tribunal.Valid() {
		t.Fatalf("Cardiff's built-in contacts: %+v", c)
	}
	if c := def.For(swansea); c.Sample || c.ALNOfficer != nil || !c.Tribunal.Valid() {
		t.Fatalf("Swansea's built-in contacts: %+v", c)
	}

	over, err := LoadRightsContacts([]byte(`{"default": {}, "organisations": {"org_la_W06000015": {"advocacy": {"name": {"en": "Advocacy Cardiff", "cy": "Eiriolaeth Caerdydd"}, "phone": "029 0000 0000"}}}}`), def)
	if err != nil {
		t.Fatal(err)
	}
	c = over.For(cardiff)
	if c.Sample || c.Advocacy.Phone != "029 0000 0000" || c.ALNOfficer == nil || c.Tribunal == nil {
		t.Fatalf("Cardiff after the file: %+v", c)
	}
	if r := over.Rights(cardiff, cynllun.OrgSchool, "Ysgol", "Caerdydd"); r.MaintainerKind != cynllun.OrgSchool || r.Contacts.Advocacy.Name.EN != "Advocacy Cardiff" {
		t.Fatalf("rights: %+v", r)
	}
	if def.For(cardiff).Advocacy.Name.EN == "Advocacy Cardiff" {
		t.Fatal("the file changed the built-in contacts")
	}

	for _, tt := range []struct{ name, file, msg string }{
		{"not JSON", `{`, "rights contacts"},
		{"unknown field", `{"default": {"mayor": {}}}`, "unknown field"},
		{"no Welsh name", `{"default": {"tribunal": {"name": {"en": "ETW"}, "web": "https://example.invalid"}}}`, "default: tribunal needs a name in English and Welsh"},
		{"no way to reach", `{"organisations": {"org_la_W06000011": {"advocacy": {"name": {"en": "A", "cy": "E"}}}}}`, "org_la_W06000011: advocacy needs"},
		{"not an organisation", `{"organisations": {"W06000011": {}}}`, "is not an organisation id"},
	} {
		if _, err := LoadRightsContacts([]byte(tt.file), def); cynllun.ErrorCode(err) != cynllun.CodeInvalid || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	var nilContacts *RightsContacts
	if nilContacts.For(cardiff) != (*docgen.Contacts)(nil) {
		t.Error("nil contacts give contacts")
	}
}
