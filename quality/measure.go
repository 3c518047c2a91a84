package quality

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cynllun/cynllun"
)

// Readings of free text: whether a provision says how much and how often
// (read by the grammar of quantity.go), and whether an intended outcome
// says how success will be measured and by when (read by the patterns
// here, over the text as its folded words joined by single spaces: see
// patternText), in English and Welsh. They are deliberately generous: a
// provision that names any amount passes the amount rule, and the
// vague-wording lexicon catches the hedges ("up to", "as needed").

// patternText is the text as folded words joined by single spaces, except
// that ":", ".", "/" and "-" between two numbers are kept ("1:1", "1.5",
// "07/01/2027", "20-30"), so that "1:1 sessions" is not "1 sessions".
func patternText(text string, toks []token) string {
	var b strings.Builder
	b.Grow(len(text) + 1)
	for i, t := range toks {
		if i > 0 {
			sep := byte(' ')
			if gap := text[toks[i-1].end:t.start]; len(gap) == 1 && strings.ContainsAny(gap, ":./-") &&
				endsWithDigit(toks[i-1].norm) && startsWithDigit(t.norm) {
				sep = gap[0]
			}
			b.WriteByte(sep)
		}
		b.WriteString(t.norm)
	}
	return b.String()
}

func startsWithDigit(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsDigit(r)
}

func endsWithDigit(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsDigit(r)
}

// patterns is a list of regular expressions, any of which may match. Many
// small expressions run faster than one large alternation, and each is
// tried only when the text holds one of the literals every match of it
// must contain (its prefilter), so most are skipped for most texts.
type patterns []pattern

type pattern struct {
	re *regexp.Regexp
	// need: a match contains one of these; nil when nothing is known.
	need []string
}

func re(parts ...string) patterns {
	ps := make(patterns, len(parts))
	for i, p := range parts {
		ps[i] = pattern{re: regexp.MustCompile(p), need: requiredLiterals(p)}
	}
	return ps
}

func (p pattern) mayMatch(s string) bool {
	if p.need == nil {
		return true
	}
	for _, n := range p.need {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

func (ps patterns) MatchString(s string) bool {
	for _, p := range ps {
		if p.mayMatch(s) && p.re.MatchString(s) {
			return true
		}
	}
	return false
}

func (ps patterns) ReplaceAllString(s, repl string) string {
	for _, p := range ps {
		if p.mayMatch(s) {
			s = p.re.ReplaceAllString(s, repl)
		}
	}
	return s
}

// requiredLiterals returns strings one of which every match of expr
// contains, or nil when it cannot tell.
func requiredLiterals(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return required(re.Simplify())
}

func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) == 16 {
					return nil
				}
				out = append(out, string(r))
			}
		}
		return out
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s := required(sub)
			if s == nil {
				return nil
			}
			out = append(out, s...)
		}
		return out
	case syntax.OpConcat:
		// Every part must match: use the part with the longest shortest
		// literal.
		var best []string
		bestLen := 0
		for _, sub := range re.Sub {
			s := required(sub)
			if s == nil {
				continue
			}
			short := len(s[0])
			for _, x := range s {
				short = min(short, len(x))
			}
			if best == nil || short > bestLen {
				best, bestLen = s, short
			}
		}
		return best
	}
	return nil
}

const (
	monthsEN = `january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec`
	monthsCY = `ionawr|chwefror|mawrth|fawrth|ebrill|mai|fai|mehefin|fehefin|gorffennaf|orffennaf|awst|medi|fedi|hydref|tachwedd|dachwedd|rhagfyr`
	numsEN   = `one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|ninety|hundred`
	numsCY   = `dau|ddau|dwy|ddwy|tri|dri|thri|tair|dair|thair|pedwar|bedwar|phedwar|pedair|bedair|phedair|pump|bump|phump|pum|bum|phum|chwech|chwe|saith|wyth|naw|deg|ddeg|deuddeg|ddeuddeg|pymtheg|bymtheg|ugain|deugain|cant|gant`
)

