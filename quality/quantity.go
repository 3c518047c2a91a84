package quality

import (
	"strings"
	"unicode"
)

// How much and how often a provision says, read by a small grammar over
// its words rather than by patterns over its text.
//
// The text is first cut into pieces (words, and the digit and letter runs
// of words such as "3x20mins"), and each piece, or each run of pieces that
// makes a phrase ("half term", "ar ôl", "daily living"), is given its
// classes: a number, a unit of time, a calendar period, an occasion
// ("morning", "gwers"), a word of distribution ("every", "per", "bob"),
// of repetition ("twice", "times", "gwaith"), and so on. The grammar then
// reads these items in order:
//
//	amount    = number unit | "an" unit | half unit | number session
//	          | half day | clock span ("9–10.30am") | "awr" | "all day"
//	          | every-occasion ("in all lessons", "ym mhob gwers")
//	frequency = adverb ("weekly", "yn wythnosol")
//	          | every [other|number] (period|occasion)       "bob yn ail wythnos"
//	          | repetition [per] (period|adverb)             "twice a week", "3 x weekly"
//	          | quantity ... per period                       "20 munud y dydd", "3 hrs of 1:1 a week"
//	          | number (period|occasion) per period           "4 days a week", "tri bore yr wythnos"
//	          | interval                                     "after every 20 minutes", "bob awr"
//	          | weekdays ("on Mondays", "Mon, Wed, Fri", "ar fore Llun")
//	          | plural occasion after at/in ("at lunchtimes", "yn y boreau")
//	          | one-off ("once in the autumn term"), every-occasion
//	period end = until date                                  "hyd at 31 Mawrth", "until half term"
//
// A number after a label ("Year 6", "Lefel 8") or in a date ("31 March",
// "07/01/2027") is not a count, a ratio ("1:1") is not a number, and an
// interval's length ("after every 20 minutes") is not the provision's
// amount. Phrases that only look like quantities ("daily living skills",
// "awr ginio") are read as noise.

// qclass is a set of the classes a piece of text may belong to.
type qclass uint64

const (
	cNum        qclass = 1 << iota // 20, twenty, ugain, dwy
	cArt                           // a, an: one, before a unit
	cHalf                          // half, hanner, quarter, chwarter, ½
	cUnit                          // a unit of time: minutes, munud, hours, awr
	cHour                          // the unit is an hour
	cAmountWord                    // an amount in one item: dwyawr, teirawr, 9–10.30am
	cSession                       // a countable session: session, sesiwn, lesson
	cPeriod                        // a calendar period: day, week, wythnos, tymor
	cOccasion                      // a recurring occasion: morning, bore, lesson, break
	cLesson                        // a lesson: every lesson is every occasion
	cWeekday                       // monday, dydd Llun
	cPlural                        // mondays, dyddiau Llun, mornings: an occasion that recurs
	cEvery                         // every, each, per, bob, pob, fesul
	cWeakPer                       // a, y, yr: per only after a quantity
	cOfThe                         // of the, o'r: per only after a count of days
	cOther                         // other, alternate, second, yn ail
	cTimes                         // once, twice, dwywaith: a repetition
	cTimesWord                     // times, x, gwaith: a repetition after a number
	cOnce                          // once, unwaith
	cAdverb                        // daily, weekly, yn wythnosol
	cPerPeriod                     // pw, p/w
	cAfter                         // after, ar ôl
	cUntil                         // until, tan, hyd nes
	cUpTo                          // up to, hyd at: a cap, or until before a date
	cAllDay                        // all day, full-time, drwy'r dydd
	cPrepAll                       // in all, for every, ym mhob, ar gyfer pob
	cAll                           // all
	cOneOff                        // one-off
	cMonth                         // March, Mawrth
	cDateWord                      // end, Christmas, diwedd, Pasg, a year, an ordinal
	cNoise                         // daily living, lunch hour: not a quantity
	cLabel                         // year, level: names the number after it
	cOn                            // on, ar
	cTo                            // to, i: a range ("Monday to Friday", "20 to 30")
	cMaximum                       // maximum, total, uchafswm
	cRatio                         // 1:1
	cNew                           // new: "each new topic"
)

