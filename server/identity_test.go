package server_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// cache is a normalised client cache as Apollo Client, Relay and urql keep
// one: every object with __typename and id is stored once under
// "Typename:id", its fields merged from every response; objects without an
// id stay inside their parent (merged field by field). overwrites lists
// each field that got another value under the same key where that cannot
// be an update: within one response (one answer showing two states under
// one id), or, across responses, on an object of a type that is one
// version or revision (immutable). That is the mixing of versions issue 15
// saw ("v1's row with v2's data"). Objects that are the latest state of
// something (Review, Case) may change between responses: that is an update.
type cache struct {
	objects    map[string]map[string]any
	immutable  map[string]bool
	written    map[string]bool // keys written by the response being read
	overwrites []string
}

func newCache(immutable ...string) *cache {
	c := &cache{objects: map[string]map[string]any{}, immutable: map[string]bool{}}
	for _, t := range immutable {
		c.immutable[t] = true
	}
	return c
}

// write normalises a response's data into the cache.
func (c *cache) write(data any) {
	c.written = map[string]bool{}
	c.normalise(data)
}

func (c *cache) normalise(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = c.normalise(x[i])
		}
		return out
	case map[string]any:
		fields := map[string]any{}
		for k, fv := range x {
			fields[k] = c.normalise(fv)
		}
		tn, _ := x["__typename"].(string)
		id, _ := x["id"].(string)
		if tn == "" || id == "" {
			return fields
		}
		key := tn + ":" + id
		stored := c.objects[key]
		if stored == nil {
			stored = map[string]any{}
			c.objects[key] = stored
		}
		strict := c.written[key] || c.immutable[tn]
		c.merge(key, stored, fields, strict)
		c.written[key] = true
		return map[string]any{"__ref": key}
	}
	return v
}

// merge writes fields into stored; embedded objects merge field by field.
func (c *cache) merge(path string, stored, fields map[string]any, strict bool) {
	for k, fv := range fields {
		old, ok := stored[k]
		om, oldIsMap := old.(map[string]any)
		nm, newIsMap := fv.(map[string]any)
		if ok && oldIsMap && newIsMap && om["__ref"] == nil && nm["__ref"] == nil {
			c.merge(path+"."+k, om, nm, strict)
			continue
		}
		if ok && strict && !reflect.DeepEqual(old, fv) {
			c.overwrites = append(c.overwrites, fmt.Sprintf("%s.%s: %v → %v", path, k, old, fv))
		}
		stored[k] = fv
	}
}

// TestCacheSimulatorDetectsSharedIDs shows that the cache test below can
// fail: two states under one id, as every review revision had before
// revisions got ids of their own, are reported.
func TestCacheSimulatorDetectsSharedIDs(t *testing.T) {
	var before any
	if err := json.Unmarshal([]byte(`{"review":{"__typename":"Review","id":"rvw_1","revisions":[
		{"__typename":"Review","id":"rvw_1","revision":1,"participants":[{"name":"A"}]},
		{"__typename":"Review","id":"rvw_1","revision":2,"participants":[{"name":"A"},{"name":"B"}]}]}}`), &before); err != nil {
		t.Fatal(err)
	}
	c := newCache()
	c.write(before)
	if len(c.overwrites) == 0 {
		t.Fatal("two revisions under one id in one response were not reported")
	}
	// Across responses: a 2B row with one id in two versions (as rows had
	// before they got an id per version).
	c = newCache("ProvisionRow")
	c.write(map[string]any{"v1": map[string]any{"__typename": "ProvisionRow", "id": "row_salt", "provision": "30 minutes"}})
	c.write(map[string]any{"v2": map[string]any{"__typename": "ProvisionRow", "id": "row_salt", "provision": "45 minutes"}})
	if len(c.overwrites) != 1 {
		t.Fatalf("a row overwritten by another version's: %v", c.overwrites)
	}
}

