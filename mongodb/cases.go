package mongodb

import (
	"context"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/cynllun/cynllun"
)

// Cases are stored as immutable revisions in the collection "cases", one
// document per revision with _id cynllun.CaseRevisionID and a unique index
// on (caseId, revision), exactly as reviews: a save is a plain insert of
// revision n+1 and a lost race is a duplicate key. The latest revision is
// the case.
//
// Evidence ("caseEvidence") is one document per upload, never replaced:
// withdrawing it sets the withdrawal fields once. Bundle versions
// ("bundles") are one document each, with a unique (caseId, number) as the
// guard of the next version; the render's result is set on it once.
//
// Bundle.Contents and Bundle.Manifest are kept as BSON binary, byte for
// byte. As everywhere in this package, empty slices (and an empty
// Case.Events) are omitted and read back as nil.

type caseDoc struct {
	ID                     string           `bson:"_id"` // cynllun.CaseRevisionID
	CaseID                 string           `bson:"caseId"`
	Revision               int              `bson:"revision"`
	LearnerID              string           `bson:"learnerId"`
	Kind                   string           `bson:"kind"`
	Status                 string           `bson:"status"`
	Title                  string           `bson:"title"`
	Reference              string           `bson:"reference"`
	Decision               disputedDoc      `bson:"decision"`
	Issues                 []string         `bson:"issues,omitempty"`
	Parties                []partyDoc       `bson:"parties,omitempty"`
	DisagreementReferredOn string           `bson:"disagreementReferredOn"`
	LodgedOn               string           `bson:"lodgedOn"`
	RegisteredOn           string           `bson:"registeredOn"`
	CaseStatementDue       string           `bson:"caseStatementDue"`
	HearingOn              string           `bson:"hearingOn"`
	DecisionSentOn         string           `bson:"decisionSentOn"`
	ClosedOn               string           `bson:"closedOn"`
	Outcome                string           `bson:"outcome"`
	Bundle                 bundleSpecDoc    `bson:"bundle"`
	Events                 []caseEventIDDoc `bson:"events,omitempty"` // by kind
	CreatedAt              time.Time        `bson:"createdAt"`
	CreatedBy              string           `bson:"createdBy"`
	UpdatedAt              time.Time        `bson:"updatedAt"`
	UpdatedBy              string           `bson:"updatedBy"`
}

type disputedDoc struct {
	Kind          string `bson:"kind"`
	Description   string `bson:"description"`
	MadeBy        string `bson:"madeBy"`
	DecidedOn     string `bson:"decidedOn"`
	NoticeGivenOn string `bson:"noticeGivenOn"`
}

type partyDoc struct {
	Role         string `bson:"role"`
	Name         string `bson:"name"`
	Organisation string `bson:"organisation"`
	OrgID        string `bson:"orgId"`
	UserID       string `bson:"userId"`
	Represents   string `bson:"represents"`
}

type bundleSpecDoc struct {
	Language        string             `bson:"language"`
	Sections        []bundleSectionDoc `bson:"sections,omitempty"`
	Chronology      bool               `bson:"chronology"`
	ChronologyAfter string             `bson:"chronologyAfter"`
	Records         []recordItemDoc    `bson:"records,omitempty"`
	Excluded        []string           `bson:"excluded,omitempty"`
}

type bundleSectionDoc struct {
	Key       string   `bson:"key"`
	TitleEN   string   `bson:"titleEn"`
	TitleCY   string   `bson:"titleCy"`
	PageLimit int      `bson:"pageLimit"`
	Order     string   `bson:"order"`
	Takes     []string `bson:"takes,omitempty"`
}

type recordItemDoc struct {
	Kind     string `bson:"kind"`
	Section  string `bson:"section"`
	PlanID   string `bson:"planId"`
	Version  int    `bson:"version"`
	ReviewID string `bson:"reviewId"`
	Revision int    `bson:"revision"`
	From     string `bson:"from"`
	To       string `bson:"to"`
}

// caseEventIDDoc is one entry of Case.Events. A list of pairs rather than
// a sub-document keyed by kind: keys are then data, never field names.
type caseEventIDDoc struct {
	Kind    string `bson:"kind"`
	EventID string `bson:"eventId"`
}

