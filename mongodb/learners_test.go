package mongodb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cynllun/cynllun"
)

// learnerWorld is two LAs with a school each and learners with Welsh names,
// all with ids of this test.
type learnerWorld struct {
	la1, la2, s1, s2 string
	byName           map[string]*cynllun.Learner // key: "Given Family"
	all              []*cynllun.Learner
}

func newLearnerWorld(t *testing.T) *learnerWorld {
	t.Helper()
	w := &learnerWorld{
		la1: cynllun.NewID(cynllun.PrefixOrganisation), la2: cynllun.NewID(cynllun.PrefixOrganisation),
		s1: cynllun.NewID(cynllun.PrefixOrganisation), s2: cynllun.NewID(cynllun.PrefixOrganisation),
		byName: map[string]*cynllun.Learner{},
	}
	add := func(la, setting, given, family, preferred string) {
		l := newLearner(la, setting, given, family)
		l.PreferredName = preferred
		w.byName[given+" "+family] = l
		w.all = append(w.all, l)
	}
	add(w.la1, w.s1, "Siôn", "Jones", "")
	add(w.la1, w.s1, "Sian", "Davies", "")
	add(w.la1, w.s1, "Gwenllïan", "Roberts", "Gwen")
	add(w.la1, "", "Llŷr", "Ifans", "")          // LA1, no setting (EHE)
	add(w.la2, w.s2, "Ffion", "Llywelyn", "")    // LA2
	add(w.la2, w.s2, "Dafydd", "Ôwen", "Dai")    // family name with a diacritic
	add(w.la2, "", "Elin", "Wŷn", "")            // LA2, no setting
	add(w.la2, w.s2, "Catrin", "Siôn-Evans", "") // family name starts "sion"
	add(w.la2, w.s2, "Tomos", "S.on", "")        // a regex metacharacter
	mustCreateLearners(t, w.all...)
	return w
}

