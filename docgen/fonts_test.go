package docgen

import (
	"bytes"
	"testing"
)

// TestFontCache: the Go fonts parsed once are in use, and a document made
// with them is byte for byte the one whose fonts gofpdf parses itself.
func TestFontCache(t *testing.T) {
	if _, err := fontCache(); err != nil {
		t.Fatalf("the parsed fonts cannot be reused (so every document parses them again): %v", err)
	}
	renders := map[string]func() ([]byte, error){
		"plan":    func() ([]byte, error) { return RenderPlan(samplePlan(10), LangBilingual) },
		"meeting": func() ([]byte, error) { return RenderMeeting(SampleMeeting(), LangCY) },
		"table":   func() ([]byte, error) { return RenderTable(sampleTable(60), LangEN) },
	}
	for name, render := range renders {
		cached, err := render()
		if err != nil {
			t.Fatal(err)
		}
		parseFontsEachTime = true
		parsed, err := render()
		parseFontsEachTime = false
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(cached, parsed) {
			t.Errorf("%s: %d bytes with the parsed-once fonts, %d when parsed for the document, and they differ", name, len(cached), len(parsed))
		}
	}
}