// quantityWords gives the classes of words and phrases. A phrase is words
// separated by spaces; "a|b" in a word is either. Welsh words are listed
// with the mutated forms they take after the words that precede them.
var quantityWords = []struct {
	c       qclass
	phrases string
}{
	{cNum, "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred"},
	{cNum, "un dau ddau dwy ddwy tri dri thri tair dair thair pedwar bedwar phedwar pedair bedair phedair pump bump phump pum bum phum chwech chwe saith wyth naw deg ddeg deng ddeng deuddeg ddeuddeg deuddeng pymtheg bymtheg pymtheng bymtheng ugain hugain deugain ddeugain trigain cant gant can chan"},
	{cArt | cWeakPer, "a an"},
	{cWeakPer, "y yr"},
	{cOfThe, "of_the o'r"},
	{cHalf, "half quarter quarters hanner chwarter ½ ¼ ¾"},
	{cUnit, "minute minutes min mins munud funud mun munudau"},
	{cUnit | cHour, "hour hours hr hrs awr oriau"},
	{cAmountWord, "dwyawr teirawr"},
	{cSession, "session sessions period periods slot slots visit visits sesiwn sesiynau ymweliad ymweliadau"},
	{cSession | cOccasion | cLesson, "lesson lessons gwers wers ngwers gwersi"},
	{cPeriod, "day days week weeks wk wks fortnight fortnights month months term terms year years half_term half_terms halfterm school_day school_days school_week academic_year school_year"},
	{cPeriod, "dydd ddydd diwrnod ddiwrnod niwrnod diwrnodau wythnos wythnosau pythefnos bythefnos mis fis misoedd tymor dymor thymor hanner_tymor blwyddyn flwyddyn diwrnod_ysgol wythnos_ysgol"},
	{cOccasion, "morning afternoon break breaks breaktime break_time lunchtime lunch_time playtime play_time evening registration assembly assemblies transition transitions topic topics unit units module modules"},
	{cOccasion, "bore fore prynhawn brynhawn egwyl amser_egwyl amser_chwarae amser_cinio nos cofrestru newid"},
	{cOccasion | cPlural, "mornings afternoons breaktimes break_times lunchtimes lunch_times playtimes play_times evenings"},
	{cOccasion | cPlural, "boreau foreau prynhawniau brynhawniau amseroedd_cinio|egwyl|chwarae"},
	{cOccasion | cWeekday, "monday tuesday wednesday thursday friday mon tue tues wed thu thur thurs fri weekday"},
	{cOccasion | cWeekday | cPlural, "mondays tuesdays wednesdays thursdays fridays weekdays"},
	{cOccasion | cWeekday, "dydd|ddydd_llun|mawrth|fawrth|mercher|fercher|iau|gwener|wener"},
	{cOccasion | cWeekday | cPlural, "dyddiau|ddyddiau_llun|mawrth|fawrth|mercher|fercher|iau|gwener|wener llun_i_wener"},
	{cOccasion | cWeekday, "bore|fore|prynhawn|brynhawn_llun|mawrth|fawrth|mercher|fercher|iau|gwener|wener"},
	{cOccasion | cWeekday | cPlural, "boreau|foreau|prynhawniau|brynhawniau_llun|mawrth|fawrth|mercher|fercher|iau|gwener|wener"},
	{cEvery, "every each per bob pob mhob phob fesul"},
	{cOther, "other alternate second yn_ail"},
	{cNew, "new newydd"},
	{cTimes | cOnce, "once unwaith"},
	{cTimes, "twice thrice dwywaith ddwywaith teirgwaith deirgwaith"},
	{cTimesWord, "times x gwaith waith"},
	{cAdverb, "daily weekly fortnightly monthly termly half_termly halftermly yearly annually hourly biweekly bi_weekly bimonthly bi_monthly wkly everyday"},
	{cAdverb, "dyddiol ddyddiol beunyddiol feunyddiol beunydd wythnosol pythefnosol bythefnosol misol fisol tymhorol dymhorol hanner_tymhorol blynyddol flynyddol"},
	{cPerPeriod, "pw p/w p/wk p/d"},
	{cAfter, "after ar_ol wedi"},
	{cUntil, "until till tan hyd_nes up_until"},
	{cUpTo, "up_to hyd_at"},
	{cAllDay, "all_day full_time fulltime the_whole_day the_whole_school_day throughout_the_school_day throughout_each_school_day"},
	{cAllDay, "amser_llawn llawn_amser drwy'r|trwy'r_dydd|diwrnod gydol_y_dydd|diwrnod"},
	{cPrepAll, "in|for|during|at|across_all|every|each ym_mhob ymhob ar_gyfer_pob ar_bob yn_ystod_pob"},
	{cAll, "all"},
	{cOneOff, "one_off untro"},
	{cMonth, "january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec"},
	{cMonth, "ionawr chwefror mawrth fawrth ebrill mai fai mehefin fehefin gorffennaf orffennaf awst medi fedi hydref tachwedd dachwedd rhagfyr"},
	{cDateWord, "end start beginning close middle christmas easter whitsun summer autumn spring winter review next the_end the_start"},
	{cDateWord, "diwedd ddiwedd dechrau ddechrau nechrau canol nadolig pasg haf gwanwyn gaeaf adolygiad y_nadolig y_pasg yr_adolygiad"},
	{cLabel, "year yr stage level band ks page step phase room grade group blwyddyn flwyddyn bl lefel ca tudalen cam ystafell gradd"},
	{cOn, "on ar"},
	{cTo, "to i through"},
	{cMaximum, "maximum max total uchafswm cyfanswm"},
	{cRatio, "one_to_one un_i_un"},
	// Noise: phrases that look like quantities but are not.
	{cNoise, "lunch_hour lunchtime_hour awr_ginio|cinio"},
	{cNoise, "daily|everyday_living|life|routine|routines|tasks|activities|language|skills|situations|objects|words|vocabulary"},
	{cNoise, "every_day_living|life|routine|routines|tasks|activities|language|skills|situations|objects|words|vocabulary"},
	{cNoise, "bywyd|byw|iaith|sgiliau|tasgau|gweithgareddau|pethau|sefyllfaoedd|geirfa_bob|pob_dydd byw|bywyd_dyddiol|ddyddiol"},
}

