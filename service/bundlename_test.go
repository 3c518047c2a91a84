package service

import (
	"testing"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

func TestBundleFileName(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    BundleContents
		want string
	}{
		{"English, with a reference", BundleContents{CaseRef: "ETW/26/0042", Learner: "Siôn Llŷr", Lang: cynllun.RenderEN},
			"Tribunal bundle – ETW-26-0042 – S.Ll. – v3 (EN).pdf"},
		{"Welsh", BundleContents{CaseRef: "ETW/26/0042", Learner: "Ffion ap Dafydd", Lang: cynllun.RenderCY},
			"Bwndel y tribiwnlys – ETW-26-0042 – Ff.A.D. – fersiwn 3 (CY).pdf"},
		{"bilingual, no reference yet", BundleContents{Learner: "siân thomas", Lang: cynllun.RenderBilingual},
			"Bwndel y tribiwnlys – cas_1 – S.Th. – fersiwn 3 (CY-EN).pdf"},
		{"a disagreement", BundleContents{Heading: form.Text{EN: "Disagreement resolution"}, Learner: "Ann", Lang: cynllun.RenderEN},
			"Case bundle – cas_1 – A. – v3 (EN).pdf"},
		{"hostile reference and name", BundleContents{CaseRef: "a\"b\\c:\u202Ed\r\n", Learner: "\u200Fx \"y", Lang: cynllun.RenderEN},
			"Tribunal bundle – abcd – X.Y. – v3 (EN).pdf"},
	} {
		if got := BundleFileName(&tt.c, "cas_1", 3); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	c := BundleContents{CaseRef: "R1", Learner: "Ann Bell", Lang: cynllun.RenderEN}
	if got := BundleManifestFileName(&c, "cas_1", 2); got != "Tribunal bundle – R1 – A.B. – v2 manifest (EN).json" {
		t.Errorf("manifest name %q", got)
	}
}
