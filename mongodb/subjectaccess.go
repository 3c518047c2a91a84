package mongodb

import (
	"cmp"
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

// FilesForLearner returns the metadata of every file of a learner, oldest
// first (then by id). It filters on metadata.learnerId: a scan of the
// files collection's documents (not their chunks) on both stores. It
// serves the subject access export, a few times a year per learner, so it
// has no index of its own.
func (db *DB) FilesForLearner(ctx context.Context, learnerID string) ([]*cynllun.File, error) {
	const op = "mongodb.FilesForLearner"
	opts := options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "length", Value: 1}, {Key: "metadata", Value: 1}})
	cur, err := db.coll(collFilesFiles).Find(ctx, bson.D{{Key: "metadata.learnerId", Value: learnerID}}, opts)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var docs []fileDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	out := make([]*cynllun.File, 0, len(docs))
	for i := range docs {
		f, err := fromFileDoc(&docs[i])
		if err != nil {
			return nil, cynllun.Internal(op, err)
		}
		if f.LearnerID == learnerID {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b *cynllun.File) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
