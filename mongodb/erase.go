package mongodb

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

// Erasure of a learner (cynllun.RetentionStore.EraseLearner), without
// transactions and resumable: everything is found from the learner's id
// through the same lookup documents the requests use, records are removed
// before the lookup documents that lead to them, and the learner document
// and its copies last. A crash at any point leaves the way to what remains,
// so running the erasure again finishes it; on a learner erased already
// every step finds nothing and changes nothing.
//
// The order:
//
//  1. find: plans (plansOfLearner), their versions (by number, past the
//     heads too), reviews and their revisions (reviewsOfPlan), ledger
//     sessions (sessionsOfPlan), render jobs (jobsOfVersion,
//     jobsOfRevision), deadlines (deadlinesOfLearner), their notices and
//     deliveries, statutory events (eventsOfLearner), cases, their
//     revisions, evidence and bundles (casesOfLearner, evidenceOfCase,
//     bundlesOfCase), relationships (relsOfLearner), the audit trail
//     (auditMonthsOfLearner → hours → events), the caseload entries of the
//     reviews and cases, and the files all of these name;
//  2. remove the records, each with the shared entries that point to it
//     (an LA's or organisation's deadline sets, caseloads, a user's copy of
//     a relationship, the unfinished-job buckets) removed first;
//  3. remove the lookup documents of the learner and of its records;
//  4. remove the plans, then plansOfLearner, then the learner's copies in
//     the LA and setting lists, and the learner.
//
// Two kinds of record have no lookup from the learner and are found by a
// filtered query, the only reads here not by _id: invitations (by
// learnerId) and idempotency records (by the ids of the records they
// created), and files by their metadata (learner or case) besides those the
// records name, and pending outbox entries (by learner or plan). An erasure runs in the worker after an approval, never in a
// request, and these collections hold small documents.

// eraser collects what one erasure removes.
type eraser struct {
	db        *DB
	learnerID string
	keepAudit string
	counts    cynllun.ErasureCounts

	// records by collection, in the order they are removed
	records map[string][]string
	// lookups are whole lookup documents to remove (step 3)
	lookups []string
	// unset are members of shared lookup documents to remove (step 2)
	unset []member
	files []string
	// resultIDs are the ids idempotency records may name.
	resultIDs []string

	planIDs, caseIDs []string
	deadlineSets     setBatch[deadlineEntry]
	// userRels are (user id, relationship id) copies to remove.
	userRels [][2]string
	// auditLookups are the audit lookup documents to remove whole;
	// keptAudit says the tombstone's are kept.
	auditLookups []string
	keptAudit    bool
	// emptied are shared lookup documents removed when left empty.
	emptied []string
}

func (e *eraser) take(coll string, ids ...string) {
	for _, id := range ids {
		if id != "" {
			e.records[coll] = append(e.records[coll], id)
		}
	}
}

// EraseLearner removes every record held about the learner (see above).
func (db *DB) EraseLearner(ctx context.Context, learnerID, keepAuditID string) (cynllun.ErasureCounts, error) {
	const op = "mongodb.EraseLearner"
	if !strings.HasPrefix(learnerID, cynllun.PrefixLearner) {
		return nil, cynllun.E(cynllun.CodeInvalid, op, "not a learner id")
	}
	e := &eraser{db: db, learnerID: learnerID, keepAudit: keepAuditID, counts: cynllun.ErasureCounts{}, records: map[string][]string{}}
	if err := e.find(ctx); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if err := db.beforeAccessChange(ctx, op); err != nil {
		return nil, err
	}
	defer db.afterAccessChange(ctx, op)
	if err := e.remove(ctx); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return e.counts, nil
}

func memberIDs[V any](ctx context.Context, db *DB, kind, key string) ([]string, map[string]V, error) {
	m, err := lookupMembers[V](ctx, db, kind, []string{key})
	if err != nil {
		return nil, nil, err
	}
	return slices.Sorted(maps.Keys(m[key])), m[key], nil
}

