package service

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
)

// RightsContacts are who a family contacts about a plan or a decision, per
// local authority: the rights and contacts page of every rendered IDP and
// decision prints those of the learner's authority (docgen.Rights). They
// are data: the built-in rights_contacts.json, replaced or extended by the
// RIGHTS_CONTACTS file.
type RightsContacts struct {
	def   docgen.Contacts
	perLA map[string]docgen.Contacts
}

type rightsFile struct {
	Note          string                     `json:"note,omitempty"`
	Default       docgen.Contacts            `json:"default"`
	Organisations map[string]docgen.Contacts `json:"organisations"`
}

//go:embed rights_contacts.json
var builtinRightsContacts []byte

// DefaultRightsContacts are the built-in contacts.
func DefaultRightsContacts() *RightsContacts {
	c, err := LoadRightsContacts(builtinRightsContacts, nil)
	if err != nil {
		panic("service: rights_contacts.json: " + err.Error())
	}
	return c
}

// LoadRightsContacts reads a contacts file over base (nil: none): its
// default's services replace base's one by one, and so do each
// organisation's, so a file need hold only what it changes. Every service
// given needs its name in English and Welsh and a way to reach it.
func LoadRightsContacts(data []byte, base *RightsContacts) (*RightsContacts, error) {
	const op = "service.LoadRightsContacts"
	var f rightsFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, cynllun.E(cynllun.CodeInvalid, op, "rights contacts: "+err.Error())
	}
	out := &RightsContacts{perLA: map[string]docgen.Contacts{}}
	if base != nil {
		out.def = base.def
		for id, c := range base.perLA {
			out.perLA[id] = c
		}
	}
	if err := checkContacts("default", f.Default); err != nil {
		return nil, cynllun.E(cynllun.CodeInvalid, op, err.Error())
	}
	out.def = overlay(out.def, f.Default, true)
	for id, c := range f.Organisations {
		if !strings.HasPrefix(id, cynllun.PrefixOrganisation) {
			return nil, cynllun.E(cynllun.CodeInvalid, op, fmt.Sprintf("rights contacts: %q is not an organisation id", id))
		}
		if err := checkContacts(id, c); err != nil {
			return nil, cynllun.E(cynllun.CodeInvalid, op, err.Error())
		}
		out.perLA[id] = overlay(out.perLA[id], c, true)
	}
	return out, nil
}

func checkContacts(where string, c docgen.Contacts) error {
	for _, s := range []struct {
		name string
		c    *docgen.Contact
	}{{"alnOfficer", c.ALNOfficer}, {"disagreementResolution", c.DisagreementResolution}, {"advocacy", c.Advocacy}, {"tribunal", c.Tribunal}} {
		if s.c != nil && !s.c.Valid() {
			return fmt.Errorf("rights contacts: %s: %s needs a name in English and Welsh and a phone number, email or web address", where, s.name)
		}
	}
	return nil
}

// overlay is base with the services over gives replacing its own. An
// entry read from a file replaces the sample mark of the entry it
// overlays (a real authority's details over the built-in sample); the
// contacts printed are samples if either part is.
func overlay(base, over docgen.Contacts, replaceMark bool) docgen.Contacts {
	out := base
	out.Sample = over.Sample || (base.Sample && !replaceMark)
	for _, p := range []struct{ dst, src **docgen.Contact }{
		{&out.ALNOfficer, &over.ALNOfficer}, {&out.DisagreementResolution, &over.DisagreementResolution},
		{&out.Advocacy, &over.Advocacy}, {&out.Tribunal, &over.Tribunal},
	} {
		if *p.src != nil {
			*p.dst = *p.src
		}
	}
	return out
}

// For returns the contacts of a local authority: its own entry over the
// default.
func (rc *RightsContacts) For(laID string) *docgen.Contacts {
	if rc == nil {
		return nil
	}
	c := overlay(rc.def, rc.perLA[laID], false)
	return &c
}

// Rights is the rights and contacts page of a plan maintained by a body
// of kind maintainerKind, for a learner of the local authority laID; the
// names are display names in the document's language.
func (rc *RightsContacts) Rights(laID string, maintainerKind cynllun.OrgKind, maintainer, la string) *docgen.Rights {
	return &docgen.Rights{MaintainerKind: maintainerKind, Maintainer: maintainer, LocalAuthority: la, Contacts: rc.For(laID)}
}
