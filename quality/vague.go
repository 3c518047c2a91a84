package quality

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cynllun/cynllun"
)

// Match is a vague or unquantified phrase found in a text.
type Match struct {
	// Entry is the id of the lexicon entry ("cy.yn_ol_yr_angen").
	Entry string
	// Phrase is the entry's phrase as the lexicon spells it ("yn ôl yr angen").
	Phrase string
	// Text is the span as written in the text (text[Start:End]), which may be
	// mutated, unaccented or spread over several spaces ("yn ol  yr angen").
	Text string
	// Start and End are byte offsets of the span in the text, on rune
	// boundaries.
	Start, End int
	Lang       cynllun.Language
	Severity   Severity
}

// LexiconEntry is one phrase of the vague-wording lexicon (lexicon.json).
type LexiconEntry struct {
	ID       string
	Lang     cynllun.Language
	Phrase   string
	Kind     string
	Severity Severity
	Note     string
	// OKWhenQuantified: the phrase is not flagged in a 2B row that says
	// how much and how often ("access to a sensory room for 10 minutes
	// twice a day").
	OKWhenQuantified bool
}

// Lexicon returns the entries of the vague-wording lexicon, in file order.
func Lexicon() []LexiconEntry {
	out := make([]LexiconEntry, len(lex.entries))
	for i, e := range lex.entries {
		out[i] = e.LexiconEntry
	}
	return out
}

// Vague returns the vague phrases of the lexicon found in text, in order,
// without overlaps (where two entries overlap, the one starting first wins,
// and of two starting together the longer: "as and when required" rather
// than "when required"). Matching is on whole words, ignoring case,
// accents and the spacing between words; Welsh phrases also match their
// mutated forms (soft, nasal, aspirate, h- before a vowel).
func Vague(text string) []Match {
	return lex.find(text, tokenize(text))
}

// token is a word of a text: letters and digits, with apostrophes inside
// ("bo'n", "i'w"). norm is the word folded (lower case, no accents, every
// apostrophe as ').
type token struct {
	start, end int
	norm       string
	// joined is true when only spaces and hyphens separate the token from
	// the one before, so that a phrase may run on over the gap.
	joined bool
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u2018' || r == '\u02bc'
}

// isJoiner: what may separate the words of a phrase.
func isJoiner(r rune) bool {
	return unicode.IsSpace(r) || r == '-' || r == '\u2010' || r == '\u2011' || r == '\u00ad' || unicode.Is(unicode.Cf, r)
}

func tokenize(text string) []token {
	var toks []token
	prevEnd := 0
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		ascii := true
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if isWordRune(r) {
				if r >= utf8.RuneSelf {
					ascii = false
				}
				i += size
				continue
			}
			if isApostrophe(r) && i+size < len(text) {
				if n, _ := utf8.DecodeRuneInString(text[i+size:]); unicode.IsLetter(n) {
					if r != '\'' {
						ascii = false
					}
					i += size
					continue
				}
			}
			break
		}
		joined := len(toks) > 0
		if joined {
			for _, g := range text[prevEnd:start] {
				if !isJoiner(g) {
					joined = false
					break
				}
			}
		}
		toks = append(toks, token{start: start, end: i, norm: foldWord(text[start:i], ascii), joined: joined})
		prevEnd = i
	}
	return toks
}

var apostrophes = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u02bc", "'")

func foldWord(w string, ascii bool) string {
	if ascii {
		return strings.ToLower(w)
	}
	return apostrophes.Replace(cynllun.Fold(w))
}

// normText is the text as its folded words joined by single spaces: what
// the amount, frequency, measure and time-frame patterns read.
func normText(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.norm)
	}
	return b.String()
}

// mutations returns w (folded) and its forms under Welsh initial consonant
// mutation: soft (c→g, p→b, t→d, g→∅, b→f, d→dd, ll→l, m→f, rh→r), nasal
// (c→ngh, p→mh, t→nh, g→ng, b→m, d→n) and aspirate (c→ch, p→ph, t→th),
// and h- before a vowel for words of four letters or more ("angen" →
// "hangen"; not "yn", "at", "os").
func mutations(w string) []string {
	out := []string{w}
	if w == "" {
		return out
	}
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, d := range []string{"ch", "th", "ph", "dd", "ff", "ng"} {
		if strings.HasPrefix(w, d) {
			return out
		}
	}
	switch {
	case strings.HasPrefix(w, "ll"):
		add("l" + w[2:])
		return out
	case strings.HasPrefix(w, "rh"):
		add("r" + w[2:])
		return out
	}
	rest := w[1:]
	switch w[0] {
	case 'c':
		add("g" + rest)
		add("ngh" + rest)
		add("ch" + rest)
	case 'p':
		add("b" + rest)
		add("mh" + rest)
		add("ph" + rest)
	case 't':
		add("d" + rest)
		add("nh" + rest)
		add("th" + rest)
	case 'g':
		add(rest)
		add("ng" + rest)
	case 'b':
		add("f" + rest)
		add("m" + rest)
	case 'd':
		add("dd" + rest)
		add("n" + rest)
	case 'm':
		add("f" + rest)
	case 'a', 'e', 'i', 'o', 'u', 'w', 'y':
		if utf8.RuneCountInString(w) >= 4 {
			add("h" + w)
		}
	}
	return out
}