// qdict maps a first word to the phrases starting with it.
type qphrase struct {
	words []string
	c     qclass
}

var qdict = func() map[string][]qphrase {
	d := map[string][]qphrase{}
	for _, g := range quantityWords {
		for _, p := range strings.Fields(g.phrases) {
			// "a|b_c" is a phrase of two words, the first "a" or "b".
			var slots [][]string
			for _, w := range strings.Split(p, "_") {
				slots = append(slots, strings.Split(w, "|"))
			}
			for _, words := range expand(slots) {
				d[words[0]] = append(d[words[0]], qphrase{words: words, c: g.c})
			}
		}
	}
	return d
}()

// expand returns every sequence taking one word from each slot.
func expand(slots [][]string) [][]string {
	out := [][]string{nil}
	for _, s := range slots {
		var next [][]string
		for _, prefix := range out {
			for _, w := range s {
				next = append(next, append(append([]string(nil), prefix...), w))
			}
		}
		out = next
	}
	return out
}

// qitem is a word or phrase of a text with its classes.
type qitem struct {
	c    qclass
	word string // the folded words, joined by spaces
	// brk: a clause break (",", ".", ";", a bracket, a spaced dash) comes
	// before the item; slash: "/" does ("mins/week").
	brk, slash bool
	// glued: the item was part of the same word as the one before ("3x");
	// comma: only a comma comes before it.
	glued, comma bool
	// adjectival: a unit written as an adjective ("20-minute", "20 minute
	// session"), which names the length of something, not an interval.
	adjectival bool
}

func (it qitem) is(c qclass) bool { return it.c&c != 0 }

