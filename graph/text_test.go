package graph

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestUnmarshalStringNFC(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"decomposed circumflexes", "Ty\u0302 Gwyn, Glyndw\u0302r, Sio\u0302n", "Tŷ Gwyn, Glyndŵr, Siôn"},
		{"precomposed unchanged", "Tŷ Gwyn", "Tŷ Gwyn"},
		{"diaeresis and acute", "Gwenlli\u0308an, cafe\u0301", "Gwenllïan, café"},
		{"capital W circumflex", "W\u0302yn", "Ŵyn"},
		{"a number as gqlgen reads it", json.Number("12"), "12"},
		{"plain ASCII", "Cardiff", "Cardiff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []func(any) (string, error){UnmarshalString, UnmarshalID} {
				got, err := f(tt.in)
				if err != nil || got != tt.want {
					t.Errorf("got %q (%+q), %v; want %q", got, got, err, tt.want)
				}
			}
		})
	}
	if _, err := UnmarshalString(map[string]any{}); err == nil {
		t.Error("an object read as a String")
	}
}

// FuzzUnmarshalString: whatever a client sends, the String the domain sees
// is NFC, canonically equivalent to what was sent, and reading it again
// changes nothing.
func FuzzUnmarshalString(f *testing.F) {
	for _, s := range []string{"Ty\u0302 Gwyn", "Glyndw\u0302r", "Sio\u0302n", "", "a\u0302\u0301\u0323", "\u0302w", "\xff\xfe", "ŵŷ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := UnmarshalString(s)
		if err != nil {
			t.Fatalf("%+q: %v", s, err)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("%+q gave %+q, not NFC", s, got)
		}
		if utf8.ValidString(s) && norm.NFD.String(got) != norm.NFD.String(s) {
			t.Fatalf("%+q gave %+q, not canonically equivalent", s, got)
		}
		again, _ := UnmarshalString(got)
		if again != got {
			t.Fatalf("%+q: not idempotent: %+q then %+q", s, got, again)
		}
		id, _ := UnmarshalID(s)
		if id != got {
			t.Fatalf("%+q: ID %+q, String %+q", s, id, got)
		}
	})
}
