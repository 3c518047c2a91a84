package quality

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite RULES.md from the rules data")

// rulesDoc is RULES.md: every plan rule with its severity, basis (and its
// plain words, as the plan check prints it), fix and
// an example that fires and one that does not, from plan_rules.json, and
// the lexicon's phrases, from lexicon.json.
func rulesDoc() string {
	var b strings.Builder
	b.WriteString("# Plan rules\n\nGenerated from `plan_rules.json` and `lexicon.json` by `go test ./quality -run TestRulesDoc -args -update`; do not edit by hand.\n")
	b.WriteString("Each rule's examples are also test cases (`TestPlanRuleExamples`).\n")
	cell := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }
	for _, r := range PlanRules() {
		fmt.Fprintf(&b, "\n## %s (%s)\n\n%s / %s\n\n", r.Code, r.Severity, r.Title.EN, r.Title.CY)
		fmt.Fprintf(&b, "- **Basis:** %s\n- **Printed as:** %s / %s\n- **Fix:** %s / %s\n- **Fires:** %s\n- **Passes:** %s\n",
			cell(r.Basis), cell(r.Cites.EN), cell(r.Cites.CY), cell(r.Fix.EN), cell(r.Fix.CY), cell(r.Fires.EN), cell(r.Passes.EN))
		if r.Fires.CY != "" || r.Passes.CY != "" {
			fmt.Fprintf(&b, "- **Yn tanio:** %s\n- **Yn pasio:** %s\n", cell(r.Fires.CY), cell(r.Passes.CY))
		}
	}
	b.WriteString("\n## Lexicon of vague wording\n\n| Id | Language | Phrase | Kind | Severity | Not flagged when quantified |\n|---|---|---|---|---|---|\n")
	for _, e := range Lexicon() {
		ok := ""
		if e.OKWhenQuantified {
			ok = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", e.ID, e.Lang, cell(e.Phrase), e.Kind, e.Severity, ok)
	}
	return b.String()
}

// TestRulesDoc: RULES.md says what the data says.
func TestRulesDoc(t *testing.T) {
	want := rulesDoc()
	if *update {
		if err := os.WriteFile("RULES.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("RULES.md")
	if err != nil || string(got) != want {
		t.Fatal("RULES.md is out of date: go test ./quality -run TestRulesDoc -args -update")
	}
}