// piece is a run of digits or of other word characters.
type piece struct {
	word  string
	gap   string // the text between this piece and the one before
	glued bool
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

// pieces cuts tokens into runs of digits and of other characters:
// "3x20mins" is "3", "x", "20", "mins"; "45mins" is "45", "mins".
func pieces(text string, toks []token) []piece {
	var out []piece
	prevEnd := -1
	for _, t := range toks {
		gap := ""
		if prevEnd >= 0 {
			gap = text[prevEnd:t.start]
		}
		prevEnd = t.end
		w := t.norm
		start, digits := 0, false
		for i, r := range w {
			d := isDigitRune(r)
			if i > start && d != digits {
				out = append(out, piece{word: w[start:i], gap: gap, glued: start > 0})
				gap, start = "", i
			}
			digits = d
		}
		out = append(out, piece{word: w[start:], gap: gap, glued: start > 0})
	}
	return out
}

// breakGap: a gap that ends a clause for the grammar.
func breakGap(g string) bool {
	if strings.ContainsAny(g, ",.;:!?()[]{}\n\u2013\u2014") {
		return true
	}
	// A hyphen with spaces round it: "support - ELSA - 6 weeks".
	return strings.Contains(g, "-") && strings.ContainsFunc(g, unicode.IsSpace)
}

// phraseGap: words of a phrase may be separated only by spaces and hyphens.
func phraseGap(g string) bool {
	for _, r := range g {
		if !isJoiner(r) {
			return false
		}
	}
	return g != ""
}

var ordinalSuffix = map[string]bool{"st": true, "nd": true, "rd": true, "th": true, "af": true, "ed": true, "fed": true, "ydd": true, "ain": true}

// lexQuantity reads toks of text as items.
func lexQuantity(text string, toks []token) []qitem {
	ps := pieces(text, toks)
	var items []qitem
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		it := qitem{word: p.word, glued: p.glued, brk: breakGap(p.gap), slash: strings.TrimSpace(p.gap) == "/", comma: strings.TrimSpace(p.gap) == ","}
		// A span of clock times is an amount: "9:00-10:30", "9-10am",
		// "1.15 to 1.45pm".
		if j, ok := clockRange(ps, i); ok {
			it.c, it.word = cAmountWord, strings.Join(wordsOf(ps[i:j+1]), " ")
			items = append(items, it)
			i = j
			continue
		}
		if startsWithDigit(p.word) {
			// Digits joined by single marks: "1:1", "1.5", "20-30",
			// "07/01/2027".
			parts, seps := 1, ""
			j := i
			for j+1 < len(ps) && startsWithDigit(ps[j+1].word) && len(ps[j+1].gap) == 1 && strings.ContainsAny(ps[j+1].gap, ":./-") {
				seps += ps[j+1].gap
				parts++
				j++
			}
			switch {
			case parts == 2 && seps == ":":
				it.c = cRatio
			case parts >= 3:
				it.c = cDateWord
			case j+1 < len(ps) && ps[j+1].glued && ordinalSuffix[ps[j+1].word]:
				it.c = cDateWord // "31st", "1af"
				j++
			case parts == 1 && len(p.word) == 4 && (strings.HasPrefix(p.word, "19") || strings.HasPrefix(p.word, "20")):
				it.c = cDateWord // a year
			default:
				it.c = cNum
			}
			for k := i + 1; k <= j; k++ {
				it.word += ps[k].gap + ps[k].word
			}
			items = append(items, it)
			i = j
			continue
		}
		// "an hour's session", "a week's"
		if w, ok := strings.CutSuffix(p.word, "'s"); ok && qdict[w] != nil {
			p.word, it.word = w, w
		}
		// "p/w": per week.
		if p.word == "p" && i+1 < len(ps) && ps[i+1].gap == "/" {
			w := "p/" + ps[i+1].word
			for _, ph := range qdict[w] {
				it.c, it.word = ph.c, w
			}
			if it.c != 0 {
				items = append(items, it)
				i++
				continue
			}
		}
		// The longest phrase starting here; a phrase listed in several
		// groups has the classes of all.
		best := 0
		for _, ph := range qdict[p.word] {
			n := len(ph.words)
			if n < best || i+n > len(ps) {
				continue
			}
			ok := true
			for k := 1; k < n && ok; k++ {
				ok = ps[i+k].word == ph.words[k] && (phraseGap(ps[i+k].gap) || ps[i+k].glued)
			}
			switch {
			case !ok:
			case n > best:
				best, it.c = n, ph.c
			default:
				it.c |= ph.c
			}
		}
		if best > 1 {
			it.word = strings.Join(wordsOf(ps[i:i+best]), " ")
			i += best - 1
		}
		// "x" is a repetition only next to a number: "3x", "x 3".
		if it.word == "x" {
			prevNum := len(items) > 0 && items[len(items)-1].is(cNum) && !it.brk
			nextNum := i+1 < len(ps) && startsWithDigit(ps[i+1].word) && !breakGap(ps[i+1].gap)
			if !prevNum && !nextNum {
				it.c = 0
			}
		}
		items = append(items, it)
	}
	// A number after a label names rather than counts ("Year 6", "Lefel
	// 8"), unless a repetition or unit follows ("group 3 times a week").
	for i := 1; i < len(items); i++ {
		if items[i].is(cNum) && items[i-1].is(cLabel) && !items[i].brk {
			if i+1 < len(items) && !items[i+1].brk && items[i+1].is(cTimesWord|cUnit) {
				continue
			}
			items[i].c = cLabel
		}
	}
	// A unit written as an adjective: "20-minute session", "a 20 minute
	// slot". Welsh puts the noun first, so only English singular units.
	for i := range items {
		if !items[i].is(cUnit) || i == 0 {
			continue
		}
		w := items[i].word
		if w != "minute" && w != "hour" && w != "min" && w != "hr" {
			continue
		}
		if n := items[i-1]; n.is(cNum) && !items[i].brk && n.word != "1" && n.word != "one" {
			items[i].adjectival = true
		}
		if i+1 < len(items) && !items[i+1].brk && items[i+1].word == "long" {
			items[i].adjectival = true
		}
	}
	return items
}