func (e *eraser) find(ctx context.Context) error {
	db, l := e.db, e.learnerID
	e.resultIDs = append(e.resultIDs, l) // createLearner's idempotency record

	// Plans and what hangs on them.
	planIDs, _, err := memberIDs[bson.RawValue](ctx, db, lkPlansOfLearner, l)
	if err != nil {
		return fmt.Errorf("plans: %w", err)
	}
	plans, err := byIDs[planDoc](ctx, db, collPlans, planIDs)
	if err != nil {
		return fmt.Errorf("plans: %w", err)
	}
	latest := map[string]int{}
	for _, p := range plans {
		if p.LearnerID == l {
			latest[p.ID] = p.Latest
		}
	}
	for _, pid := range planIDs {
		// Versions 1..latest, and any written past the head (a crash
		// between a version and the head's move).
		var vids []string
		for n := 1; ; n++ {
			vid := cynllun.VersionID(pid, n)
			if n > latest[pid] {
				_, ok, err := oneByID[bson.Raw](ctx, db.coll(collVersions), vid, bson.D{{Key: "_id", Value: 1}})
				if err != nil {
					return fmt.Errorf("versions: %w", err)
				}
				if !ok {
					break
				}
			}
			vids = append(vids, vid)
		}
		e.take(collVersions, vids...)
		e.resultIDs = append(e.resultIDs, pid)
		e.resultIDs = append(e.resultIDs, vids...)
		for _, vid := range vids {
			if err := e.findJobs(ctx, lkJobsOfVersion, vid); err != nil {
				return err
			}
		}
		sessions, _, err := memberIDs[bson.RawValue](ctx, db, lkSessionsOfPlan, pid)
		if err != nil {
			return fmt.Errorf("sessions: %w", err)
		}
		e.take(collSessions, sessions...)
		e.resultIDs = append(e.resultIDs, sessions...)
		e.lookups = append(e.lookups, lookupID(lkSessionsOfPlan, pid))

		reviewIDs, _, err := memberIDs[bson.RawValue](ctx, db, lkReviewsOfPlan, pid)
		if err != nil {
			return fmt.Errorf("reviews: %w", err)
		}
		for _, rid := range reviewIDs {
			revs, err := db.ReviewRevisions(ctx, rid)
			if err != nil && cynllun.ErrorCode(err) != cynllun.CodeNotFound {
				return fmt.Errorf("reviews: %w", err)
			}
			last := 0
			for _, r := range revs {
				last = max(last, r.Revision)
			}
			for n := 1; n <= last+1; n++ {
				rrid := cynllun.ReviewRevisionID(rid, n)
				e.take(collReviews, rrid)
				if err := e.findJobs(ctx, lkJobsOfRevision, rrid); err != nil {
					return err
				}
			}
			e.take(collReviewHeads, rid)
			e.resultIDs = append(e.resultIDs, rid)
		}
		e.lookups = append(e.lookups, lookupID(lkReviewsOfPlan, pid))
	}
	if err := e.findWork(ctx, workReviews); err != nil {
		return err
	}

	// Deadlines, their notices and deliveries; statutory events.
	dids, dentries, err := memberIDs[deadlineEntry](ctx, db, lkDeadlinesOfLearner, l)
	if err != nil {
		return fmt.Errorf("deadlines: %w", err)
	}
	var b setBatch[deadlineEntry]
	for _, did := range dids {
		de := dentries[did]
		k := deadlineOrder(did, &de)
		b.add(&deadlinesByOrg, de.OrgID, did, k, nil)
		b.add(&deadlinesBySetting, de.SettingID, did, k, nil)
		b.add(&deadlinesByLA, de.LAID, did, k, nil)
		e.take(collDeadlines, did)
		for k := 1; k <= maxNoticeBatches; k++ {
			list, ok, err := oneByID[lookupDoc[string]](ctx, db.coll(collLookups), noticeListID(did, k), nil)
			if err != nil {
				return fmt.Errorf("notices: %w", err)
			}
			if !ok {
				break
			}
			for nid := range list.M {
				e.take(collNotices, nid)
				dels, _, err := memberIDs[bson.RawValue](ctx, db, lkDeliveriesOfNotice, nid)
				if err != nil {
					return fmt.Errorf("deliveries: %w", err)
				}
				e.take(collDeliveries, dels...)
				e.lookups = append(e.lookups, lookupID(lkDeliveriesOfNotice, nid))
			}
			e.lookups = append(e.lookups, list.ID)
		}
	}
	e.deadlineSets = b
	e.lookups = append(e.lookups, lookupID(lkDeadlinesOfLearner, l))
	evs, _, err := memberIDs[bson.RawValue](ctx, db, lkEventsOfLearner, l)
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	e.take(collEvents, evs...)
	e.resultIDs = append(e.resultIDs, evs...)
	e.lookups = append(e.lookups, lookupID(lkEventsOfLearner, l))

	// Cases, their revisions, evidence and bundles.
	caseIDs, _, err := memberIDs[bson.RawValue](ctx, db, lkCasesOfLearner, l)
	if err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	e.caseIDs = caseIDs
	for _, cid := range caseIDs {
		revs, err := db.CaseRevisions(ctx, cid)
		if err != nil && cynllun.ErrorCode(err) != cynllun.CodeNotFound {
			return fmt.Errorf("cases: %w", err)
		}
		last := 0
		for _, c := range revs {
			last = max(last, c.Revision)
		}
		for n := 1; n <= last+1; n++ {
			e.take(collCases, cynllun.CaseRevisionID(cid, n))
		}
		e.take(collCaseHeads, cid)
		e.resultIDs = append(e.resultIDs, cid)
		evids, _, err := memberIDs[bson.RawValue](ctx, db, lkEvidenceOfCase, cid)
		if err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
		evd, err := db.EvidenceByID(ctx, evids)
		if err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
		for _, v := range evd {
			e.files = append(e.files, v.FileID)
		}
		e.take(collCaseEvidence, evids...)
		e.resultIDs = append(e.resultIDs, evids...)
		bids, _, err := memberIDs[bson.RawValue](ctx, db, lkBundlesOfCase, cid)
		if err != nil {
			return fmt.Errorf("bundles: %w", err)
		}
		bs, err := db.BundlesByID(ctx, bids)
		if err != nil {
			return fmt.Errorf("bundles: %w", err)
		}
		for _, v := range bs {
			e.files = append(e.files, v.FileID, v.ManifestFileID)
			// Bundle renders have job ids of their own, one per generation.
			e.take(collJobs, v.JobID)
			for g := 1; ; g++ {
				jid := cynllun.BundleJobID(v.ID, g)
				_, ok, err := oneByID[bson.Raw](ctx, db.coll(collJobs), jid, bson.D{{Key: "_id", Value: 1}})
				if err != nil {
					return fmt.Errorf("jobs: %w", err)
				}
				if !ok {
					break
				}
				e.take(collJobs, jid)
			}
		}
		e.take(collBundles, bids...)
		e.resultIDs = append(e.resultIDs, bids...)
		e.lookups = append(e.lookups, lookupID(lkEvidenceOfCase, cid), lookupID(lkBundlesOfCase, cid))
	}
	e.lookups = append(e.lookups, lookupID(lkCasesOfLearner, l))
	if err := e.findWork(ctx, workCases); err != nil {
		return err
	}

	// Relationships, with their copies in users' documents and in the
	// organisation's lookup.
	_, rels, err := memberIDs[relationshipDoc](ctx, db, lkRelsOfLearner, l)
	if err != nil {
		return fmt.Errorf("relationships: %w", err)
	}
	for id, r := range rels {
		e.take(collRelationships, id)
		e.unset = append(e.unset, member{kind: lkRelsOfOrg, key: r.OrgID, id: id})
		e.userRels = append(e.userRels, [2]string{r.UserID, id})
		e.resultIDs = append(e.resultIDs, id)
	}
	e.lookups = append(e.lookups, lookupID(lkRelsOfLearner, l))

	// Pending outbox entries (follow-ups not yet applied, review
	// conclusions' claims with their reasons and comment). The collection
	// holds only what is pending, so the filter reads a handful of
	// documents.
	pendingOf := bson.A{bson.D{{Key: "learnerId", Value: l}}}
	if len(planIDs) > 0 {
		pendingOf = append(pendingOf, bson.D{{Key: "planId", Value: bson.D{{Key: "$in", Value: planIDs}}}})
	}
	pending, err := findAll[outboxDoc](ctx, db.coll(collOutbox), bson.D{{Key: "$or", Value: pendingOf}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "recordedAt", Value: 1}, {Key: "leasedUntil", Value: 1}}))
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	for _, d := range pending {
		e.take(collOutbox, d.ID)
	}

	// Invitations (a filtered query: no lookup leads from the learner).
	invs, err := findAll[invitationDoc](ctx, db.coll(collInvitations), bson.D{{Key: "learnerId", Value: l}}, nil)
	if err != nil {
		return fmt.Errorf("invitations: %w", err)
	}
	for _, d := range invs {
		e.take(collInvitations, d.ID)
		e.resultIDs = append(e.resultIDs, d.ID)
		e.unset = append(e.unset,
			member{kind: lkInvitationByToken, key: d.TokenHash, id: d.ID},
			member{kind: lkInvitationsBy, key: d.CreatedBy, id: d.ID},
			member{kind: lkInvitationsFor, key: d.EmailKey, id: d.ID})
		e.emptied = append(e.emptied, lookupID(lkInvitationsFor, d.EmailKey))
	}

	// The audit trail: months → hours → events.
	months, _, err := memberIDs[bson.RawValue](ctx, db, lkAuditMonths, l)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	for _, month := range months {
		hours, _, err := memberIDs[bson.RawValue](ctx, db, lkAuditHours, l+"/"+month)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		for _, hour := range hours {
			evs, _, err := memberIDs[bson.RawValue](ctx, db, lkAuditOfLearner, l+"/"+hour)
			if err != nil {
				return fmt.Errorf("audit: %w", err)
			}
			if e.keepAudit != "" && slices.Contains(evs, e.keepAudit) {
				// The tombstone's hour keeps its entry.
				evs = slices.DeleteFunc(evs, func(id string) bool { return id == e.keepAudit })
				for _, id := range evs {
					e.unset = append(e.unset, member{kind: lkAuditOfLearner, key: l + "/" + hour, id: id})
				}
				e.keptAudit = true
			} else {
				e.auditLookups = append(e.auditLookups, lookupID(lkAuditOfLearner, l+"/"+hour))
			}
			e.take(collAudit, evs...)
		}
		if !e.keptAudit {
			e.auditLookups = append(e.auditLookups, lookupID(lkAuditHours, l+"/"+month))
		}
	}
	if !e.keptAudit {
		e.auditLookups = append(e.auditLookups, lookupID(lkAuditMonths, l))
	}

	// Files: those the records name, uploads and case files by their
	// metadata.
	or := bson.A{bson.D{{Key: "metadata.learnerId", Value: l}}}
	if len(caseIDs) > 0 {
		or = append(or, bson.D{{Key: "metadata.caseId", Value: bson.D{{Key: "$in", Value: caseIDs}}}})
	}
	fs, err := findAll[struct {
		ID string `bson:"_id"`
	}](ctx, db.coll(collFilesFiles), bson.D{{Key: "$or", Value: or}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return fmt.Errorf("files: %w", err)
	}
	for _, f := range fs {
		e.files = append(e.files, f.ID)
	}
	e.files = dedupe(slices.DeleteFunc(e.files, func(id string) bool { return id == "" }))

	// Idempotency records that name any of these records.
	if ids := dedupe(e.resultIDs); len(ids) > 0 {
		for chunk := range slices.Chunk(ids, 500) {
			recs, err := findAll[idempotencyDoc](ctx, db.coll(collIdempotency),
				bson.D{{Key: "resultId", Value: bson.D{{Key: "$in", Value: chunk}}}}, nil)
			if err != nil {
				return fmt.Errorf("idempotency records: %w", err)
			}
			for _, r := range recs {
				e.take(collIdempotency, r.ID)
			}
		}
	}

	e.take(collHandovers, l)
	e.planIDs = planIDs
	return nil
}

