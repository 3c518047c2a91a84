package mongodb

import (
	"context"
	"slices"
	"strings"

	"github.com/cynllun/cynllun"
)

// Organisations are few (22 local authorities, 7 health boards, schools
// and FEIs in the hundreds), so one lookup document lists them all with
// what a list filters and sorts on: a page is chosen from its entries and
// only the page's organisations are read, by _id, each checked against the
// query (lookup.go). At about 80 bytes an entry, 5,000 organisations are
// a 400 kB document.

// lkOrganisations: orgsKey → organisation id → orgEntry.
const lkOrganisations = "organisations"

// orgsKey is the key of the one lookup document of organisations.
const orgsKey = "all"

// orgEntry is an organisation's entry in the lookup of organisations.
type orgEntry struct {
	NameFold string `bson:"k"`
	Kind     string `bson:"t"`
	LAID     string `bson:"la,omitempty"`
}

func orgMember(d *organisationDoc) member {
	return member{kind: lkOrganisations, key: orgsKey, id: d.ID, value: orgEntry{NameFold: d.NameFold, Kind: d.Kind, LAID: d.LAID}}
}

// CreateOrganisation writes o's entry, then inserts o; CONFLICT when the
// ID exists (the stored organisation's entry is then written again).
func (db *DB) CreateOrganisation(ctx context.Context, o *cynllun.Organisation) error {
	const op = "mongodb.CreateOrganisation"
	d := toOrganisationDoc(o)
	if err := db.setEntries(ctx, orgMember(d)); err != nil {
		return cynllun.Internal(op, err)
	}
	_, err := db.coll(collOrganisations).InsertOne(ctx, d)
	if isDuplicateKey(err) {
		db.compensate(ctx, op, o.ID, func(ctx context.Context) error {
			stored, ok, rerr := oneByID[organisationDoc](ctx, db.coll(collOrganisations), o.ID, nil)
			if rerr != nil || !ok {
				return rerr
			}
			return db.setEntries(ctx, orgMember(&stored))
		})
	}
	if err != nil {
		return insertErr(op, "organisation", err)
	}
	return nil
}

// OrganisationsByID returns the organisations found, in any order, in one
// round trip.
//
// An organisation never changes once created (there is no update), so the
// ones read are kept in this process (orgCache, at most orgCacheSize, least
// recently used out first): a render or a page naming schools and local
// authorities does not read them again.
func (db *DB) OrganisationsByID(ctx context.Context, ids []string) ([]*cynllun.Organisation, error) {
	const op = "mongodb.OrganisationsByID"
	var out []*cynllun.Organisation
	var miss []string
	for _, id := range ids {
		if o, ok := db.orgs.Get(id); ok {
			c := *o
			out = append(out, &c)
		} else {
			miss = append(miss, id)
		}
	}
	if len(miss) == 0 {
		return out, nil
	}
	docs, err := byIDs[organisationDoc](ctx, db, collOrganisations, miss)
	read, err := converted(op, docs, err, fromOrganisationDoc)
	if err != nil {
		return nil, err
	}
	for _, o := range read {
		c := *o
		db.orgs.Add(o.ID, &c)
	}
	return append(out, read...), nil
}

// orgCacheSize bounds the organisations kept in memory (Wales has some
// 1,500 schools, 22 LAs and a dozen FEIs).
const orgCacheSize = 10_000

// ListOrganisations lists organisations by (folded name, ID), between
// q's cursors (AfterKey and BeforeKey are folded names), the first q.Limit
// or (q.Last) the last. The page is chosen from the lookup of
// organisations.
func (db *DB) ListOrganisations(ctx context.Context, q cynllun.OrgQuery) ([]*cynllun.Organisation, error) {
	const op = "mongodb.ListOrganisations"
	all, keys, err := db.orgEntries(ctx, q)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if q.Last {
		slices.Reverse(keys)
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.id
	}
	prefix := cynllun.Fold(strings.TrimSpace(q.NamePrefix))
	docs, err := readInOrder(ctx, db, collOrganisations, ids, limit(q.Limit),
		func(d *organisationDoc) string { return d.ID },
		func(d *organisationDoc) bool {
			return orgMatch(q, prefix, d.ID, orgEntry{NameFold: d.NameFold, Kind: d.Kind, LAID: d.LAID}) && all[d.ID].NameFold == d.NameFold
		})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if q.Last {
		slices.Reverse(docs)
	}
	return converted(op, docs, nil, func(d **organisationDoc) (*cynllun.Organisation, error) { return fromOrganisationDoc(*d) })
}

// CountOrganisations counts the entries of the lookup of organisations
// that match q (its cursors aside).
func (db *DB) CountOrganisations(ctx context.Context, q cynllun.OrgQuery) (int, error) {
	q.AfterKey, q.AfterID, q.BeforeKey, q.BeforeID = "", "", "", ""
	_, keys, err := db.orgEntries(ctx, q)
	if err != nil {
		return 0, cynllun.Internal("mongodb.CountOrganisations", err)
	}
	return len(keys), nil
}

type orgKey struct{ key, id string }

// orgEntries reads the lookup of organisations and returns its entries,
// and the keys of those that match q, in order.
func (db *DB) orgEntries(ctx context.Context, q cynllun.OrgQuery) (map[string]orgEntry, []orgKey, error) {
	all, err := lookupMembers[orgEntry](ctx, db, lkOrganisations, []string{orgsKey})
	if err != nil {
		return nil, nil, err
	}
	prefix := cynllun.Fold(strings.TrimSpace(q.NamePrefix))
	var keys []orgKey
	for id, e := range all[orgsKey] {
		if orgMatch(q, prefix, id, e) {
			keys = append(keys, orgKey{e.NameFold, id})
		}
	}
	slices.SortFunc(keys, func(a, b orgKey) int { return compareKeyID(a.key, a.id, b.key, b.id) })
	return all[orgsKey], keys, nil
}

// orgMatch says whether an organisation's entry matches q (whose folded
// name prefix is prefix) and lies between its cursors.
func orgMatch(q cynllun.OrgQuery, prefix, id string, e orgEntry) bool {
	switch {
	case q.Kind != "" && e.Kind != string(q.Kind),
		q.LAID != "" && e.LAID != q.LAID,
		!strings.HasPrefix(e.NameFold, prefix),
		(q.AfterKey != "" || q.AfterID != "") && compareKeyID(e.NameFold, id, q.AfterKey, q.AfterID) <= 0,
		(q.BeforeKey != "" || q.BeforeID != "") && compareKeyID(e.NameFold, id, q.BeforeKey, q.BeforeID) >= 0:
		return false
	}
	return true
}

// compareKeyID orders (key, id) pairs by key, then id.
func compareKeyID(aKey, aID, bKey, bID string) int {
	if c := strings.Compare(aKey, bKey); c != 0 {
		return c
	}
	return strings.Compare(aID, bID)
}

func init() {
	registerBackfill("organisations", backfillOrganisations)
}

// backfillOrganisations builds the lookup of organisations.
func backfillOrganisations(ctx context.Context, db *DB) error {
	return backfillEntries(ctx, db, collOrganisations, nil, func(d *organisationDoc) []member { return []member{orgMember(d)} })
}