// clockTime reads a time of day at ps[i]: "9", "9:00", "10.30", "9am",
// "1.15 pm". It returns the index of its last piece, and whether it has
// minutes or am/pm (and so is surely a time).
func clockTime(ps []piece, i int) (end int, sure, ok bool) {
	if i >= len(ps) || !startsWithDigit(ps[i].word) || len(ps[i].word) > 2 {
		return 0, false, false
	}
	end = i
	if end+1 < len(ps) && (ps[end+1].gap == ":" || ps[end+1].gap == ".") && len(ps[end+1].word) == 2 && startsWithDigit(ps[end+1].word) {
		end++
		sure = true
	}
	if end+1 < len(ps) && (ps[end+1].word == "am" || ps[end+1].word == "pm") && (ps[end+1].glued || ps[end+1].gap == " ") {
		end++
		sure = true
	}
	return end, sure, true
}

// clockRange reads a span of clock times at ps[i]: two times joined by a
// dash or "to", "until", "tan", "i", at least one with minutes or am/pm on
// both sides or am/pm on one ("9-10am"), so that "20-30 minutes" is not one.
func clockRange(ps []piece, i int) (end int, ok bool) {
	e1, sure1, ok := clockTime(ps, i)
	if !ok || e1+1 >= len(ps) {
		return 0, false
	}
	k := e1 + 1
	switch g := strings.TrimSpace(ps[k].gap); {
	case (g == "-" || g == "\u2013" || g == "\u2014") && startsWithDigit(ps[k].word):
	case phraseGap(ps[k].gap) && (ps[k].word == "to" || ps[k].word == "until" || ps[k].word == "till" || ps[k].word == "tan" || ps[k].word == "i"):
		k++
	default:
		return 0, false
	}
	e2, sure2, ok := clockTime(ps, k)
	if !ok {
		return 0, false
	}
	ampm := func(e int) bool { return ps[e].word == "am" || ps[e].word == "pm" }
	if sure1 && sure2 || ampm(e2) || ampm(e1) {
		return e2, true
	}
	return 0, false
}

func wordsOf(ps []piece) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.word
	}
	return out
}

// quantityReading is what the grammar found.
type quantityReading struct {
	amount, frequency bool
}