type caseEvidenceDoc struct {
	ID              string     `bson:"_id"`
	CaseID          string     `bson:"caseId"`
	LearnerID       string     `bson:"learnerId"`
	FileID          string     `bson:"fileId"`
	ContentType     string     `bson:"contentType"`
	Pages           int        `bson:"pages"`
	SHA256          string     `bson:"sha256"`
	Size            int64      `bson:"size"`
	Title           string     `bson:"title"`
	Date            string     `bson:"date"`
	Author          string     `bson:"author"`
	Kind            string     `bson:"kind"`
	Section         string     `bson:"section"`
	CreatedAt       time.Time  `bson:"createdAt"`
	CreatedBy       string     `bson:"createdBy"`
	WithdrawnAt     *time.Time `bson:"withdrawnAt,omitempty"`
	WithdrawnBy     string     `bson:"withdrawnBy,omitempty"`
	WithdrawnReason string     `bson:"withdrawnReason,omitempty"`
}

type bundleDoc struct {
	ID             string `bson:"_id"` // cynllun.BundleID(caseId, number)
	CaseID         string `bson:"caseId"`
	LearnerID      string `bson:"learnerId"`
	Number         int    `bson:"number"`
	Language       string `bson:"language"`
	Contents       []byte `bson:"contents,omitempty"`
	ContentsSHA256 string `bson:"contentsSha256"`
	JobID          string `bson:"jobId"`
	// The render's result, absent until CompleteBundle; fileId is what
	// says it is recorded. (A named field: the codec skips an embedded
	// struct of an unexported type, inline or not.)
	Result    bundleResultDoc `bson:",inline"`
	CreatedAt time.Time       `bson:"createdAt"`
	CreatedBy string          `bson:"createdBy"`
}

// bundleResultDoc is what CompleteBundle sets.
type bundleResultDoc struct {
	FileID         string     `bson:"fileId,omitempty"`
	ManifestFileID string     `bson:"manifestFileId,omitempty"`
	Manifest       []byte     `bson:"manifest,omitempty"`
	Pages          int        `bson:"pages,omitempty"`
	RenderedAt     *time.Time `bson:"renderedAt,omitempty"`
}

// --- conversion ---

func toCaseDoc(c *cynllun.Case) *caseDoc {
	d := &caseDoc{
		ID: cynllun.CaseRevisionID(c.ID, c.Revision), CaseID: c.ID, Revision: c.Revision, LearnerID: c.LearnerID,
		Kind: string(c.Kind), Status: string(c.Status), Title: c.Title, Reference: c.Reference,
		Decision: disputedDoc{Kind: string(c.Decision.Kind), Description: c.Decision.Description, MadeBy: c.Decision.MadeBy,
			DecidedOn: dateString(c.Decision.DecidedOn), NoticeGivenOn: dateString(c.Decision.NoticeGivenOn)},
		Issues: nonEmpty(c.Issues),
		Parties: mapSlice(c.Parties, func(p cynllun.Party) partyDoc {
			return partyDoc{Role: string(p.Role), Name: p.Name, Organisation: p.Organisation, OrgID: p.OrgID, UserID: p.UserID,
				Represents: string(p.Represents)}
		}),
		DisagreementReferredOn: dateString(c.DisagreementReferredOn), LodgedOn: dateString(c.LodgedOn),
		RegisteredOn: dateString(c.RegisteredOn), CaseStatementDue: dateString(c.CaseStatementDue),
		HearingOn: dateString(c.HearingOn), DecisionSentOn: dateString(c.DecisionSentOn), ClosedOn: dateString(c.ClosedOn),
		Outcome: c.Outcome, Bundle: toBundleSpecDoc(&c.Bundle),
		CreatedAt: bsonTime(c.CreatedAt), CreatedBy: c.CreatedBy, UpdatedAt: bsonTime(c.UpdatedAt), UpdatedBy: c.UpdatedBy,
	}
	for k, id := range c.Events {
		d.Events = append(d.Events, caseEventIDDoc{Kind: string(k), EventID: id})
	}
	sort.Slice(d.Events, func(i, j int) bool { return d.Events[i].Kind < d.Events[j].Kind })
	return d
}