// findJobs adds the jobs of one version or review revision, their files and
// their entries.
func (e *eraser) findJobs(ctx context.Context, kind, key string) error {
	ids, _, err := memberIDs[bson.RawValue](ctx, e.db, kind, key)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	jobs, err := byIDs[jobDoc](ctx, e.db, collJobs, ids)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	for _, j := range jobs {
		e.files = append(e.files, j.FileID, j.HTMLFileID)
	}
	e.take(collJobs, ids...)
	e.lookups = append(e.lookups, lookupID(kind, key))
	return nil
}

// findWork adds the caseload entries of the learner's reviews or cases:
// the learner's own documents are removed whole, the entries in an LA's
// or setting's documents one by one.
func (e *eraser) findWork(ctx context.Context, kind string) error {
	own := kind + "/l:" + e.learnerID
	months, _, err := memberIDs[bson.RawValue](ctx, e.db, lkWorkMonths, own)
	if err != nil {
		return fmt.Errorf("caseload: %w", err)
	}
	for _, month := range months {
		_, entries, err := memberIDs[workEntry](ctx, e.db, lkWork, own+"/"+month)
		if err != nil {
			return fmt.Errorf("caseload: %w", err)
		}
		for id, w := range entries {
			for _, s := range w.scopes() {
				if s == "l:"+e.learnerID {
					continue
				}
				e.unset = append(e.unset,
					member{kind: lkWork, key: kind + "/" + s + "/" + month, id: id},
					member{kind: lkOpenWork, key: kind + "/" + s, id: id})
			}
		}
		e.lookups = append(e.lookups, lookupID(lkWork, own+"/"+month))
	}
	e.lookups = append(e.lookups, lookupID(lkWorkMonths, own), lookupID(lkOpenWork, own))
	return nil
}

