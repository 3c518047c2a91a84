package mongodb

import (
	"context"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
)

// CreateOrganisation inserts o; CONFLICT when the ID exists.
func (db *DB) CreateOrganisation(ctx context.Context, o *cynllun.Organisation) error {
	const op = "mongodb.CreateOrganisation"
	if _, err := db.coll(collOrganisations).InsertOne(ctx, toOrganisationDoc(o)); err != nil {
		return insertErr(op, "organisation", err)
	}
	return nil
}

// OrganisationsByID returns the organisations found, in any order, in one
// round trip.
func (db *DB) OrganisationsByID(ctx context.Context, ids []string) ([]*cynllun.Organisation, error) {
	const op = "mongodb.OrganisationsByID"
	docs, err := byIDs[organisationDoc](ctx, db, collOrganisations, ids)
	return converted(op, docs, err, fromOrganisationDoc)
}

// ListOrganisations lists organisations by (folded name, ID). AfterKey is
// a folded name.
func (db *DB) ListOrganisations(ctx context.Context, q cynllun.OrgQuery) ([]*cynllun.Organisation, error) {
	const op = "mongodb.ListOrganisations"
	var filters []bson.D
	if q.Kind != "" {
		filters = append(filters, bson.D{{Key: "kind", Value: string(q.Kind)}})
	}
	if q.LAID != "" {
		filters = append(filters, bson.D{{Key: "laId", Value: q.LAID}})
	}
	if p := cynllun.Fold(strings.TrimSpace(q.NamePrefix)); p != "" {
		filters = append(filters, bson.D{{Key: "nameFold", Value: prefixRegex(p)}})
	}
	if q.AfterKey != "" || q.AfterID != "" {
		filters = append(filters, afterCursor("nameFold", q.AfterKey, q.AfterID))
	}
	opts := pageOpts(limit(q.Limit)).SetSort(bson.D{{Key: "nameFold", Value: 1}, {Key: "_id", Value: 1}})
	docs, err := findAll[organisationDoc](ctx, db.coll(collOrganisations), and(filters), opts)
	return converted(op, docs, err, fromOrganisationDoc)
}