// welshClitics are the pronouns and article that attach to a short word
// with an apostrophe: "i'r", "i'w", "i'n", "a'r".
var welshClitics = []string{"r", "w", "n", "i", "m", "ch", "u", "th"}

// phrase is a lexicon entry compiled for matching: for each word (slot),
// the forms it may take, and whether it may be left out.
type phrase struct {
	entry    *lexEntry
	words    [][]string
	optional []bool
}

// wordMatches reports whether norm is a form of word k; loose is true when
// it is the form with a pronoun or article attached ("i'r" for "i").
func (p *phrase) wordMatches(k int, norm string) (ok, loose bool) {
	for _, f := range p.words[k] {
		if norm == f {
			return true, false
		}
	}
	if p.entry.Lang != cynllun.LanguageCY {
		return false, false
	}
	for _, f := range p.words[k] {
		if len(norm) > len(f)+1 && norm[len(f)] == '\'' && strings.HasPrefix(norm, f) && slices.Contains(welshClitics, norm[len(f)+1:]) {
			return true, true
		}
	}
	return false, false
}

// match matches the phrase's words from slot k at toks[t:], after a first
// word at toks[t-1]; it returns the end of the longest match and how many
// of its words matched loosely.
func (p *phrase) match(toks []token, k, t int) (end, loose int, ok bool) {
	if k == len(p.words) {
		return t, 0, true
	}
	end, loose = -1, 0
	if t < len(toks) && toks[t].joined {
		if w, l := p.wordMatches(k, toks[t].norm); w {
			if e, l2, ok := p.match(toks, k+1, t+1); ok {
				end, loose = e, l2
				if l {
					loose++
				}
			}
		}
	}
	if p.optional[k] {
		if e, l, ok := p.match(toks, k+1, t); ok && e > end {
			end, loose = e, l
		}
	}
	return end, loose, end >= 0
}

func (l *lexicon) find(text string, toks []token) []Match {
	type candidate struct {
		Match
		loose int
	}
	var found []candidate
	for i := range toks {
		for _, p := range l.index[toks[i].norm] {
			j, loose, ok := p.match(toks, 1, i+1)
			if !ok || !p.entry.contextOK(text, toks, i, j) {
				continue
			}
			s, e := toks[i].start, toks[j-1].end
			found = append(found, candidate{Match{
				Entry: p.entry.ID, Phrase: p.entry.Phrase, Text: text[s:e], Start: s, End: e,
				Lang: p.entry.Lang, Severity: p.entry.Severity,
			}, loose})
		}
	}
	// First the earliest, then the longest, then the one matching its words
	// exactly ("pan fo'r angen" rather than "pan fo angen" with 'r).
	slices.SortStableFunc(found, func(a, b candidate) int {
		if c := cmp.Compare(a.Start, b.Start); c != 0 {
			return c
		}
		if c := cmp.Compare(b.End, a.End); c != 0 {
			return c
		}
		return cmp.Compare(a.loose, b.loose)
	})
	var out []Match
	end := -1
	for _, m := range found {
		if m.Start >= end {
			out = append(out, m.Match)
			end = m.End
		}
	}
	return out
}

// contextOK applies an entry's conditions on the words around a match at
// toks[i:j].
func (e *lexEntry) contextOK(text string, toks []token, i, j int) bool {
	if len(e.NotPrecededBy) > 0 && i > 0 && toks[i].joined && slices.Contains(e.notPreceded, toks[i-1].norm) {
		return false
	}
	var next string
	if j < len(toks) && toks[j].joined {
		next = toks[j].norm
	}
	if len(e.NotFollowedBy) > 0 && next != "" && slices.Contains(e.notFollowed, next) {
		return false
	}
	if e.BeforeAmount && (next == "" || !capFollows(text, toks, j)) {
		return false
	}
	return true
}