// collections in the order their records are removed: what points to a
// record before it where both are erased.
var eraseOrder = []string{
	collOutbox, collDeliveries, collNotices, collSessions, collJobs, collBundles, collCaseEvidence, collCases, collCaseHeads,
	collReviews, collReviewHeads, collVersions, collDeadlines, collEvents, collInvitations, collIdempotency,
	collRelationships, collHandovers, collAudit,
}

func (e *eraser) remove(ctx context.Context) error {
	db := e.db
	// Shared entries first: the deadline sets, caseloads, users' copies of
	// relationships, the unfinished-job buckets, invitation lookups.
	if err := e.deadlineSets.apply(ctx, db); err != nil {
		return fmt.Errorf("deadline sets: %w", err)
	}
	for _, id := range e.records[collJobs] {
		e.unset = append(e.unset, member{kind: lkJobs, key: unfinishedBucket(id), id: id},
			member{kind: lkJobs, key: unfinishedKey, id: id}) // and the older single list
	}
	if err := db.setMembers(ctx, e.unset...); err != nil {
		return fmt.Errorf("shared entries: %w", err)
	}
	// A lookup keyed by an invitee's address names them: once it lists
	// nothing, it goes too.
	for _, id := range e.emptied {
		if err := db.deleteIfEmpty(ctx, id); err != nil {
			return fmt.Errorf("shared entries: %w", err)
		}
	}
	for _, ur := range e.userRels {
		if err := db.upsertExisting(ctx, collUsers, ur[0], bson.D{{Key: "$unset", Value: bson.D{{Key: "rels." + ur[1], Value: ""}}}}); err != nil {
			return fmt.Errorf("users: %w", err)
		}
	}
	// Files: chunks, then the file document (a file document means a
	// whole file, so while it is there the chunks are found again).
	for _, id := range e.files {
		n, err := e.removeFile(ctx, id)
		if err != nil {
			return fmt.Errorf("files: %w", err)
		}
		e.counts["files"] += n
	}
	for _, coll := range eraseOrder {
		n, err := db.deleteIDs(ctx, coll, dedupe(e.records[coll]))
		if err != nil {
			return fmt.Errorf("%s: %w", coll, err)
		}
		if n > 0 {
			e.counts[coll] += n
		}
	}
	// The lookup documents of the learner and its records.
	if _, err := db.deleteIDs(ctx, collLookups, dedupe(append(e.lookups, e.auditLookups...))); err != nil {
		return fmt.Errorf("lookups: %w", err)
	}
	// The plans, then the way to them, then the learner.
	n, err := db.deleteIDs(ctx, collPlans, e.planIDs)
	if err != nil {
		return fmt.Errorf("plans: %w", err)
	}
	e.counts[collPlans] += n
	if _, err := db.deleteIDs(ctx, collLookups, []string{lookupID(lkPlansOfLearner, e.learnerID)}); err != nil {
		return fmt.Errorf("lookups: %w", err)
	}
	learner, ok, err := oneByID[learnerDoc](ctx, db.coll(collLearners), e.learnerID, nil)
	if err != nil {
		return fmt.Errorf("learner: %w", err)
	}
	if ok {
		if err := db.writeCopies(ctx, false, nil, []*learnerDoc{&learner}); err != nil {
			return fmt.Errorf("learner lists: %w", err)
		}
		n, err := db.deleteIDs(ctx, collLearners, []string{e.learnerID})
		if err != nil {
			return fmt.Errorf("learner: %w", err)
		}
		e.counts[collLearners] += n
	}
	return nil
}

