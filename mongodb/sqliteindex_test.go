package mongodb

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestEmbeddedIDIndex checks that SQLite answers the look-ups by _id of the
// two files collections from the index Open created (sqliteindex.go).
func TestEmbeddedIDIndex(t *testing.T) {
	t.Parallel()
	if !testDB.Embedded() {
		t.Skip("not embedded")
	}
	ctx := t.Context()
	s, err := testDB.embeddedSQLite(testDB.Database().Name())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	for _, c := range []string{collFilesFiles, collFilesChunks} {
		var table string
		if err := s.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, c).Scan(&table); err != nil {
			t.Fatal(err)
		}
		// The query FerretDB's SQLite backend sends for a filter {_id: x}.
		q := fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE %s = ? LIMIT 1`, table, ferretIDExpr)
		rows, err := s.QueryContext(ctx, q, `"x"`)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			t.Fatal(err)
		}
		if want := "USING INDEX " + table + "_cynllun_id"; len(plan) != 1 || !strings.Contains(plan[0], want) {
			t.Errorf("%s: query plan %q, want one step %s", c, plan, want)
		}
	}
}