// readQuantity applies the grammar to items.
func readQuantity(items []qitem) quantityReading {
	var q quantityReading
	n := len(items)
	used := make([]bool, n)
	has := func(i int, c qclass) bool { return i >= 0 && i < n && !used[i] && items[i].c&c != 0 }
	// next: item i exists and follows i-1 in the same clause.
	next := func(i int, c qclass) bool { return has(i, c) && !items[i].brk }
	word := func(i int) string {
		if i < 0 || i >= n {
			return ""
		}
		return items[i].word
	}
	mark := func(i, j int) {
		for k := i; k < j && k < n; k++ {
			used[k] = true
		}
	}

	// Period ends: "until the end of term", "hyd at 31 Mawrth", "up to half
	// term". The date says when the provision stops, not how much or how
	// often; it is set aside, to the end of its clause or to the next
	// quantity.
	for i := range n {
		if !has(i, cUntil) && !(has(i, cUpTo) && dateAt(items, i+1)) {
			continue
		}
		j := i + 1
		for j < n && !items[j].brk && !startsQuantity(items, j) {
			j++
		}
		mark(i, j)
	}

	// Intervals: "every 20 minutes", "after every 45 minutes of lesson
	// time", "ar ôl pob 20 munud", "bob awr", "after 20 minutes of work".
	// The interval's length is not the provision's amount.
	for i := range n {
		if !has(i, cEvery|cPrepAll|cAfter) {
			continue
		}
		j := i + 1
		after := items[i].is(cAfter)
		if after && next(j, cEvery|cPrepAll) {
			j++
		} else if items[i].word == "each" {
			continue // "two sessions, each 30 minutes"
		}
		k := j
		for k < n && k < j+3 && next(k, cNum|cArt|cHalf) {
			k++
		}
		if k == j && (after || !next(k, cHour)) {
			continue // "after lunch", "every minute" without a number
		}
		if !next(k, cUnit) || items[k].adjectival || next(k+1, cSession|cOccasion) || (k+1 < n && !items[k+1].brk && items[k+1].word == "long") {
			continue // "every 20-minute session", "30 minutes long"
		}
		q.frequency = true
		mark(i, k+1)
	}

	// Everything else, in order. recent is the last item that was part of
	// a quantity in this clause, so that "20 munud o ddarllen y dydd"
	// reads "y dydd" as per day; bare is a unit or session word with no
	// number ("sessions a week"), which counts only directly before "a".
	// count is the last count of sessions or repetitions in this clause,
	// which a period stated after it makes a rate: "6 sessions this school
	// year", "chwe sesiwn dros y tymor", "twice during the autumn term".
	recent, bare, count := -1, -1, -1
	for i := 0; i < n; i++ {
		if items[i].brk {
			recent, bare, count = -1, -1, -1
		}
		if used[i] {
			continue
		}
		it := items[i]
		switch {
		case it.is(cNoise):
		case it.is(cAllDay):
			q.amount, q.frequency = true, true
		case it.is(cPrepAll):
			// "in all lessons", "at all times", "ym mhob prawf": provision
			// on every occasion says both how much and how often.
			if i+1 < n && !used[i+1] && !items[i+1].brk && !items[i+1].is(cNum|cArt|cHalf|cUnit|cNoise) {
				q.amount, q.frequency = true, true
				if items[i+1].is(cLesson | cOccasion | cTimesWord) {
					i++
				}
			}
		case it.is(cAll) && next(i+1, cLesson):
			q.amount, q.frequency = true, true
			i++
		case it.is(cEvery):
			j := i + 1
			if next(j, cOther|cNew) {
				j++
			}
			if next(j, cNum) {
				j++
			}
			// "every maths lesson", "each PE lesson"
			for k := j; k < j+2 && k < n && !items[k].brk && items[k].c == 0; k++ {
				if next(k+1, cLesson) {
					j = k + 1
				}
			}
			if next(j, cPeriod|cOccasion) {
				q.frequency = true
				if items[j].is(cLesson) {
					q.amount = true
				}
				i = j
			}
		case it.is(cPerPeriod), it.is(cAdverb), it.is(cOneOff):
			q.frequency = true
		case it.is(cOther) && next(i+1, cPeriod|cOccasion):
			q.frequency = true // "on alternate days"
			i++
		case it.is(cWeekday):
			// "on Mondays", "Monday to Friday", "ar ddydd Llun", "on Tuesday
			// afternoons", but not "on Monday 7 January" (a date).
			switch {
			case it.is(cPlural):
				q.frequency = true
			case next(i+1, cTo) && next(i+2, cWeekday):
				q.frequency = true
				i += 2
			case next(i+1, cWeekday): // "Mon-Fri"
				q.frequency = true
				i++
			case next(i+1, cOccasion) && strings.HasSuffix(word(i+1), "s"):
				q.frequency = true
				i++
			case has(i-1, cOn) && !items[i].brk && !next(i+1, cNum|cDateWord):
				q.frequency = true
			default:
				// a list of weekdays: "Mon, Wed, Fri", "Monday and Thursday"
				j := i + 1
				if j < n && !items[j].brk && (items[j].word == "and" || items[j].word == "a" || items[j].word == "or" || items[j].word == "neu") {
					j++
				}
				if j < n && (!items[j].brk || items[j].comma) && has(j, cWeekday) && !next(j+1, cNum|cDateWord) {
					q.frequency = true
					i = j
				}
			}
		case it.is(cOccasion) && it.is(cPlural) && occasionPrep(items, i):
			// "at lunchtimes", "in the mornings", "yn y boreau"
			q.frequency = true
		case it.is(cOnce) && (i+1 == n || items[i+1].brk || onceFollower[word(i+1)]):
			// "once in the autumn term", "unwaith yn nhymor yr hydref".
			q.frequency = true
		case it.is(cTimes), it.is(cTimesWord) && (has(i-1, cNum) && !it.brk || next(i+1, cNum)):
			// "twice", "3 times", "3x", "x3", "tair gwaith", then "a week",
			// "per fortnight", "weekly", "yr wythnos".
			j := i + 1
			if it.is(cTimesWord) && !has(i-1, cNum) {
				j++ // "x3"
			}
			if next(j, cWeakPer|cEvery|cOfThe) {
				j++
			}
			if next(j, cPeriod|cAdverb) || (j < n && items[j].slash && has(j, cPeriod)) {
				q.frequency = true
				i = j
			}
			recent, count = i, i
		case it.is(cWeakPer|cOfThe) && perAt(items, used, i, recent, bare):
			q.frequency = true
			i++
		case it.is(cNum | cArt | cHalf):
			if k, ok := amountAt(items, used, i); ok {
				q.amount = true
				recent = k
				if items[k].is(cSession) {
					count = k
				}
				i = k
				continue
			}
			if it.is(cNum) {
				recent = i // a count: "3 a week", "4 diwrnod yr wythnos"
			}
		case it.is(cAmountWord):
			q.amount = true
			recent = i
		case it.is(cUnit):
			// "awr" alone is "an hour", and so is "hour-long"; "minutes a
			// day" is a quantity.
			if it.word == "awr" || it.is(cHour) && i+1 < n && !items[i+1].brk && items[i+1].word == "long" {
				q.amount = true
				recent = i
			} else {
				bare = i
			}
		case it.is(cSession):
			bare = i
		case it.is(cPeriod | cOccasion):
			if it.slash && recent >= 0 && recent == i-1 && it.is(cPeriod) {
				q.frequency = true // "mins/week"
			}
			if count >= 0 && it.is(cPeriod) && periodStated(items, count, i) {
				q.frequency = true
			}
			if recent == i-1 && recent >= 0 {
				recent = i // "4 days" a week
			} else if bare == i-1 && bare >= 0 {
				bare = i
			}
		}
	}
	return q
}