// timeframeRE: an intended outcome says by when.
var timeframeRE = re(
	`\bby (the )?(end|start|beginning|close|middle|time|next|annual|first|second|third|autumn|spring|summer|winter|christmas|easter|whitsun|half term|term|year|review|age|transition|`+monthsEN+`|\d)`,
	`\bbefore (the |he |she |they |his |her |their )?(end|start|beginning|next|annual|review|transition|christmas|easter|half term|leaving|moving|starting|transferring|leaves|moves|starts|transfers|`+monthsEN+`|\d)`,
	`\b(until|till) (the )?(end|next|annual|review|christmas|easter|half term|`+monthsEN+`|\d)`,
	`\bwithin (a |one |two |three |four |five |six |seven |eight |nine |ten |twelve |\d+ |the next |the first |this |the )*(days?|weeks?|months?|terms?|half terms?|years?|academic year|school year)\b`,
	`\b(in|over|during|after) (the )?(next |coming |first |following )?(\d+ |`+strings.ReplaceAll(numsEN, "|", " |")+` |a few )?(days|weeks|months|terms|half terms|years)\b`,
	`\b(in|over|during) the (next|coming|following) (day|week|month|term|half term|year|academic year)\b`,
	`\b(this|next|the coming|the next|the following|the current) (term|half term|academic year|school year|year|key stage)\b`,
	`\b(autumn|spring|summer) (term|half term)\b`, `\b(autumn|spring|summer) \d{4}\b`,
	`\bend of (the )?(term|half term|year|academic year|school year|key stage|ks ?\d|autumn|spring|summer|reception|nursery|primary|year \d)`,
	`\b(at|by|before) (the |his |her |their )?(next |annual |first |second |following )?(review|idp review|review meeting)\b`,
	`\d{4}-\d{1,2}-\d{1,2}`, `\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}`,
	`(^| )\d{1,2}(st|nd|rd|th)? (of )?(`+monthsEN+`|`+monthsCY+`)\b`,
	`\b(`+monthsEN+`|`+monthsCY+`) \d{4}\b`,
	`\berbyn\b`,
	`\bo fewn (\d+|un|`+numsCY+`|blwyddyn|flwyddyn|y flwyddyn|tymor|y tymor|hanner tymor|wythnos|wythnosau|mis|y mis|misoedd|pythefnos|y pythefnos|y \d+|y ddwy|y dair|y chwe|cyfnod)\b`,
	`\bcyn (diwedd|dechrau|yr adolygiad|adolygiad|y nadolig|nadolig|y pasg|pasg|hanner tymor|gadael|symud|trosglwyddo|mis|\d|`+monthsCY+`)\b`,
	`\b(tan|hyd at|hyd) (diwedd|ddiwedd|y nadolig|y pasg|hanner tymor|yr adolygiad|\d|fis|mis|`+monthsCY+`)\b`,
	`\b(diwedd|ddiwedd|dechrau|ddechrau|nechrau) (y tymor|tymor|y flwyddyn|blwyddyn|flwyddyn|yr hanner tymor|hanner tymor|cyfnod allweddol|y cyfnod|ca ?\d|bl ?\d|blwyddyn \d|mis|fis)`,
	`\btymor yr (hydref|gwanwyn|haf)\b`,
	`\b(y|yr) (tymor|hanner tymor|flwyddyn|flwyddyn academaidd|flwyddyn ysgol) (hwn|hon|nesaf|yma)\b`,
	`\bymhen (\d+|un|`+numsCY+`|blwyddyn|mis|wythnos|tymor|pythefnos)\b`,
	`\b(dros|yn ystod) y (\d+ |ddwy |dair |chwe |pedair |tair |dwy )?(wythnos|wythnosau|mis|misoedd|tymor|tymhorau|flwyddyn|pythefnos)\b`,
	`\b(yr|yn yr|erbyn yr|cyn yr) adolygiad (nesaf|blynyddol)\b`, `\badolygiad nesaf\b`,
)

