package locale

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Message is one entry of the catalogue: a stable machine code (what
// clients see in extensions.reason) and the message in English and Welsh.
// Parts that vary are named in braces, the same names in both: "{n}".
type Message struct {
	Reason string
	EN, CY string
}

// Placeholders lists the names in braces in a template, in order.
func Placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

var placeholder = regexp.MustCompile(`\{([a-z][a-zA-Z0-9]*)\}`)

type entry struct {
	Message
	re    *regexp.Regexp // nil for a message without parts
	names []string
	fixed int // characters outside the parts: the more, the more specific
}

// index finds the entry of an English text: exactly, or by a template.
type index struct {
	exact     map[string]*entry
	templates []*entry
}

func (x *index) add(m Message) {
	e := &entry{Message: m}
	if !placeholder.MatchString(m.EN) {
		if _, dup := x.exact[m.EN]; !dup {
			x.exact[m.EN] = e
		}
		return
	}
	var re strings.Builder
	re.WriteString(`^`)
	last := 0
	for _, loc := range placeholder.FindAllStringSubmatchIndex(m.EN, -1) {
		re.WriteString(regexp.QuoteMeta(m.EN[last:loc[0]]))
		re.WriteString(`(.+?)`)
		e.names = append(e.names, m.EN[loc[2]:loc[3]])
		e.fixed += loc[0] - last
		last = loc[1]
	}
	re.WriteString(regexp.QuoteMeta(m.EN[last:]))
	re.WriteString(`$`)
	e.fixed += len(m.EN) - last
	e.re = regexp.MustCompile(`(?s)` + re.String())
	// The most specific template first: "must be between 1 and 1440 (or
	// omitted …)" before "must be between {min} and {max}".
	i, _ := slices.BinarySearchFunc(x.templates, e, func(a, b *entry) int { return cmp.Compare(b.fixed, a.fixed) })
	for i < len(x.templates) && x.templates[i].fixed == e.fixed {
		i++ // after those as specific, so the first added wins
	}
	x.templates = slices.Insert(x.templates, i, e)
}

func (x *index) lookup(english string) (*entry, map[string]string) {
	if e, ok := x.exact[english]; ok {
		return e, nil
	}
	for _, e := range x.templates {
		m := e.re.FindStringSubmatch(english)
		if m == nil {
			continue
		}
		args := make(map[string]string, len(e.names))
		for i, n := range e.names {
			args[n] = m[i+1]
		}
		return e, args
	}
	return nil, nil
}

var (
	mu       sync.RWMutex
	messages = &index{exact: map[string]*entry{}}
	pieces   = &index{exact: map[string]*entry{}}
)

func init() {
	for _, m := range catalogue {
		messages.add(m)
	}
	for _, p := range parts {
		pieces.add(p)
	}
}

// Register adds messages kept as data elsewhere (the plan rules' titles,
// whose reason is the rule's code) to the catalogue. Call it at start-up.
func Register(ms ...Message) {
	mu.Lock()
	defer mu.Unlock()
	for _, m := range ms {
		messages.add(m)
	}
}

// Translate returns an English message in lang with its reason. ok is
// false when the catalogue does not hold the message: text is then the
// English as it is, and reason is empty.
func Translate(lang Lang, english string) (text, reason string, ok bool) {
	mu.RLock()
	defer mu.RUnlock()
	t, r, ok, _ := translate(messages, lang, english, 0)
	return t, r, ok
}

// translate also returns the parts it could not translate.
func translate(x *index, lang Lang, english string, depth int) (string, string, bool, []string) {
	e, args := x.lookup(english)
	if e == nil {
		return english, "", false, nil
	}
	if lang != CY {
		return english, e.Reason, true, nil
	}
	if args == nil {
		return e.CY, e.Reason, true, nil
	}
	var untranslated []string
	out := placeholder.ReplaceAllStringFunc(e.CY, func(p string) string {
		v, ok := args[p[1:len(p)-1]]
		if !ok {
			return p
		}
		// A part that is itself a piece of text (a place in a file, a
		// kind of file, a reason) is translated too.
		if depth < 3 {
			for _, in := range []*index{pieces, messages} {
				if t, _, ok, more := translate(in, lang, v, depth+1); ok {
					untranslated = append(untranslated, more...)
					return t
				}
			}
		}
		untranslated = append(untranslated, v)
		return v
	})
	return out, e.Reason, true, untranslated
}

// Messages returns the catalogue.
func Messages() []Message { return slices.Clone(catalogue) }
