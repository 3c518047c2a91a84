package mongodb

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// schemaVersion is the version of the collections and indexes this binary
// needs (the indexes in db.go). Raise it with every change to them: a
// database records the highest version set up in it, so a newer binary sets
// up its indexes once, at its first Open, and every later Open (or an older
// binary) leaves them alone. Setting up is idempotent, so two processes
// doing it at once, or a run cut short by a crash and started again, end
// with the same indexes.
var schemaVersion = 1

// schemaID is the lookup document recording the schema version.
var schemaID = lookupID("meta", "schema")

// schemaDoc is the schema version document.
type schemaDoc struct {
	Version int `bson:"version"`
}

// ensureSchema creates the indexes when the database's recorded schema
// version is older than this binary's, then records the version.
func (db *DB) ensureSchema(ctx context.Context) error {
	d, ok, err := oneByID[schemaDoc](ctx, db.coll(collLookups), schemaID, nil)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if ok && d.Version >= schemaVersion {
		return nil
	}
	if err := db.ensureIndexes(ctx); err != nil {
		return fmt.Errorf("create indexes: %w", err)
	}
	if err := db.upsertOne(ctx, collLookups, schemaID,
		bson.D{{Key: "$max", Value: bson.D{{Key: "version", Value: schemaVersion}}}}); err != nil {
		return fmt.Errorf("record schema version: %w", err)
	}
	if ok {
		db.log.InfoContext(ctx, "database schema upgraded", "from", d.Version, "to", schemaVersion)
	}
	return nil
}

// ensureIndexes creates the indexes; creating an existing index with the
// same name and keys is a no-op on both servers, and an error saying that
// it exists (another process created it since) is success once the index
// is listed with those keys. One index per command: FerretDB v1.24 panics
// (and drops the connection) when one createIndexes names two or more
// indexes that already exist (validateIndexesForCreation deletes from its
// filtered copy by the unfiltered position).
func (db *DB) ensureIndexes(ctx context.Context) error {
	for _, ix := range indexes {
		o := options.Index().SetName(ix.name)
		if ix.unique {
			o.SetUnique(true)
		}
		_, err := db.coll(ix.coll).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: ix.keys, Options: o})
		if err != nil && !db.hasIndex(ctx, ix) {
			return fmt.Errorf("%s.%s: %w", ix.coll, ix.name, err)
		}
	}
	return nil
}

// hasIndex says whether ix exists with its name, keys and uniqueness.
func (db *DB) hasIndex(ctx context.Context, ix index) bool {
	specs, err := db.coll(ix.coll).Indexes().ListSpecifications(ctx)
	if err != nil {
		return false
	}
	want, err := bson.Marshal(ix.keys)
	if err != nil {
		return false
	}
	for _, s := range specs {
		if s.Name == ix.name && slices.Equal([]byte(s.KeysDocument), want) && (s.Unique != nil && *s.Unique) == ix.unique {
			return true
		}
	}
	return false
}