func toBundleSpecDoc(s *cynllun.BundleSpec) bundleSpecDoc {
	return bundleSpecDoc{
		Language: string(s.Language),
		Sections: mapSlice(s.Sections, func(x cynllun.BundleSection) bundleSectionDoc {
			return bundleSectionDoc{Key: x.Key, TitleEN: x.TitleEN, TitleCY: x.TitleCY, PageLimit: x.PageLimit, Order: string(x.Order), Takes: x.Takes}
		}),
		Chronology: s.Chronology, ChronologyAfter: s.ChronologyAfter,
		Records: mapSlice(s.Records, func(r cynllun.RecordItem) recordItemDoc {
			return recordItemDoc{Kind: string(r.Kind), Section: r.Section, PlanID: r.PlanID, Version: r.Version,
				ReviewID: r.ReviewID, Revision: r.Revision, From: dateString(r.From), To: dateString(r.To)}
		}),
		Excluded: nonEmpty(s.Excluded),
	}
}

func fromCaseDoc(d *caseDoc) (*cynllun.Case, error) {
	var p dates
	c := &cynllun.Case{
		ID: d.CaseID, Revision: d.Revision, LearnerID: d.LearnerID,
		Kind: cynllun.CaseKind(d.Kind), Status: cynllun.CaseStatus(d.Status), Title: d.Title, Reference: d.Reference,
		Decision: cynllun.DisputedDecision{Kind: cynllun.DisputedKind(d.Decision.Kind), Description: d.Decision.Description,
			MadeBy: d.Decision.MadeBy, DecidedOn: p.parse(d.Decision.DecidedOn), NoticeGivenOn: p.parse(d.Decision.NoticeGivenOn)},
		Issues: nonEmpty(d.Issues),
		Parties: mapSlice(d.Parties, func(x partyDoc) cynllun.Party {
			return cynllun.Party{Role: cynllun.PartyRole(x.Role), Name: x.Name, Organisation: x.Organisation, OrgID: x.OrgID,
				UserID: x.UserID, Represents: cynllun.PartyRole(x.Represents)}
		}),
		DisagreementReferredOn: p.parse(d.DisagreementReferredOn), LodgedOn: p.parse(d.LodgedOn),
		RegisteredOn: p.parse(d.RegisteredOn), CaseStatementDue: p.parse(d.CaseStatementDue),
		HearingOn: p.parse(d.HearingOn), DecisionSentOn: p.parse(d.DecisionSentOn), ClosedOn: p.parse(d.ClosedOn),
		Outcome: d.Outcome,
		Bundle: cynllun.BundleSpec{
			Language: cynllun.RenderLanguage(d.Bundle.Language),
			Sections: mapSlice(d.Bundle.Sections, func(x bundleSectionDoc) cynllun.BundleSection {
				return cynllun.BundleSection{Key: x.Key, TitleEN: x.TitleEN, TitleCY: x.TitleCY, PageLimit: x.PageLimit,
					Order: cynllun.SectionOrder(x.Order), Takes: x.Takes}
			}),
			Chronology: d.Bundle.Chronology, ChronologyAfter: d.Bundle.ChronologyAfter,
			Records: mapSlice(d.Bundle.Records, func(r recordItemDoc) cynllun.RecordItem {
				return cynllun.RecordItem{Kind: cynllun.RecordKind(r.Kind), Section: r.Section, PlanID: r.PlanID, Version: r.Version,
					ReviewID: r.ReviewID, Revision: r.Revision, From: p.parse(r.From), To: p.parse(r.To)}
			}),
			Excluded: nonEmpty(d.Bundle.Excluded),
		},
		CreatedAt: fromTime(d.CreatedAt), CreatedBy: d.CreatedBy, UpdatedAt: fromTime(d.UpdatedAt), UpdatedBy: d.UpdatedBy,
	}
	if len(d.Events) > 0 {
		c.Events = make(map[cynllun.EventKind]string, len(d.Events))
		for _, e := range d.Events {
			c.Events[cynllun.EventKind(e.Kind)] = e.EventID
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return c, nil
}

func toCaseEvidenceDoc(e *cynllun.CaseEvidence) *caseEvidenceDoc {
	return &caseEvidenceDoc{
		ID: e.ID, CaseID: e.CaseID, LearnerID: e.LearnerID, FileID: e.FileID, ContentType: e.ContentType,
		Pages: e.Pages, SHA256: e.SHA256, Size: e.Size, Title: e.Title, Date: dateString(e.Date), Author: e.Author,
		Kind: string(e.Kind), Section: e.Section, CreatedAt: bsonTime(e.CreatedAt), CreatedBy: e.CreatedBy,
		WithdrawnAt: optTime(e.WithdrawnAt), WithdrawnBy: e.WithdrawnBy, WithdrawnReason: e.WithdrawnReason,
	}
}

func fromCaseEvidenceDoc(d *caseEvidenceDoc) (*cynllun.CaseEvidence, error) {
	date, err := parseDate(d.Date)
	if err != nil {
		return nil, err
	}
	return &cynllun.CaseEvidence{
		ID: d.ID, CaseID: d.CaseID, LearnerID: d.LearnerID, FileID: d.FileID, ContentType: d.ContentType,
		Pages: d.Pages, SHA256: d.SHA256, Size: d.Size, Title: d.Title, Date: date, Author: d.Author,
		Kind: cynllun.EvidenceKind(d.Kind), Section: d.Section, CreatedAt: fromTime(d.CreatedAt), CreatedBy: d.CreatedBy,
		WithdrawnAt: fromOptTime(d.WithdrawnAt), WithdrawnBy: d.WithdrawnBy, WithdrawnReason: d.WithdrawnReason,
	}, nil
}

func toBundleResultDoc(b *cynllun.Bundle) bundleResultDoc {
	return bundleResultDoc{FileID: b.FileID, ManifestFileID: b.ManifestFileID, Manifest: nonEmptyBytes(b.Manifest),
		Pages: b.Pages, RenderedAt: optTime(b.RenderedAt)}
}

func toBundleDoc(b *cynllun.Bundle) *bundleDoc {
	return &bundleDoc{
		ID: b.ID, CaseID: b.CaseID, LearnerID: b.LearnerID, Number: b.Number, Language: string(b.Language),
		Contents: nonEmptyBytes(b.Contents), ContentsSHA256: b.ContentsSHA256, JobID: b.JobID,
		Result:    toBundleResultDoc(b),
		CreatedAt: bsonTime(b.CreatedAt), CreatedBy: b.CreatedBy,
	}
}

func fromBundleDoc(d *bundleDoc) (*cynllun.Bundle, error) {
	return &cynllun.Bundle{
		ID: d.ID, CaseID: d.CaseID, LearnerID: d.LearnerID, Number: d.Number, Language: cynllun.RenderLanguage(d.Language),
		Contents: nonEmptyBytes(d.Contents), ContentsSHA256: d.ContentsSHA256, JobID: d.JobID,
		FileID: d.Result.FileID, ManifestFileID: d.Result.ManifestFileID, Manifest: nonEmptyBytes(d.Result.Manifest),
		Pages: d.Result.Pages, RenderedAt: fromOptTime(d.Result.RenderedAt), CreatedAt: fromTime(d.CreatedAt), CreatedBy: d.CreatedBy,
	}, nil
}

// nonEmptyBytes copies b, returning nil for an empty slice.
func nonEmptyBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// --- helpers ---

// inFilter matches documents whose field is one of ids: an equality for a
// single id (which FerretDB can push down, where $in is filtered in Go),
// $in otherwise. ids must not be empty.
func inFilter(field string, ids []string) bson.D {
	if len(ids) == 1 {
		return bson.D{{Key: field, Value: ids[0]}}
	}
	return bson.D{{Key: field, Value: bson.D{{Key: "$in", Value: ids}}}}
}

// hasID reports whether c has a document with _id id.
func hasID(ctx context.Context, c *mongo.Collection, id string) (bool, error) {
	err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch {
	case err == nil:
		return true, nil
	case isNoDocuments(err):
		return false, nil
	}
	return false, err
}

// highest returns the largest value of the integer field among the
// documents of c matching filter, 0 when none match (the number a lost
// insert race reports as Current).
func highest(ctx context.Context, c *mongo.Collection, filter bson.D, field string) (int, error) {
	var d bson.Raw
	err := c.FindOne(ctx, filter, options.FindOne().
		SetSort(bson.D{{Key: field, Value: -1}}).
		SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: field, Value: 1}})).Decode(&d)
	if isNoDocuments(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	v, ok := d.Lookup(field).AsInt64OK()
	if !ok {
		return 0, nil
	}
	return int(v), nil
}