// removeFile removes a file's chunks, then its document; the number of
// files removed (0 when it was gone).
func (e *eraser) removeFile(ctx context.Context, id string) (int, error) {
	db := e.db
	f, ok, err := oneByID[struct {
		Length    int64 `bson:"length"`
		ChunkSize int32 `bson:"chunkSize"`
	}](ctx, db.coll(collFilesFiles), id, nil)
	if err != nil || !ok {
		return 0, err
	}
	size := int64(f.ChunkSize)
	if size <= 0 {
		size = int64(fileChunkSize)
	}
	chunks := int((f.Length + size - 1) / size)
	ids := make([]string, 0, chunks+1)
	for n := 0; n <= chunks; n++ { // and one past the end: a leftover
		ids = append(ids, chunkID(id, n))
	}
	if _, err := db.deleteIDs(ctx, collFilesChunks, ids); err != nil {
		return 0, err
	}
	return db.deleteIDs(ctx, collFilesFiles, []string{id})
}

// deleteIDs deletes the documents of coll with the ids: one DeleteOne by
// _id each on the embedded store (where $in scans), DeleteMany with $in in
// batches on MongoDB. It returns how many were deleted.
func (db *DB) deleteIDs(ctx context.Context, coll string, ids []string) (int, error) {
	c := db.coll(coll)
	n := 0
	if db.embedded {
		for _, id := range ids {
			res, err := c.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
			if err != nil {
				return n, err
			}
			n += int(res.DeletedCount)
		}
		return n, nil
	}
	for chunk := range slices.Chunk(ids, 500) {
		res, err := c.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: chunk}}}})
		if err != nil {
			return n, err
		}
		n += int(res.DeletedCount)
	}
	return n, nil
}

// deleteIfEmpty deletes the lookup document id when it has no members.
func (db *DB) deleteIfEmpty(ctx context.Context, id string) error {
	unlock := db.serialiseDoc(collLookups, id)
	defer unlock()
	d, ok, err := oneByID[lookupDoc[bson.RawValue]](ctx, db.coll(collLookups), id, nil)
	if err != nil || !ok || len(d.M) > 0 {
		return err
	}
	// Still empty when deleted (a member added since keeps it).
	_, err = db.coll(collLookups).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "$or", Value: bson.A{
		bson.D{{Key: "m", Value: bson.D{{Key: "$exists", Value: false}}}}, bson.D{{Key: "m", Value: bson.D{}}}}}})
	return err
}

// upsertExisting applies upd to the document id of coll when it exists
// (never creating it), serialised in the embedded mode.
func (db *DB) upsertExisting(ctx context.Context, coll, id string, upd bson.D) error {
	unlock := db.serialiseDoc(coll, id)
	defer unlock()
	_, err := db.coll(coll).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, upd)
	return err
}
