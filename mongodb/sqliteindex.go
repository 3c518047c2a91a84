package mongodb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// isNamespaceExists says whether err is "collection already exists" (a
// concurrent Open created it first).
func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && (ce.Code == 48 || ce.Name == "NamespaceExists")
}

// The embedded FerretDB v1.24 (SQLite backend) keeps a collection in a
// table with one JSON column, _ferretdb_sjson. It pushes a filter that is a
// single equality on _id down to SQLite as
//
//	WHERE _ferretdb_sjson->'$._id' = ?
//
// but its own unique _id index is on the expression _ferretdb_sjson->"_id",
// which SQLite does not take for the same thing; so every look-up by _id
// is a scan of the table that parses each row's JSON. For files.chunks,
// whose rows hold up to 255 KiB each, that cost grows with every byte
// stored (about 140 ms per look-up with 1,000 files of 60 KiB).
//
// indexEmbeddedIDs therefore opens FerretDB's SQLite file beside it (with
// the database/sql driver FerretDB itself registers, modernc.org/sqlite)
// and gives the tables of colls an index on exactly that expression, which
// SQLite then uses for the pushed-down look-ups, updates and deletes by
// _id (EXPLAIN QUERY PLAN: SEARCH ... USING INDEX). FerretDB does not know
// the index: it is not listed by listIndexes and goes with the table when
// the collection is dropped. It is created at Open, before any other
// traffic, and again (IF NOT EXISTS) at every Open.
//
// This depends on FerretDB internals (the file <dir>/<db>.sqlite, the
// table _ferretdb_collections, the column and the expression); a FerretDB
// upgrade that changes them makes it fail, which Open logs, and
// TestEmbeddedIDIndex reports.

// ferretIDExpr is the expression FerretDB's SQLite backend compares a
// pushed-down _id with (metadata.IDColumn in FerretDB v1.24).
const ferretIDExpr = `_ferretdb_sjson->'$._id'`

// embeddedSQLite opens the SQLite file of database name of the embedded
// FerretDB; the caller closes it.
func (db *DB) embeddedSQLite(name string) (*sql.DB, error) {
	u := url.URL{
		Scheme:   "file",
		Path:     filepath.ToSlash(filepath.Join(db.sqliteDir, name+".sqlite")),
		RawQuery: "mode=rw&_pragma=busy_timeout(10000)",
	}
	return sql.Open("sqlite", u.String())
}

// indexEmbeddedIDs creates the _id expression index on the tables of
// colls in database name, creating the collections that do not exist yet.
func (db *DB) indexEmbeddedIDs(ctx context.Context, name string, colls ...string) error {
	existing, err := db.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return err
	}
	for _, c := range colls {
		if !slices.Contains(existing, c) {
			if err := db.db.CreateCollection(ctx, c); err != nil && !isNamespaceExists(err) {
				return fmt.Errorf("create %s: %w", c, err)
			}
		}
	}
	s, err := db.embeddedSQLite(name)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	for _, c := range colls {
		var table string
		if err := s.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, c).Scan(&table); err != nil {
			return fmt.Errorf("table of %s: %w", c, err)
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, table+"_cynllun_id", table, ferretIDExpr)
		if _, err := s.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index %s: %w", c, err)
		}
	}
	return nil
}