// --- cases ---

// InsertCase appends a revision with a plain insert; the unique
// (caseId, revision) index turns a lost race into CONFLICT with Current
// set to the latest revision.
func (db *DB) InsertCase(ctx context.Context, c *cynllun.Case) error {
	const op = "mongodb.InsertCase"
	_, err := db.coll(collCases).InsertOne(ctx, toCaseDoc(c))
	if err == nil {
		return nil
	}
	if !isDuplicateKey(err) {
		return cynllun.Internal(op, err)
	}
	cur, lerr := highest(ctx, db.coll(collCases), bson.D{{Key: "caseId", Value: c.ID}}, "revision")
	if lerr != nil {
		return cynllun.Internal(op, lerr)
	}
	return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Message: "case was changed by someone else", Current: cur}
}

type caseRevisionDoc struct {
	CaseID    string    `bson:"caseId"`
	Revision  int       `bson:"revision"`
	CreatedAt time.Time `bson:"createdAt"`
}

// caseHead is what the light query tells of a case: its latest revision
// and when it was created (the earliest revision's createdAt).
type caseHead struct {
	revision int
	created  time.Time
}

// latestCases reads the latest revision of every case matching filter,
// oldest case first (by the case's creation, then id): one light query
// for the revision numbers ($group $max is not in FerretDB v1, so the
// maximum is taken here), one by _id for the documents.
func (db *DB) latestCases(ctx context.Context, op string, filter bson.D) ([]*cynllun.Case, error) {
	opts := allOpts().SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "caseId", Value: 1}, {Key: "revision", Value: 1}, {Key: "createdAt", Value: 1}})
	revs, err := findAll[caseRevisionDoc](ctx, db.coll(collCases), filter, opts)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	heads := map[string]caseHead{}
	for _, r := range revs {
		h, ok := heads[r.CaseID]
		if !ok || r.Revision > h.revision {
			h.revision = r.Revision
		}
		if !ok || r.CreatedAt.Before(h.created) {
			h.created = r.CreatedAt
		}
		heads[r.CaseID] = h
	}
	if len(heads) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(heads))
	for id, h := range heads {
		ids = append(ids, cynllun.CaseRevisionID(id, h.revision))
	}
	docs, err := byIDs[caseDoc](ctx, db, collCases, ids)
	out, err := converted(op, docs, err, fromCaseDoc)
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := heads[out[i].ID].created, heads[out[j].ID].created
		if !a.Equal(b) {
			return a.Before(b)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// CasesByID returns the latest revision of each case found.
func (db *DB) CasesByID(ctx context.Context, ids []string) ([]*cynllun.Case, error) {
	ids = dedupe(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	return db.latestCases(ctx, "mongodb.CasesByID", inFilter("caseId", ids))
}

// CasesForLearners returns the latest revision of every case of the
// learners, oldest case first (by the first revision's CreatedAt, then
// id).
func (db *DB) CasesForLearners(ctx context.Context, learnerIDs []string) ([]*cynllun.Case, error) {
	ids := dedupe(learnerIDs)
	if len(ids) == 0 {
		return nil, nil
	}
	return db.latestCases(ctx, "mongodb.CasesForLearners", inFilter("learnerId", ids))
}

// CaseRevisions returns every revision of a case, oldest first.
func (db *DB) CaseRevisions(ctx context.Context, caseID string) ([]*cynllun.Case, error) {
	const op = "mongodb.CaseRevisions"
	if caseID == "" {
		return nil, nil
	}
	docs, err := findAll[caseDoc](ctx, db.coll(collCases), bson.D{{Key: "caseId", Value: caseID}},
		allOpts().SetSort(bson.D{{Key: "revision", Value: 1}}))
	return converted(op, docs, err, fromCaseDoc)
}

// --- evidence ---

// InsertEvidence stores an evidence document; CONFLICT when its id exists.
func (db *DB) InsertEvidence(ctx context.Context, e *cynllun.CaseEvidence) error {
	if _, err := db.coll(collCaseEvidence).InsertOne(ctx, toCaseEvidenceDoc(e)); err != nil {
		return insertErr("mongodb.InsertEvidence", "evidence", err)
	}
	return nil
}

// EvidenceByID returns the evidence found, in any order.
func (db *DB) EvidenceByID(ctx context.Context, ids []string) ([]*cynllun.CaseEvidence, error) {
	docs, err := byIDs[caseEvidenceDoc](ctx, db, collCaseEvidence, ids)
	return converted("mongodb.EvidenceByID", docs, err, fromCaseEvidenceDoc)
}

// EvidenceForCase lists a case's evidence, withdrawn too, by createdAt,
// then id.
func (db *DB) EvidenceForCase(ctx context.Context, caseID string) ([]*cynllun.CaseEvidence, error) {
	const op = "mongodb.EvidenceForCase"
	if caseID == "" {
		return nil, nil
	}
	docs, err := findAll[caseEvidenceDoc](ctx, db.coll(collCaseEvidence), bson.D{{Key: "caseId", Value: caseID}},
		allOpts().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	return converted(op, docs, err, fromCaseEvidenceDoc)
}

// WithdrawEvidence sets the withdrawal of evidence not withdrawn yet; a
// second withdrawal changes nothing. As for VoidSession, racing withdrawals
// of one document may both "win" on FerretDB: the last write stays, and
// either is a true record of the document being withdrawn.
func (db *DB) WithdrawEvidence(ctx context.Context, id string, at time.Time, by, reason string) error {
	const op = "mongodb.WithdrawEvidence"
	if at.IsZero() {
		// A zero time would read back as "not withdrawn" yet block the
		// real withdrawal.
		return cynllun.E(cynllun.CodeInvalid, op, "a withdrawal time is required")
	}
	c := db.coll(collCaseEvidence)
	filter := bson.D{{Key: "_id", Value: id}, {Key: "withdrawnAt", Value: bson.D{{Key: "$exists", Value: false}}}}
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "withdrawnAt", Value: bsonTime(at)}, {Key: "withdrawnBy", Value: by}, {Key: "withdrawnReason", Value: reason},
	}}}
	res, err := c.UpdateOne(ctx, filter, update)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	// Withdrawn already (the first withdrawal stays) or missing.
	found, err := hasID(ctx, c, id)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if !found {
		return cynllun.NotFound(op, "evidence")
	}
	return nil
}

