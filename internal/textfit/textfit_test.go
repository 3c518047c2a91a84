package textfit

import (
	"slices"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

func TestLines(t *testing.T) {
	f, err := sfnt.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	m := New(f)
	w := m.Width("Siôn ap Ŵyn", 10) // one line holds exactly this
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Siôn ap Ŵyn", []string{"Siôn ap Ŵyn"}},
		{"Siôn  ap Ŵyn Llŷr", []string{"Siôn ap Ŵyn", "Llŷr"}},
		{"Siônapŵynllŷrgwenllïan", nil}, // broken between characters, checked below
	} {
		got := m.Lines(tt.in, 10, w)
		if tt.want != nil && !slices.Equal(got, tt.want) {
			t.Errorf("%q: %q, want %q", tt.in, got, tt.want)
		}
		for _, l := range got {
			if m.Width(l, 10) > w {
				t.Errorf("%q: line %q is wider than the width", tt.in, l)
			}
		}
	}
	if got := m.Lines("Siônapŵynllŷrgwenllïan", 10, w); len(got) < 2 {
		t.Errorf("a long word was not broken: %q", got)
	}
	if m.Width("ŵ", 10) <= 0 || m.Width("ab", 10) <= m.Width("a", 10) {
		t.Error("widths do not add up")
	}
	if got := Paragraphs("a\r\nb\u2028c"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Paragraphs = %q", got)
	}
	if got := OneLine(" a\n\tb  c "); got != "a b c" {
		t.Errorf("OneLine = %q", got)
	}
}
