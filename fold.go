package cynllun

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and strips diacritics, so that a search for "sion"
// finds "Siôn" and "llyr" finds "Llŷr".
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// NFC returns s in Unicode Normalization Form C. Every string that enters
// from outside (API inputs, upload names, imported files) passes through it
// first, so "w" + U+0302 is stored, compared and rendered as "ŵ".
func NFC(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}
