package cynllun

import "testing"

func TestVersionedIDs(t *testing.T) {
	plan := "pln_0190abc"
	if got := RowNodeID(plan, 3, "row_x"); got != "pln_0190abc/v3#row_x" {
		t.Fatalf("RowNodeID = %q", got)
	}
	if got := RevisionID("rvw_1", 2); got != "rvw_1/r2" {
		t.Fatalf("RevisionID = %q", got)
	}
	rows := []struct {
		in      string
		plan    string
		n       int
		row     string
		ok      bool
		comment string
	}{
		{"pln_0190abc/v3#row_x", plan, 3, "row_x", true, "plain"},
		{"pln_0190abc/v12#a#b", plan, 12, "a#b", true, "a row id may hold '#': only the first one splits"},
		{"pln_0190abc/v3#", "", 0, "", false, "no row"},
		{"pln_0190abc/v3", "", 0, "", false, "a version, not a row"},
		{"pln_0190abc#row_x", "", 0, "", false, "no version"},
		{"pln_0190abc/v0#row_x", "", 0, "", false, "version 0"},
		{"pln_0190abc/v03#row_x", "", 0, "", false, "leading zero: one id per row"},
		{"pln_0190abc/v+3#row_x", "", 0, "", false, "sign"},
		{"pln_0190abc/v-3#row_x", "", 0, "", false, "negative"},
		{"pln_0190abc/v99999999999#row_x", "", 0, "", false, "too long"},
		{"pln_/v3#row_x", "", 0, "", false, "no plan id"},
		{"rvw_1/v3#row_x", "", 0, "", false, "not a plan"},
		{"pln_a/b/v3#row_x", "", 0, "", false, "slash in the plan id"},
		{"row_x", "", 0, "", false, "a bare row id"},
	}
	for _, tc := range rows {
		p, n, r, ok := ParseRowNodeID(tc.in)
		if p != tc.plan || n != tc.n || r != tc.row || ok != tc.ok {
			t.Errorf("%s: ParseRowNodeID(%q) = %q %d %q %v", tc.comment, tc.in, p, n, r, ok)
		}
	}
	revs := []struct {
		in, prefix string
		id         string
		n          int
		ok         bool
	}{
		{"rvw_1/r2", PrefixReview, "rvw_1", 2, true},
		{"cas_9/r10", PrefixCase, "cas_9", 10, true},
		{"cas_9/r10", PrefixReview, "", 0, false},
		{"rvw_1", PrefixReview, "", 0, false},
		{"rvw_1/r0", PrefixReview, "", 0, false},
		{"rvw_1/r", PrefixReview, "", 0, false},
		{"rvw_1/r2/r3", PrefixReview, "", 0, false},
		{"rvw_1/r2#x", PrefixReview, "", 0, false},
		{"rvw_1/v2", PrefixReview, "", 0, false},
	}
	for _, tc := range revs {
		id, n, ok := ParseRevisionID(tc.in, tc.prefix)
		if id != tc.id || n != tc.n || ok != tc.ok {
			t.Errorf("ParseRevisionID(%q, %q) = %q %d %v", tc.in, tc.prefix, id, n, ok)
		}
	}
}

// FuzzParseNodeIDs checks that the parsers of versioned ids (which come
// from clients, through node(id:) and inputs) accept exactly the ids the
// builders make.
func FuzzParseNodeIDs(f *testing.F) {
	for _, s := range []string{"pln_a/v3#row_x", "rvw_1/r2", "cas_1/r10", "pln_a/v03#x", "pln_/v1#", "rvw_1/r2/r3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, n, r, ok := ParseRowNodeID(s); ok && RowNodeID(p, n, r) != s {
			t.Fatalf("ParseRowNodeID(%q) gave %q %d %q, which builds another id", s, p, n, r)
		}
		if p, n, ok := ParseVersionID(s); ok && VersionID(p, n) != s {
			t.Fatalf("ParseVersionID(%q) gave %q %d", s, p, n)
		}
		for _, prefix := range []string{PrefixReview, PrefixCase} {
			if id, n, ok := ParseRevisionID(s, prefix); ok && RevisionID(id, n) != s {
				t.Fatalf("ParseRevisionID(%q) gave %q %d", s, id, n)
			}
		}
	})
}

func TestPersonNodeID(t *testing.T) {
	if got := PersonNodeID("usr_a", "lrn_b"); got != "usr_a@lrn_b" {
		t.Fatalf("PersonNodeID = %q", got)
	}
	for _, tc := range []struct {
		in, user, learner string
		ok                bool
	}{
		{"usr_a@lrn_b", "usr_a", "lrn_b", true},
		{"usr_a", "", "", false},
		{"usr_@lrn_b", "", "", false},
		{"usr_a@lrn_", "", "", false},
		{"usr_a@pln_b", "", "", false},
		{"lrn_b@usr_a", "", "", false},
		{"usr_a@lrn_b@lrn_c", "", "", false},
		{"usr_a@lrn_b/v1", "", "", false},
	} {
		u, l, ok := ParsePersonNodeID(tc.in)
		if u != tc.user || l != tc.learner || ok != tc.ok {
			t.Errorf("ParsePersonNodeID(%q) = %q %q %v", tc.in, u, l, ok)
		}
	}
}