// sorted returns the learners in listing order.
func sorted(ls []*cynllun.Learner) []*cynllun.Learner {
	out := slices.Clone(ls)
	slices.SortFunc(out, func(a, b *cynllun.Learner) int {
		if c := strings.Compare(cynllun.LearnerSortKey(a), cynllun.LearnerSortKey(b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func names(ls []*cynllun.Learner) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.GivenName + " " + l.FamilyName
	}
	return out
}

func TestListLearners(t *testing.T) {
	t.Parallel()
	w := newLearnerWorld(t)
	pick := func(keys ...string) []string {
		var ls []*cynllun.Learner
		for _, k := range keys {
			l, ok := w.byName[k]
			if !ok {
				t.Fatalf("no learner %q", k)
			}
			ls = append(ls, l)
		}
		return names(sorted(ls))
	}
	both := cynllun.Scope{LAIDs: []string{w.la1, w.la2}}

	tests := []struct {
		name string
		q    cynllun.LearnerQuery
		want []string
	}{
		{"LA1 scope", cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{w.la1}}},
			pick("Siôn Jones", "Sian Davies", "Gwenllïan Roberts", "Llŷr Ifans")},
		{"setting scope", cynllun.LearnerQuery{Scope: cynllun.Scope{SettingIDs: []string{w.s2}}},
			pick("Ffion Llywelyn", "Dafydd Ôwen", "Catrin Siôn-Evans", "Tomos S.on")},
		{"learner scope", cynllun.LearnerQuery{Scope: cynllun.Scope{LearnerIDs: []string{w.byName["Elin Wŷn"].ID, w.byName["Siôn Jones"].ID}}},
			pick("Elin Wŷn", "Siôn Jones")},
		{"union of scopes", cynllun.LearnerQuery{Scope: cynllun.Scope{
			LearnerIDs: []string{w.byName["Elin Wŷn"].ID}, SettingIDs: []string{w.s1}}},
			pick("Elin Wŷn", "Siôn Jones", "Sian Davies", "Gwenllïan Roberts")},
		{"LA filter inside scope", cynllun.LearnerQuery{Scope: both, LAID: w.la2},
			pick("Ffion Llywelyn", "Dafydd Ôwen", "Elin Wŷn", "Catrin Siôn-Evans", "Tomos S.on")},
		{"setting filter inside scope", cynllun.LearnerQuery{Scope: both, SettingID: w.s1},
			pick("Siôn Jones", "Sian Davies", "Gwenllïan Roberts")},
		{"LA filter outside scope", cynllun.LearnerQuery{Scope: cynllun.Scope{SettingIDs: []string{w.s1}}, LAID: w.la2},
			nil},
		{"prefix sion finds Siôn (given) and Siôn-Evans (family)", cynllun.LearnerQuery{Scope: both, NamePrefix: "sion"},
			pick("Siôn Jones", "Catrin Siôn-Evans")},
		{"prefix with the diacritic typed", cynllun.LearnerQuery{Scope: both, NamePrefix: "SIÔN"},
			pick("Siôn Jones", "Catrin Siôn-Evans")},
		{"prefix si", cynllun.LearnerQuery{Scope: both, NamePrefix: " Si "},
			pick("Siôn Jones", "Sian Davies", "Catrin Siôn-Evans")},
		{"prefix gwenlli", cynllun.LearnerQuery{Scope: both, NamePrefix: "gwenlli"},
			pick("Gwenllïan Roberts")},
		{"preferred name", cynllun.LearnerQuery{Scope: both, NamePrefix: "gwen"},
			pick("Gwenllïan Roberts")},
		{"preferred name Dai", cynllun.LearnerQuery{Scope: both, NamePrefix: "dai"},
			pick("Dafydd Ôwen")},
		{"prefix llyr", cynllun.LearnerQuery{Scope: both, NamePrefix: "llyr"},
			pick("Llŷr Ifans")},
		{"prefix ll finds given and family names", cynllun.LearnerQuery{Scope: both, NamePrefix: "ll"},
			pick("Llŷr Ifans", "Ffion Llywelyn")},
		{"family name with a diacritic", cynllun.LearnerQuery{Scope: both, NamePrefix: "owen"},
			pick("Dafydd Ôwen")},
		{"wyn", cynllun.LearnerQuery{Scope: both, NamePrefix: "wyn"},
			pick("Elin Wŷn")},
		{"regex metacharacters are literal", cynllun.LearnerQuery{Scope: both, NamePrefix: "s.o"},
			pick("Tomos S.on")},
		{"regex anchors are literal", cynllun.LearnerQuery{Scope: both, NamePrefix: ".*"},
			nil},
		{"prefix inside a name does not match", cynllun.LearnerQuery{Scope: both, NamePrefix: "ion"},
			nil},
		{"prefix and LA", cynllun.LearnerQuery{Scope: both, NamePrefix: "si", LAID: w.la1},
			pick("Siôn Jones", "Sian Davies")},
		{"limit", cynllun.LearnerQuery{Scope: both, Limit: 2},
			names(sorted(w.all)[:2])},
		{"empty scope", cynllun.LearnerQuery{LAID: w.la1}, nil},
		{"scope of empty ids", cynllun.LearnerQuery{Scope: cynllun.Scope{SettingIDs: []string{""}, LAIDs: []string{""}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls, err := testDB.ListLearners(t.Context(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, names(ls), cmp.Comparer(func(a, b []string) bool {
				return len(a) == 0 && len(b) == 0 || slices.Equal(a, b)
			})); diff != "" {
				t.Errorf("ListLearners (-want +got):\n%s", diff)
			}
			q := tt.q
			q.Limit = 0
			n, err := testDB.CountLearners(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			wantN := len(tt.want)
			if tt.q.Limit > 0 {
				wantN = len(w.all)
			}
			if n != wantN {
				t.Errorf("CountLearners = %d, want %d", n, wantN)
			}
		})
	}
}

// TestEmptyScopeSendsNothing: deny by default, without asking the database.
func TestEmptyScopeSendsNothing(t *testing.T) {
	t.Parallel()
	for _, scope := range []cynllun.Scope{{}, {LearnerIDs: []string{}, SettingIDs: []string{""}}} {
		var ls []*cynllun.Learner
		var n int
		var err1, err2 error
		cmds := commands(t, func(ctx context.Context) {
			ls, err1 = testDB.ListLearners(ctx, cynllun.LearnerQuery{Scope: scope, LAID: "org_x"})
			n, err2 = testDB.CountLearners(ctx, cynllun.LearnerQuery{Scope: scope})
		})
		if err1 != nil || err2 != nil || len(ls) != 0 || n != 0 {
			t.Errorf("scope %+v: ListLearners = %v, %v; CountLearners = %d, %v", scope, ls, err1, n, err2)
		}
		if len(cmds) != 0 {
			t.Errorf("scope %+v sent %v", scope, cmds)
		}
	}
}

// TestListLearnersPaging walks the pages with the cursor: every learner
// once, in order, with ties on the sort key broken by id.
func TestListLearnersPaging(t *testing.T) {
	t.Parallel()
	la := cynllun.NewID(cynllun.PrefixOrganisation)
	family := []string{"Jones", "Jones", "Jones", "Ôwen", "Owen", "ap Rhys", "Williams", "Wŷn"}
	given := []string{"Siôn", "Sion", "Aled", "Non", "Non", "Ieuan", "Gwenllïan", "Mali"}
	var all []*cynllun.Learner
	for i := range 23 {
		l := newLearner(la, "", given[i%len(given)], family[i%len(family)])
		all = append(all, l)
	}
	mustCreateLearners(t, all...)
	want := sorted(all)
	// Folded ties: "Siôn Jones" and "Sion Jones" share a sort key.
	if cynllun.LearnerSortKey(all[0]) != cynllun.LearnerSortKey(all[1]) {
		t.Fatal("fixture should have equal sort keys")
	}

	for _, size := range []int{1, 5, 7, 23, 50} {
		t.Run(fmt.Sprint("page size ", size), func(t *testing.T) {
			q := cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, Limit: size}
			var got []string
			pages := 0
			for {
				page, err := testDB.ListLearners(t.Context(), q)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > size {
					t.Fatalf("page of %d, limit %d", len(page), size)
				}
				for _, l := range page {
					got = append(got, l.ID)
				}
				pages++
				if len(page) < size {
					break
				}
				last := page[len(page)-1]
				q.AfterKey, q.AfterID = cynllun.LearnerSortKey(last), last.ID
				if pages > 30 {
					t.Fatal("too many pages")
				}
			}
			wantIDs := make([]string, len(want))
			for i, l := range want {
				wantIDs[i] = l.ID
			}
			if diff := cmp.Diff(wantIDs, got); diff != "" {
				t.Errorf("paged ids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListLearnersLimit: default 50, at most 1000.
func TestListLearnersLimit(t *testing.T) {
	t.Parallel()
	la := cynllun.NewID(cynllun.PrefixOrganisation)
	var all []*cynllun.Learner
	for i := range 55 {
		all = append(all, newLearner(la, "", fmt.Sprintf("Plentyn %02d", i), "Evans"))
	}
	mustCreateLearners(t, all...)
	for _, tt := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {10, 10}, {5000, 55}} {
		ls, err := testDB.ListLearners(t.Context(), cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, Limit: tt.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != tt.want {
			t.Errorf("Limit %d: %d learners, want %d", tt.limit, len(ls), tt.want)
		}
	}
	if got := limit(5000); got != maxLimit {
		t.Errorf("limit(5000) = %d", got)
	}
}

func TestUpdateLearner(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la := cynllun.NewID(cynllun.PrefixOrganisation)
	l := newLearner(la, "", "Siôn", "Jones")
	mustCreateLearners(t, l)

	u := *l
	u.GivenName, u.FamilyName, u.PreferredName = "Llŷr", "Hughes", ""
	u.SettingID, u.LookedAfter = "org_school", true
	u.UpdatedAt = t0.AddDate(0, 1, 0)
	if err := testDB.UpdateLearner(ctx, &u); err != nil {
		t.Fatal(err)
	}
	got, err := testDB.LearnersByID(ctx, []string{l.ID})
	if err != nil || len(got) != 1 {
		t.Fatalf("LearnersByID = %v, %v", got, err)
	}
	if diff := cmp.Diff(&u, got[0]); diff != "" {
		t.Errorf("updated learner (-want +got):\n%s", diff)
	}
	// The folded helpers follow the new names.
	scope := cynllun.Scope{LAIDs: []string{la}}
	for prefix, want := range map[string]int{"sion": 0, "jones": 0, "llyr": 1, "hugh": 1} {
		n, err := testDB.CountLearners(ctx, cynllun.LearnerQuery{Scope: scope, NamePrefix: prefix})
		if err != nil || n != want {
			t.Errorf("CountLearners(%q) = %d, %v; want %d", prefix, n, err, want)
		}
	}

	missing := newLearner(la, "", "Neb", "Neb")
	err = testDB.UpdateLearner(ctx, missing)
	if codeOf(err) != cynllun.CodeNotFound {
		t.Errorf("UpdateLearner of a missing learner = %v, want NOT_FOUND", err)
	}
}

func TestCreateLearnerConflict(t *testing.T) {
	t.Parallel()
	l := newLearner("org_la", "", "Gwenllïan", "Prydderch")
	mustCreateLearners(t, l)
	err := testDB.CreateLearner(t.Context(), l)
	if codeOf(err) != cynllun.CodeConflict {
		t.Fatalf("second CreateLearner = %v, want CONFLICT", err)
	}
	if s := err.Error(); strings.Contains(s, "Gwenll") || strings.Contains(s, "Prydderch") {
		t.Errorf("error names the child: %q", s)
	}
}

// TestPendingLearnerCopies: a copy written before its learner (a crash
// during CreateLearner or UpdateLearner) is checked against the learner:
// one whose learner does not exist is not listed, and one whose change was
// not stored lists the learner as stored.
func TestPendingLearnerCopies(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la := cynllun.NewID(cynllun.PrefixOrganisation)
	ghost := newLearner(la, "", "Ysbryd", "Neb")
	if err := testDB.writeCopies(ctx, true, []*learnerDoc{toLearnerDoc(ghost)}, nil); err != nil {
		t.Fatal(err)
	}
	l := newLearner(la, "", "Mali", "Prys")
	mustCreateLearners(t, l)
	changed := *l
	changed.GivenName = "Malan"
	if err := testDB.writeCopies(ctx, true, []*learnerDoc{toLearnerDoc(&changed)}, nil); err != nil {
		t.Fatal(err)
	}
	ls, n, err := testDB.LearnerPage(ctx, cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{la}}})
	if err != nil || n != 1 || len(ls) != 1 || ls[0].ID != l.ID || ls[0].GivenName != "Mali" {
		t.Fatalf("LearnerPage = %+v, %d, %v; want Mali only", ls, n, err)
	}
	// A page costs the set's directory and bucket and the check of the two
	// pending copies; the count, the directory, the bucket holding pending
	// copies and their checks: all by _id.
	cmds := commands(t, func(ctx context.Context) {
		_, _, _ = testDB.LearnerPage(ctx, cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{la}}})
	})
	wantFlat(t, cmds, 8, 2)
}

// TestLearnerSetsSplit: an LA of 300 learners is kept in buckets of at most
// maxBucket; pages walk it in order, each learner once, whatever is renamed
// or moved, a page reads a bounded number of documents, and the count
// comes from the directory.
func TestLearnerSetsSplit(t *testing.T) {
	t.Parallel()
	if !testDB.Embedded() {
		t.Skip("sorted sets are kept on the embedded store")
	}
	ctx := t.Context()
	la, other := cynllun.NewID(cynllun.PrefixOrganisation), cynllun.NewID(cynllun.PrefixOrganisation)
	rnd := rand.New(rand.NewPCG(1, 2))
	var ls []*cynllun.Learner
	for i := range 300 {
		l := newLearner(la, "", fmt.Sprintf("Plentyn%03d", i), fmt.Sprintf("Teulu%04d", rnd.IntN(10000)))
		mustCreateLearners(t, l)
		ls = append(ls, l)
	}
	// Rename 20 (across buckets) and move 30 to another LA.
	for i, l := range ls[:50] {
		if i < 20 {
			l.FamilyName = fmt.Sprintf("Aaron%03d", i)
		} else {
			l.LAID = other
		}
		if err := testDB.UpdateLearner(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	walk := func(laID string) []string {
		var ids []string
		q := cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{laID}}, Limit: 17}
		for {
			page, n, err := testDB.LearnerPage(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]int{la: 270, other: 30}[laID]; n != want {
				t.Fatalf("count of %s = %d, want %d", laID, n, want)
			}
			for _, l := range page {
				ids = append(ids, l.ID)
			}
			if len(page) < q.Limit {
				return ids
			}
			last := page[len(page)-1]
			q.AfterKey, q.AfterID = cynllun.LearnerSortKey(last), last.ID
		}
	}
	var want []*cynllun.Learner
	for _, l := range ls {
		if l.LAID == la {
			want = append(want, l)
		}
	}
	slices.SortFunc(want, func(a, b *cynllun.Learner) int {
		if c := strings.Compare(cynllun.LearnerSortKey(a), cynllun.LearnerSortKey(b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var wantIDs []string
	for _, l := range want {
		wantIDs = append(wantIDs, l.ID)
	}
	if diff := cmp.Diff(wantIDs, walk(la)); diff != "" {
		t.Errorf("pages of the LA (-want +got):\n%s", diff)
	}
	if got := walk(other); len(got) != 30 {
		t.Errorf("%d learners in the other LA, want 30", len(got))
	}
	d, err := learnersByLA.dir(ctx, testDB, la)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Buckets) < 270/maxBucket {
		t.Errorf("%d buckets for 270 learners", len(d.Buckets))
	}
	for _, b := range d.Buckets {
		if b.N > maxBucket || b.P != 0 {
			t.Errorf("bucket %+v: over %d members, or pending ones", b, maxBucket)
		}
	}
	// A page of 50 reads the directory and at most two buckets.
	cmds := commands(t, func(ctx context.Context) {
		if _, _, err := testDB.LearnerPage(ctx, cynllun.LearnerQuery{Scope: cynllun.Scope{LAIDs: []string{la}}, Limit: 50}); err != nil {
			t.Error(err)
		}
	})
	wantFlat(t, cmds, 4, 2)
}
