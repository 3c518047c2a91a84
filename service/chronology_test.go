package service

import (
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// TestNoticeWords (issue 16 item 2): the chronology names the right of
// appeal only where one lies; a maintained school's decision notice names
// the next step its route gives (the local authority reconsiders), and a
// notice from a body the record does not hold claims neither.
func TestNoticeWords(t *testing.T) {
	r := &recordReader{orgs: map[string]*cynllun.Organisation{
		"org_school": {ID: "org_school", Kind: cynllun.OrgSchool},
		"org_la":     {ID: "org_la", Kind: cynllun.OrgLocalAuthority},
	}}
	body := form.Text{EN: "Ysgol Pen-y-Garth", CY: "Ysgol Pen-y-Garth"}
	for _, tc := range []struct {
		org      string
		decision cynllun.DisputedKind
		en, cy   string
	}{
		{"org_school", cynllun.DisputedHasALN,
			"Decision notice given by Ysgol Pen-y-Garth; no appeal lies against it: next, ask the local authority to reconsider",
			"Rhoddodd Ysgol Pen-y-Garth hysbysiad o'r penderfyniad; nid oes apêl yn ei erbyn: nesaf, gofyn i'r awdurdod lleol ailystyried"},
		{"org_la", cynllun.DisputedProvision,
			"Decision notice, with the right of appeal, given by Ysgol Pen-y-Garth",
			"Rhoddodd Ysgol Pen-y-Garth hysbysiad o'r penderfyniad, gyda'r hawl i apelio"},
		{"org_elsewhere", "",
			"Decision notice given by Ysgol Pen-y-Garth",
			"Rhoddodd Ysgol Pen-y-Garth hysbysiad o'r penderfyniad"},
	} {
		got := r.noticeWords(cynllun.StatutoryEvent{Kind: cynllun.EventDecisionNoticeGiven, OrgID: tc.org, Decision: tc.decision}, body)
		if got.EN != tc.en || got.CY != tc.cy {
			t.Errorf("%s %s: %+v", tc.org, tc.decision, got)
		}
	}
}
