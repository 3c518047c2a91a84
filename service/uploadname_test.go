package service

import "testing"

func TestCleanName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"llun Sio\u0302n.png", "llun Siôn.png"},            // decomposed, as macOS sends it
		{`C:\Users\rhiant\Tŷ Gwyn.pdf`, "Tŷ Gwyn.pdf"},      // a Windows path
		{"/Users/rhiant/Glyndw\u0302r.pdf ", "Glyndŵr.pdf"}, // a path, decomposed, trailing space
		{"adroddiad.pdf", "adroddiad.pdf"},                  // unchanged
		{"W\u0302yn/", ""},                                  // a folder: no name
	} {
		if got := cleanName(tt.in); got != tt.want {
			t.Errorf("cleanName(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}