// TestCacheIdentity: every object with an id is one immutable thing (or
// the latest state of one): 2B rows have an id per plan version, review and
// case revisions an id per revision, node(id:) resolves each to exactly its
// own data for those who may read it, and a normalised cache fed the
// responses never overwrites one version's fields with another's.
func TestCacheIdentity(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, parent, stranger, officerB := e.token(f.alnco), e.token(f.parent), e.token(f.stranger), e.token(f.officerB)
	c := newCache("PlanVersion", "ProvisionRow", "ReviewRevision", "CaseRevision")
	seen := func(r response) response {
		t.Helper()
		c.write(r.Data)
		return r
	}

	// Version 2 changes row_salt from 30 to 45 minutes and is FINAL.
	v2 := sampleContent("45 minutes of 1:1 speech and language therapy weekly")
	v2["provision"].([]any)[0].(map[string]any)["quantity"] = map[string]any{"minutesPerSession": 45, "sessions": 1, "per": "WEEK", "groupSize": 1}
	seen(e.must(alnco, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { __typename id number content { __typename provision { __typename id rowId version provision quantity { minutesPerSession } } } } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 1, "status": "FINAL", "content": v2}}))

	rowsQuery := `query($id: ID!) { plan(id: $id) { __typename id
		v1: version(number: 1) { __typename id number content { provision { __typename id rowId version provision quantity { minutesPerSession } } } }
		v2: version(number: 2) { __typename id number content { provision { __typename id rowId version provision quantity { minutesPerSession } } } }
		ledger(version: 1, from: "2026-09-07", to: "2026-11-20") { version rows { rowId row { __typename id rowId version quantity { minutesPerSession } } } } } }`
	r := seen(e.must(alnco, rowsQuery, map[string]any{"id": f.plan1}))
	row1, row2 := r.str("plan", "v1", "content", "provision", 0, "id"), r.str("plan", "v2", "content", "provision", 0, "id")
	if row1 != f.plan1+"/v1#row_salt" || row2 != f.plan1+"/v2#row_salt" ||
		r.str("plan", "v1", "content", "provision", 0, "rowId") != "row_salt" || r.str("plan", "v2", "content", "provision", 0, "rowId") != "row_salt" ||
		r.get("plan", "v2", "content", "provision", 0, "version") != 2.0 ||
		r.str("plan", "ledger", "rows", 0, "row", "id") != row1 || r.get("plan", "ledger", "rows", 0, "row", "quantity", "minutesPerSession") != 30.0 {
		t.Fatalf("row ids per version: %s", r.raw)
	}

	// node(id:) gives each version's row as it was, to those who may read
	// the plan; to others, and for rows or versions that do not exist,
	// NOT_FOUND.
	nodeRow := `query($id: ID!) { node(id: $id) { __typename id ... on ProvisionRow { rowId version provision quantity { minutesPerSession } } } }`
	for _, tc := range []struct {
		token, id string
		minutes   float64
	}{{alnco, row1, 30}, {alnco, row2, 45}, {parent, row1, 30}} {
		r := seen(e.must(tc.token, nodeRow, map[string]any{"id": tc.id}))
		if r.str("node", "__typename") != "ProvisionRow" || r.str("node", "id") != tc.id || r.get("node", "quantity", "minutesPerSession") != tc.minutes {
			t.Errorf("node(%s): %s", tc.id, r.raw)
		}
	}
	for _, tc := range []struct{ token, id string }{
		{stranger, row1}, {officerB, row2},
		{alnco, f.plan1 + "/v3#row_salt"}, {alnco, f.plan1 + "/v1#row_nope"}, {alnco, f.plan1 + "/v01#row_salt"}, {alnco, f.plan1 + "/v1#"},
	} {
		if r := e.do(tc.token, nodeRow, map[string]any{"id": tc.id}); r.code() != "NOT_FOUND" || r.get("node") != nil {
			t.Errorf("node(%s) should be NOT_FOUND: %s", tc.id, r.raw)
		}
	}

	// Inputs carry the row's own id; a row sent back with its node id from
	// this plan keeps its row id, one from another plan is refused.
	v3 := sampleContent("45 minutes of 1:1 speech and language therapy weekly")
	v3["provision"].([]any)[0].(map[string]any)["id"] = row2
	r = e.must(alnco, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number content { provision { id rowId } } } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 2, "content": v3}})
	if r.str("saveVersion", "version", "content", "provision", 0, "rowId") != "row_salt" || r.str("saveVersion", "version", "content", "provision", 0, "id") != f.plan1+"/v3#row_salt" {
		t.Fatalf("a row sent back by its node id: %s", r.raw)
	}
	v3["provision"].([]any)[0].(map[string]any)["id"] = "pln_other/v1#row_salt"
	if r := e.do(alnco, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 3, "content": v3}}); r.code() != "INVALID" ||
		!strings.Contains(string(r.raw), `"input.content.provision.0.id"`) {
		t.Fatalf("a row of another plan: %s", r.raw)
	}
	if n := e.must(alnco, `query($id: ID!) { plan(id: $id) { currentVersionNumber } }`, map[string]any{"id": f.plan1}).get("plan", "currentVersionNumber"); n != 3.0 {
		t.Fatalf("a refused save changed the plan: version %v", n)
	}

	// Reviews: Review is the review (latest revision); each revision has
	// its own id.
	rec1 := goodRecord()
	rec1["participants"] = []any{map[string]any{"name": "Ms Evans", "role": "ALNCO", "attendance": "IN_PERSON"}}
	for _, row := range []string{"provision", "outcomes", "disagreements"} {
		delete(rec1, row) // row_salt's review is for the saved rows; keep revision 1 simple
	}
	r = seen(e.must(alnco, `mutation($in: OpenReviewInput!) { openReview(input: $in) { review { __typename id revision participants { name } } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "type": "ANNUAL", "record": rec1}}))
	reviewID := r.str("openReview", "review", "id")
	rec2 := goodRecord()
	delete(rec2, "provision")
	delete(rec2, "outcomes")
	delete(rec2, "disagreements")
	seen(e.must(alnco, `mutation($in: SaveReviewInput!) { saveReview(input: $in) { review { __typename id revision participants { name } } } }`,
		map[string]any{"in": map[string]any{"id": reviewID, "expectedRevision": 1, "record": rec2}}))
	r = seen(e.must(parent, `query($id: ID!) { review(id: $id) { __typename id revision participants { name }
		revisions { nodes { __typename id reviewId revision participants { name } review { __typename id revision } } } } }`, map[string]any{"id": reviewID}))
	if r.str("review", "id") != reviewID || r.get("review", "revision") != 2.0 ||
		r.str("review", "revisions", "nodes", 0, "id") != reviewID+"/r1" || r.str("review", "revisions", "nodes", 1, "id") != reviewID+"/r2" ||
		r.str("review", "revisions", "nodes", 0, "reviewId") != reviewID || len(r.get("review", "revisions", "nodes", 0, "participants").([]any)) != 1 ||
		len(r.get("review", "revisions", "nodes", 1, "participants").([]any)) != 3 {
		t.Fatalf("review revisions: %s", r.raw)
	}
	nodeRev := `query($id: ID!) { node(id: $id) { __typename id ... on ReviewRevision { reviewId revision participants { name } } } }`
	r = seen(e.must(parent, nodeRev, map[string]any{"id": reviewID + "/r1"}))
	if r.str("node", "__typename") != "ReviewRevision" || r.get("node", "revision") != 1.0 || len(r.get("node", "participants").([]any)) != 1 {
		t.Fatalf("node(review revision 1): %s", r.raw)
	}
	for _, tc := range []struct{ token, id string }{{stranger, reviewID + "/r1"}, {officerB, reviewID + "/r2"}, {alnco, reviewID + "/r3"}, {alnco, reviewID + "/r0"}} {
		if r := e.do(tc.token, nodeRev, map[string]any{"id": tc.id}); r.code() != "NOT_FOUND" || r.get("node") != nil {
			t.Errorf("node(%s) should be NOT_FOUND: %s", tc.id, r.raw)
		}
	}

	// Cases: the same rule.
	officer := e.token(f.officer)
	decision := map[string]any{"kind": "PROVISION", "description": "Amount of therapy"}
	r = seen(e.must(officer, `mutation($in: OpenCaseInput!) { openCase(input: $in) { case { __typename id revision title } } }`,
		map[string]any{"in": map[string]any{"learnerId": f.l1, "kind": "DISAGREEMENT", "title": "Therapy time", "decision": decision}}))
	caseID := r.str("openCase", "case", "id")
	seen(e.must(officer, `mutation($in: UpdateCaseInput!) { updateCase(input: $in) { case { __typename id revision title } } }`,
		map[string]any{"in": map[string]any{"id": caseID, "expectedRevision": 1, "title": "Therapy time and Welsh", "decision": decision}}))
	r = seen(e.must(parent, `query($id: ID!) { case(id: $id) { __typename id revision title revisions { nodes { __typename id caseId revision title } } } }`, map[string]any{"id": caseID}))
	if r.str("case", "title") != "Therapy time and Welsh" || r.str("case", "revisions", "nodes", 0, "id") != caseID+"/r1" ||
		r.str("case", "revisions", "nodes", 0, "title") != "Therapy time" || r.str("case", "revisions", "nodes", 1, "id") != caseID+"/r2" ||
		r.str("case", "revisions", "nodes", 1, "caseId") != caseID {
		t.Fatalf("case revisions: %s", r.raw)
	}
	nodeCase := `query($id: ID!) { node(id: $id) { __typename id ... on CaseRevision { caseId revision title } } }`
	r = seen(e.must(parent, nodeCase, map[string]any{"id": caseID + "/r1"}))
	if r.str("node", "__typename") != "CaseRevision" || r.str("node", "title") != "Therapy time" {
		t.Fatalf("node(case revision 1): %s", r.raw)
	}
	for _, tc := range []struct{ token, id string }{{stranger, caseID + "/r1"}, {officerB, caseID + "/r2"}, {officer, caseID + "/r3"}} {
		if r := e.do(tc.token, nodeCase, map[string]any{"id": tc.id}); r.code() != "NOT_FOUND" || r.get("node") != nil {
			t.Errorf("node(%s) should be NOT_FOUND: %s", tc.id, r.raw)
		}
	}

	// Nothing the cache was fed overwrote another version's or revision's
	// fields; each row version is stored once, with its own data.
	if len(c.overwrites) > 0 {
		t.Fatalf("the normalised cache mixed versions:\n%s", strings.Join(c.overwrites, "\n"))
	}
	if got := c.objects["ProvisionRow:"+row1]["quantity"]; !reflect.DeepEqual(got, map[string]any{"minutesPerSession": 30.0}) {
		t.Fatalf("cached v1 row: %v", got)
	}
	if got := c.objects["ReviewRevision:"+reviewID+"/r1"]["participants"]; len(got.([]any)) != 1 {
		t.Fatalf("cached revision 1: %v", got)
	}
	if got := c.objects["Review:"+reviewID]["revision"]; got != 2.0 {
		t.Fatalf("cached review is not the latest revision: %v", got)
	}
}