// occasionPrep reports whether a preposition ("at", "during", "in the",
// "on", "yn y", "ar") comes before the occasion at i.
func occasionPrep(items []qitem, i int) bool {
	j := i - 1
	if j >= 0 && !items[i].brk && (items[j].word == "the" || items[j].word == "y") {
		i, j = j, j-1
	}
	if j < 0 || items[i].brk {
		return false
	}
	switch items[j].word {
	case "at", "during", "in", "on", "yn", "ar", "ym", "every", "each":
		return true
	}
	return false
}

// periodStated reports whether the period at i, after a count at count,
// is the span the count is spread over: "this (school) year", "over the
// term", "during the autumn term", "across 6 weeks", "y tymor hwn", "dros y
// flwyddyn", "yn ystod tymor yr hydref".
func periodStated(items []qitem, count, i int) bool {
	n := len(items)
	if i+1 < n && !items[i+1].brk && thisOrNext[items[i+1].word] && i-1 > count && (items[i-1].word == "y" || items[i-1].word == "yr") {
		return true // "y tymor hwn"
	}
	j := i - 1
	for j > count && (seasons[items[j].word] || items[j].is(cNum)) {
		j-- // "the autumn term", "6 weeks"
	}
	if j > count && (items[j].word == "this" || items[j].word == "that") {
		return true
	}
	if j > count && (items[j].word == "the" || items[j].word == "y" || items[j].word == "yr") {
		j--
	}
	return j > count && spanPrep[items[j].word]
}

var (
	seasons  = map[string]bool{"autumn": true, "spring": true, "summer": true, "school": true, "academic": true}
	spanPrep = map[string]bool{"in": true, "over": true, "during": true, "across": true, "throughout": true, "within": true,
		"dros": true, "ystod": true, "drwy": true, "trwy": true, "gydol": true, "mewn": true, "fewn": true}
)

// onceFollower: words after "once" that make it a one-off ("once in the
// autumn term") rather than a conjunction ("once the plan is agreed").
var onceFollower = map[string]bool{
	"in": true, "during": true, "this": true, "by": true, "before": true, "per": true, "each": true, "every": true, "a": true, "only": true,
	"yn": true, "y": true, "yr": true, "bob": true, "pob": true, "cyn": true, "erbyn": true, "yng": true, "ym": true,
}

// thisOrNext: words after a period that make "y tymor" "this term".
var thisOrNext = map[string]bool{"hwn": true, "hon": true, "yma": true, "nesaf": true, "diwethaf": true, "canlynol": true}

// notBeforePer: prepositions that make "y dydd" "the day" rather than "per
// day": "yn ystod y dydd" (during the day), "drwy'r".
var notBeforePer = map[string]bool{"ystod": true, "yn": true, "drwy": true, "trwy": true, "gydol": true, "hyd": true, "in": true, "during": true, "for": true, "throughout": true, "of": true, "o": true, "the": true}

// perAt reports whether the weak "per" at i ("a", "y", "yr", "o'r") with
// the period after it says how often: it must follow a quantity, directly
// ("20 munud y dydd", "4 days a week") or earlier in the clause ("3 hours of
// 1:1 support a week").
func perAt(items []qitem, used []bool, i, recent, bare int) bool {
	n := len(items)
	if i+1 >= n || used[i+1] || items[i+1].brk || !items[i+1].is(cPeriod|cHour) {
		return false
	}
	if i+2 < n && !items[i+2].brk && thisOrNext[items[i+2].word] {
		return false // "y tymor hwn": this term
	}
	prev := i - 1
	direct := prev >= 0 && (prev == recent || prev == bare) && !items[i].brk
	if items[i].is(cOfThe) {
		// "3 days of the week", "4 diwrnod o'r wythnos"
		return direct && items[prev].is(cPeriod|cOccasion) && items[i+1].is(cPeriod)
	}
	if items[i+1].is(cHour) {
		// "5 minutes an hour", not "with an hour"
		return direct && items[prev].is(cUnit) && !items[prev].is(cHour)
	}
	if direct {
		return true
	}
	if recent < 0 || i-recent > 8 || (prev >= 0 && notBeforePer[items[prev].word]) {
		return false
	}
	return true
}