// Date-like numbers ("2027", "Year 6", "within 6 weeks") that say when,
// not how much: removed before looking for a measure.
var notMeasure = re(
	`(^| )(19|20)\d\d\b`,
	`\d{4}-\d{1,2}-\d{1,2}`, `\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}`,
	`(^| )\d{1,2}(st|nd|rd|th)? (of )?(`+monthsEN+`|`+monthsCY+`)\b`,
	`\b(`+monthsEN+`|`+monthsCY+`) \d{1,2}(st|nd|rd|th)?\b`,
	`\b(year|blwyddyn|flwyddyn|bl|key stage|ks|cyfnod allweddol|ca|term|tymor) ?\d{1,2}\b`, `\byr ([1-9]|1[0-3])\b`,
	`\b(within|in|over|after|for|during|ymhen|o fewn|dros|mewn|am|yn ystod) (the |y |yr )?(next |coming |first |following )?(\d+|`+numsEN+`|`+numsCY+`|a few) (days?|weeks?|months?|terms?|half terms?|years?|diwrnod|dydd|wythnos|wythnosau|mis|misoedd|tymor|tymhorau|blynedd|mlynedd|blwyddyn|flwyddyn)( nesaf)?\b`,
	`\b(by|at|before|until) (the )?age (of )?\d+\b`, `\b(erbyn|yn) \d+ (oed|mlwydd oed)\b`,
)

// measureRE: an intended outcome says what success looks like.
var measureRE = re(
	`\d`, `(^| )[½¼¾]`,
	`\b(`+numsEN+`|half|twice|double)\b`,
	`\b(able to|be able|independently|no more than|at least|out of|fewer than|more than|less than|accurately|correctly|measured|measurable|as shown by|evidenced by|score|scores|reading age|spelling age|per ?cent|percentage|every time|each time|on each occasion)\b`,
	`\bwithout\b`, `\b(every|each|all) (lesson|lessons|day|days|session|sessions|morning|mornings|time|times|week|transition|transitions|test|tests|task|tasks)\b`,
	`\bassessed (by|using|with)\b`, `\brecorded (by|on|in)\b`,
	`\b(`+numsCY+`|hanner|dwywaith|ddwywaith)\b`,
	`\b(yn|[a-z]+'n) (gallu|medru|allu|fedru)\b`,
	`\bannibynnol\b`,
	`\bheb\b`, `\b(ym mhob|bob|pob) (gwers|dydd|diwrnod|sesiwn|bore|tro|wythnos|newid|prawf|tasg)\b`,
	`\b(allan o|o leiaf|dim mwy na|llai na|mwy na|yn gywir|y cant|pob tro|bob tro|oedran darllen|oedran sillafu|sgor)\b`,
	`\b(mesur|fesur|mesurir|fesurir|mesuradwy)\b`,
)

// reading is what the patterns found in a text.
type reading struct {
	source string
	toks   []token
	text   string // patternText
}

func read(s string) reading {
	toks := tokenize(s)
	return reading{source: s, toks: toks, text: patternText(s, toks)}
}

// quantity reads how much and how often the text says (quantity.go).
func (r reading) quantity() quantityReading { return readQuantity(lexQuantity(r.source, r.toks)) }

// hasAmount: the text says how much (minutes or hours a session, a number
// of sessions, the whole day or every lesson).
func (r reading) hasAmount() bool { return r.quantity().amount }

// hasFrequency: the text says how often (weekly, twice a week, bob dydd,
// ddwywaith yr wythnos, after every 20 minutes).
func (r reading) hasFrequency() bool { return r.quantity().frequency }

// amountAndFrequency is hasAmount and hasFrequency, reading the text once.
func (r reading) amountAndFrequency() (amount, frequency bool) {
	q := r.quantity()
	return q.amount, q.frequency
}

func (r reading) hasTimeframe() bool {
	t := strings.ReplaceAll(r.text, "yn erbyn", " ")
	return timeframeRE.MatchString(t)
}

func (r reading) hasMeasure() bool {
	return measureRE.MatchString(notMeasure.ReplaceAllString(r.text, " "))
}

// quantityStated reports what a row says of how much and how often: from
// its structured Quantity where it has one, and from its text.
func quantityStated(row *cynllun.ProvisionRow, text reading) (amount, frequency bool) {
	if q := row.Quantity; q != nil {
		amount = q.MinutesPerSession > 0
		frequency = q.Sessions > 0 && q.Per != ""
	}
	if amount && frequency {
		return true, true
	}
	a, f := text.amountAndFrequency()
	return amount || a, frequency || f
}
