package mongodb

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cynllun/cynllun"
)

func TestListOrganisations(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la1 := &cynllun.Organisation{ID: cynllun.NewID(cynllun.PrefixOrganisation), Kind: cynllun.OrgLocalAuthority, Name: "Cyngor Gwynedd Prawf", CreatedAt: t0}
	la2 := &cynllun.Organisation{ID: cynllun.NewID(cynllun.PrefixOrganisation), Kind: cynllun.OrgLocalAuthority, Name: "Cyngor Sir Ddinbych Prawf", CreatedAt: t0}
	mk := func(kind cynllun.OrgKind, la, name string) *cynllun.Organisation {
		return &cynllun.Organisation{ID: cynllun.NewID(cynllun.PrefixOrganisation), Kind: kind, LAID: la, Name: name, CreatedAt: t0}
	}
	orgs := []*cynllun.Organisation{
		la1, la2,
		mk(cynllun.OrgSchool, la1.ID, "Ysgol Gynradd Llŷr"),
		mk(cynllun.OrgSchool, la1.ID, "Ysgol Gymraeg Bro Ŵyr"),
		mk(cynllun.OrgSchool, la1.ID, "ysgol gymraeg bro wyr"), // same folded name
		mk(cynllun.OrgSchool, la1.ID, "Ysgol Uwchradd Tywyn"),
		mk(cynllun.OrgFEI, la1.ID, "Coleg Menai"),
		mk(cynllun.OrgSchool, la2.ID, "Ysgol Brynhyfryd"),
		mk(cynllun.OrgFEI, la2.ID, "Coleg Cambria"),
	}
	for _, o := range orgs {
		if err := testDB.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := testDB.CreateOrganisation(ctx, orgs[3]); cynllun.ErrorCode(err) != cynllun.CodeConflict {
		t.Errorf("duplicate CreateOrganisation = %v, want CONFLICT", err)
	}
	ours := map[string]bool{}
	for _, o := range orgs {
		ours[o.ID] = true
	}
	// ordered is orgs (by index) in listing order.
	ordered := func(idx ...int) []string {
		var sel []*cynllun.Organisation
		for _, i := range idx {
			sel = append(sel, orgs[i])
		}
		slices.SortFunc(sel, func(a, b *cynllun.Organisation) int {
			if c := strings.Compare(cynllun.Fold(a.Name), cynllun.Fold(b.Name)); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		ids := make([]string, len(sel))
		for i, o := range sel {
			ids[i] = o.ID
		}
		return ids
	}

	tests := []struct {
		name string
		q    cynllun.OrgQuery
		want []string
	}{
		{"schools and FEIs of LA1", cynllun.OrgQuery{LAID: la1.ID}, ordered(2, 3, 4, 5, 6)},
		{"schools of LA1", cynllun.OrgQuery{LAID: la1.ID, Kind: cynllun.OrgSchool}, ordered(2, 3, 4, 5)},
		{"FEIs of LA2", cynllun.OrgQuery{LAID: la2.ID, Kind: cynllun.OrgFEI}, ordered(8)},
		{"LAs (ours among others)", cynllun.OrgQuery{Kind: cynllun.OrgLocalAuthority, Limit: 1000}, ordered(0, 1)},
		{"prefix with diacritic folded", cynllun.OrgQuery{LAID: la1.ID, NamePrefix: "ysgol gymraeg bro ŵ"}, ordered(3, 4)},
		{"prefix ysgol gynradd ll", cynllun.OrgQuery{NamePrefix: "Ysgol Gynradd Llyr"}, ordered(2)},
		{"prefix coleg in LA2", cynllun.OrgQuery{LAID: la2.ID, NamePrefix: "coleg"}, ordered(8)},
		{"limit", cynllun.OrgQuery{LAID: la1.ID, Limit: 2}, ordered(2, 3, 4, 5, 6)[:2]},
		{"after a tie on the folded name", cynllun.OrgQuery{LAID: la1.ID, AfterKey: "ysgol gymraeg bro wyr", AfterID: ordered(3, 4)[0]},
			ordered(2, 3, 4, 5, 6)[2:]},
		// AfterID "" sorts before every id: both tied schools follow.
		{"after a key", cynllun.OrgQuery{LAID: la1.ID, AfterKey: "ysgol gymraeg bro wyr"}, ordered(2, 3, 4, 5, 6)[1:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []*cynllun.Organisation
			var err error
			cmds := commands(t, func(ctx context.Context) { got, err = testDB.ListOrganisations(ctx, tt.q) })
			if err != nil {
				t.Fatal(err)
			}
			// The lookup, then the page by _id (other tests' organisations
			// may be listed too, up to the limit).
			wantFlat(t, cmds, 1+limit(tt.q.Limit), 2)
			var ids []string
			for _, o := range got {
				if ours[o.ID] {
					ids = append(ids, o.ID)
				}
			}
			if diff := cmp.Diff(tt.want, ids, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ListOrganisations (-want +got):\n%s", diff)
			}
		})
	}

	// Paging through LA1's organisations one at a time.
	q := cynllun.OrgQuery{LAID: la1.ID, Limit: 1}
	var paged []string
	for range 10 {
		page, err := testDB.ListOrganisations(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page[0].ID)
		q.AfterKey, q.AfterID = cynllun.Fold(page[0].Name), page[0].ID
	}
	if diff := cmp.Diff(ordered(2, 3, 4, 5, 6), paged); diff != "" {
		t.Errorf("paged (-want +got):\n%s", diff)
	}

	got, err := testDB.OrganisationsByID(ctx, []string{orgs[2].ID, orgs[7].ID, "org_missing"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*cynllun.Organisation{orgs[2], orgs[7]}, got, cmpopts.SortSlices(func(a, b *cynllun.Organisation) bool { return a.ID < b.ID })); diff != "" {
		t.Errorf("OrganisationsByID (-want +got):\n%s", diff)
	}
}

// TestOrganisationsBackfill: organisations stored before their lookup
// existed are listed once the backfill has run.
func TestOrganisationsBackfill(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	la := cynllun.NewID(cynllun.PrefixOrganisation)
	var want []string
	for _, name := range []string{"Ysgol Bryn Coch", "Ysgol Aber"} {
		o := &cynllun.Organisation{ID: cynllun.NewID(cynllun.PrefixOrganisation), Kind: cynllun.OrgSchool, LAID: la, Name: name, CreatedAt: t0}
		if _, err := testDB.coll(collOrganisations).InsertOne(ctx, toOrganisationDoc(o)); err != nil {
			t.Fatal(err)
		}
		want = append([]string{o.ID}, want...)
	}
	if got, err := testDB.ListOrganisations(ctx, cynllun.OrgQuery{LAID: la}); err != nil || len(got) != 0 {
		t.Fatalf("before the backfill: %v, %v", got, err)
	}
	runBackfill(t, "organisations")
	got, err := testDB.ListOrganisations(ctx, cynllun.OrgQuery{LAID: la})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range got {
		ids = append(ids, o.ID)
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("after the backfill (-want +got):\n%s", diff)
	}
}