// amountAt reads an amount starting at item i: "20 minutes", "an hour",
// "half an hour", "a quarter of an hour", "hanner awr", "tri chwarter awr",
// "20-30 mins", "two 30-minute sessions", "3 sessions", "dwy sesiwn". It
// returns the index of the amount's last item.
func amountAt(items []qitem, used []bool, i int) (int, bool) {
	n := len(items)
	k := i
	// numbers, articles, halves and "of", "and": "one and a half hours"
	for k < n && !used[k] && (k == i || !items[k].brk) &&
		(items[k].is(cNum|cArt|cHalf) || (k > i && (items[k].word == "of" || items[k].word == "and" || items[k].is(cTo)))) {
		k++
	}
	if k == i || k >= n || used[k] || items[k].brk {
		return 0, false
	}
	numbers := 0
	for _, it := range items[i:k] {
		if it.is(cNum | cHalf) {
			numbers++
		}
	}
	numeric := numbers > 0
	switch {
	case items[k].is(cUnit) && items[k].adjectival && numbers >= 2 && k+1 < n && !used[k+1] && !items[k+1].brk && items[k+1].is(cSession):
		// "eight 30-minute sessions": the length and the count
		return k + 1, true
	case items[k].is(cUnit):
		// "an hour", "a minute" (but "a week" is not an amount)
		return k, true
	case items[k].is(cSession) && numeric:
		return k, true
	case items[k].is(cPeriod) && items[i].is(cHalf) && (items[k].word == "day" || items[k].word == "diwrnod" || items[k].word == "dydd" || items[k].word == "ddiwrnod"):
		return k, true // "half a day", "hanner diwrnod"
	case numeric && isAdjective(items[k].word) && k+1 < n && !used[k+1] && !items[k+1].brk && items[k+1].is(cSession):
		return k + 1, true // "two short sessions"
	}
	return 0, false
}

// isAdjective: a few words that may stand between a number and the
// sessions it counts ("two short sessions"; Welsh puts them after: "dwy
// sesiwn fer").
func isAdjective(w string) bool {
	switch w {
	case "short", "small", "group", "individual", "separate", "further", "extra", "additional", "1:1", "one to one", "un i un":
		return true
	}
	return false
}

// startsQuantity reports whether item i starts a quantity, so that a
// period end stops before it: "until half term, 20 minutes daily".
func startsQuantity(items []qitem, i int) bool {
	it := items[i]
	switch {
	case it.is(cEvery | cAdverb | cTimes | cPerPeriod | cAllDay | cPrepAll | cAmountWord):
		return true
	case it.is(cNum | cArt | cHalf):
		_, ok := amountAt(items, make([]bool, len(items)), i)
		return ok
	}
	return false
}

// dateAt reports whether a date or a point in the school year starts at
// item i: "31 March", "07/01/2027", "2027", "the end of term", "half term",
// "ddiwedd y tymor", "y Pasg", "fis Mawrth", "Year 6".
func dateAt(items []qitem, i int) bool {
	n, start := len(items), i
	for i < n && (i == start || !items[i].brk) && (items[i].word == "the" || items[i].word == "y" || items[i].word == "yr" || items[i].word == "mis" || items[i].word == "fis") {
		i++
	}
	if i >= n || (i > start && items[i].brk) {
		return false
	}
	it := items[i]
	switch {
	case it.is(cDateWord | cMonth | cLabel):
		return true
	case it.is(cPeriod) && (it.word == "half term" || it.word == "hanner tymor"):
		return true
	case it.is(cNum) && i+1 < n && !items[i+1].brk && items[i+1].is(cMonth):
		return true
	}
	return false
}

// capFollows reports whether the words at toks[j:] start an amount that
// "up to" or "hyd at" before them caps ("up to 3 sessions", "hyd at hanner
// awr", "up to twice a week"), rather than a date they run until ("hyd at
// 31 Mawrth", "up to half term") or something else ("up to date").
func capFollows(text string, toks []token, j int) bool {
	if j >= len(toks) {
		return false
	}
	items := lexQuantity(text, toks[j:min(len(toks), j+6)])
	if len(items) == 0 || items[0].brk || dateAt(items, 0) {
		return false
	}
	it := items[0]
	switch {
	case it.is(cNum | cTimes | cAmountWord | cMaximum):
		return true
	case it.is(cHalf):
		return !(len(items) > 1 && items[1].is(cPeriod))
	case it.is(cUnit):
		return it.word == "awr"
	case it.is(cArt):
		// "up to an hour", "up to a maximum of", not "up to a point"
		return len(items) > 1 && items[1].is(cUnit|cNum|cHalf|cMaximum)
	}
	return false
}