// --- bundles ---

// InsertBundle stores a bundle version with a plain insert; the unique
// (caseId, number) index turns a lost race into CONFLICT with Current set
// to the case's latest number.
func (db *DB) InsertBundle(ctx context.Context, b *cynllun.Bundle) error {
	const op = "mongodb.InsertBundle"
	if b == nil || b.ID == "" {
		return cynllun.E(cynllun.CodeInvalid, op, "a bundle id is required")
	}
	_, err := db.coll(collBundles).InsertOne(ctx, toBundleDoc(b))
	if err == nil {
		return nil
	}
	if !isDuplicateKey(err) {
		return cynllun.Internal(op, err)
	}
	cur, lerr := highest(ctx, db.coll(collBundles), bson.D{{Key: "caseId", Value: b.CaseID}}, "number")
	if lerr != nil {
		return cynllun.Internal(op, lerr)
	}
	return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Message: "bundle version exists already", Current: cur}
}

// BundlesByID returns the bundles found, in any order.
func (db *DB) BundlesByID(ctx context.Context, ids []string) ([]*cynllun.Bundle, error) {
	docs, err := byIDs[bundleDoc](ctx, db, collBundles, ids)
	return converted("mongodb.BundlesByID", docs, err, fromBundleDoc)
}

// BundlesForCase lists a case's bundle versions by number.
func (db *DB) BundlesForCase(ctx context.Context, caseID string) ([]*cynllun.Bundle, error) {
	const op = "mongodb.BundlesForCase"
	if caseID == "" {
		return nil, nil
	}
	docs, err := findAll[bundleDoc](ctx, db.coll(collBundles), bson.D{{Key: "caseId", Value: caseID}},
		allOpts().SetSort(bson.D{{Key: "number", Value: 1}}))
	return converted(op, docs, err, fromBundleDoc)
}

// CompleteBundle sets the render's result on a bundle that has none (no
// fileId); a bundle completed already keeps its first result and the call
// is a no-op. As for CloseDeadline, two racing completions may both
// succeed on FerretDB: both are renders of the same frozen contents.
func (db *DB) CompleteBundle(ctx context.Context, b *cynllun.Bundle) error {
	const op = "mongodb.CompleteBundle"
	if b == nil || b.ID == "" || b.FileID == "" {
		return cynllun.E(cynllun.CodeInvalid, op, "a bundle id and a file id are required")
	}
	c := db.coll(collBundles)
	res, err := c.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: b.ID}, {Key: "fileId", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: toBundleResultDoc(b)}})
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	found, err := hasID(ctx, c, b.ID)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	if !found {
		return cynllun.NotFound(op, "bundle")
	}
	return nil
}
