package mongodb

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/failpoint"
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
// Access paths (lookup.go, revisions.go): each case has a head in
// "caseHeads" (its latest revision number and its earliest createdAt, by
// which cases are ordered); a learner's cases, a case's evidence and a
// case's bundle versions are each one lookup document. Entries are written
// before their records and readers check every record against the query,
// so an entry left by a failed or interrupted write is skipped.
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
	LAID                   string           `bson:"laId,omitempty"`
	SettingID              string           `bson:"settingId,omitempty"`
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
	// Issue 17: the filing side and role, disclosure, and every change of
	// state, guarded by seq. Absent on evidence stored before: the service
	// reads it as filed by its creator's side, and disclosed.
	Side        string              `bson:"side,omitempty"`
	FiledAs     string              `bson:"filedAs,omitempty"`
	DisclosedAt *time.Time          `bson:"disclosedAt,omitempty"`
	DisclosedBy string              `bson:"disclosedBy,omitempty"`
	History     []evidenceChangeDoc `bson:"history,omitempty"`
	Seq         int                 `bson:"seq,omitempty"`
}

type evidenceChangeDoc struct {
	Action string    `bson:"action"`
	At     time.Time `bson:"at"`
	By     string    `bson:"by"`
	Side   string    `bson:"side,omitempty"`
	Reason string    `bson:"reason,omitempty"`
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
		LAID: c.LAID, SettingID: c.SettingID,
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
		ID: d.CaseID, Revision: d.Revision, LearnerID: d.LearnerID, LAID: d.LAID, SettingID: d.SettingID,
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
		Side: string(e.Side), FiledAs: string(e.FiledAs), DisclosedAt: optTime(e.DisclosedAt), DisclosedBy: e.DisclosedBy,
		History: toEvidenceChangeDocs(e.History), Seq: e.Seq,
	}
}

func toEvidenceChangeDocs(hs []cynllun.EvidenceChange) []evidenceChangeDoc {
	if len(hs) == 0 {
		return nil
	}
	out := make([]evidenceChangeDoc, len(hs))
	for i, h := range hs {
		out[i] = evidenceChangeDoc{Action: string(h.Action), At: bsonTime(h.At), By: h.By, Side: string(h.Side), Reason: h.Reason}
	}
	return out
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
		Side: cynllun.CaseSide(d.Side), FiledAs: cynllun.CaseRole(d.FiledAs), DisclosedAt: fromOptTime(d.DisclosedAt), DisclosedBy: d.DisclosedBy,
		History: fromEvidenceChangeDocs(d.History), Seq: d.Seq,
	}, nil
}

func fromEvidenceChangeDocs(ds []evidenceChangeDoc) []cynllun.EvidenceChange {
	if len(ds) == 0 {
		return nil
	}
	out := make([]cynllun.EvidenceChange, len(ds))
	for i, d := range ds {
		out[i] = cynllun.EvidenceChange{Action: cynllun.EvidenceAction(d.Action), At: fromTime(d.At), By: d.By, Side: cynllun.CaseSide(d.Side), Reason: d.Reason}
	}
	return out
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

// collCaseHeads holds each case's head (revisions.go).
const collCaseHeads = "caseHeads"

// Lookup kinds of cases: the _id of a lookup document is kind + "/" + key.
const (
	lkCasesOfLearner = "casesOfLearner" // learner id → case id: true
	lkEvidenceOfCase = "evidenceOfCase" // case id → evidence id: true
	lkBundlesOfCase  = "bundlesOfCase"  // case id → bundle id: its number
)

// --- cases ---

// InsertCase appends a revision: the learner's entry first, then a plain
// insert of the revision's deterministic _id (the unique (caseId,
// revision) index guards it too), then the head. A lost race is CONFLICT
// with Current set to the latest revision, read (and repaired) after the
// conflict.
func (db *DB) InsertCase(ctx context.Context, c *cynllun.Case) error {
	const op = "mongodb.InsertCase"
	unlock := db.serialise(collCases, c.ID)
	defer unlock()
	if err := db.setMembers(ctx, member{kind: lkCasesOfLearner, key: c.LearnerID, id: c.ID, value: true}); err != nil {
		return cynllun.Internal(op, err)
	}
	e := caseEntry(c)
	old, err := db.workBefore(ctx, workCases, c.ID, e)
	if err != nil {
		return cynllun.Internal(op, err)
	}
	d := toCaseDoc(c)
	if _, err := db.coll(collCases).InsertOne(ctx, d); err != nil {
		if !isDuplicateKey(err) {
			return cynllun.Internal(op, err)
		}
		cur, lerr := db.repairHead(ctx, collCaseHeads, collCases, c.ID, cynllun.CaseRevisionID, true)
		if lerr != nil {
			return cynllun.Internal(op, lerr)
		}
		// The caseloads hold this revision's entries: the stored one's
		// replace them.
		db.compensate(ctx, op, c.ID, func(ctx context.Context) error {
			cs, err := db.CasesByID(ctx, []string{c.ID})
			if err != nil || len(cs) == 0 {
				return err
			}
			return db.rewriteWork(ctx, workCases, c.ID, caseEntry(cs[0]))
		})
		return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Message: "case was changed by someone else", Current: cur}
	}
	failpoint.Crash("mongodb.case.inserted")
	if err := db.moveHead(ctx, collCaseHeads, c.ID, c.Revision, d.CreatedAt); err != nil {
		// The revision is stored; the head is repaired by the next save.
		return cynllun.Internal(op, err)
	}
	if err := db.workAfter(ctx, workCases, c.ID, e, old); err != nil {
		// The revision is stored; the caseloads' readers skip what is left.
		db.log.WarnContext(ctx, "could not update a case's caseloads", "op", op, "case", c.ID, "error", err)
	}
	return nil
}

// latestCases reads the latest revision of each case that has a head,
// keeping those keep accepts, oldest case first (by the earliest
// revision's createdAt, then id): the heads, then the revisions, by _id.
func (db *DB) latestCases(ctx context.Context, op string, ids []string, keep func(*caseDoc) bool) ([]*cynllun.Case, error) {
	heads, err := db.headsOf(ctx, collCaseHeads, ids)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs, err := byIDs[caseDoc](ctx, db, collCases, latestIDs(heads, cynllun.CaseRevisionID))
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs = slices.DeleteFunc(docs, func(d caseDoc) bool { return !keep(&d) })
	out, err := converted(op, docs, nil, fromCaseDoc)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *cynllun.Case) int {
		if c := heads[a.ID].Created.Compare(heads[b.ID].Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// CasesByID returns the latest revision of each case found.
func (db *DB) CasesByID(ctx context.Context, ids []string) ([]*cynllun.Case, error) {
	ids = dedupe(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	return db.latestCases(ctx, "mongodb.CasesByID", ids, func(*caseDoc) bool { return true })
}

// CasesForLearners returns the latest revision of every case of the
// learners, oldest case first (by the first revision's CreatedAt, then
// id): the learners' lookups, then the heads and revisions by _id, each
// checked against the learners.
func (db *DB) CasesForLearners(ctx context.Context, learnerIDs []string) ([]*cynllun.Case, error) {
	const op = "mongodb.CasesForLearners"
	learners := dedupe(learnerIDs)
	if len(learners) == 0 {
		return nil, nil
	}
	byLearner, err := lookupMembers[bool](ctx, db, lkCasesOfLearner, learners)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	var ids []string
	for _, m := range byLearner {
		for id := range m {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return db.latestCases(ctx, op, ids, func(d *caseDoc) bool {
		_, ok := byLearner[d.LearnerID][d.CaseID]
		return ok
	})
}

// CaseRevisions returns every revision of a case, oldest first: the head,
// then revisions 1..latest by _id.
func (db *DB) CaseRevisions(ctx context.Context, caseID string) ([]*cynllun.Case, error) {
	const op = "mongodb.CaseRevisions"
	if caseID == "" {
		return nil, nil
	}
	heads, err := db.headsOf(ctx, collCaseHeads, []string{caseID})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	h, ok := heads[caseID]
	if !ok {
		return nil, nil
	}
	docs, err := byIDs[caseDoc](ctx, db, collCases, revisionIDs(caseID, h.Latest, cynllun.CaseRevisionID))
	out, err := converted(op, docs, err, fromCaseDoc)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *cynllun.Case) int { return a.Revision - b.Revision })
	return out, nil
}

// --- evidence ---

// InsertEvidence stores an evidence document, its case's entry first;
// CONFLICT when its id exists (the entry is then removed again unless the
// stored evidence is of the same case).
func (db *DB) InsertEvidence(ctx context.Context, e *cynllun.CaseEvidence) error {
	const op = "mongodb.InsertEvidence"
	entry := member{kind: lkEvidenceOfCase, key: e.CaseID, id: e.ID, value: true}
	if err := db.setMembers(ctx, entry); err != nil {
		return cynllun.Internal(op, err)
	}
	_, err := db.coll(collCaseEvidence).InsertOne(ctx, toCaseEvidenceDoc(e))
	if err == nil {
		return nil
	}
	if isDuplicateKey(err) {
		db.compensate(ctx, op, e.ID, func(ctx context.Context) error {
			stored, ok, rerr := oneByID[caseEvidenceDoc](ctx, db.coll(collCaseEvidence), e.ID, bson.D{{Key: "caseId", Value: 1}})
			if rerr != nil || (ok && stored.CaseID == e.CaseID) {
				return rerr
			}
			entry.value = nil
			return db.setMembers(ctx, entry)
		})
	}
	return insertErr(op, "evidence", err)
}

// EvidenceByID returns the evidence found, in any order.
func (db *DB) EvidenceByID(ctx context.Context, ids []string) ([]*cynllun.CaseEvidence, error) {
	docs, err := byIDs[caseEvidenceDoc](ctx, db, collCaseEvidence, ids)
	return converted("mongodb.EvidenceByID", docs, err, fromCaseEvidenceDoc)
}

// EvidenceForCase lists a case's evidence, withdrawn too, by createdAt,
// then id: the case's lookup, then the evidence by _id.
func (db *DB) EvidenceForCase(ctx context.Context, caseID string) ([]*cynllun.CaseEvidence, error) {
	const op = "mongodb.EvidenceForCase"
	if caseID == "" {
		return nil, nil
	}
	m, err := lookupMembers[bool](ctx, db, lkEvidenceOfCase, []string{caseID})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs, err := byIDs[caseEvidenceDoc](ctx, db, collCaseEvidence, slices.Collect(maps.Keys(m[caseID])))
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs = slices.DeleteFunc(docs, func(d caseEvidenceDoc) bool { return d.CaseID != caseID })
	slices.SortFunc(docs, func(a, b caseEvidenceDoc) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return converted(op, docs, nil, fromCaseEvidenceDoc)
}

// WithdrawEvidence sets the withdrawal of evidence not withdrawn yet; a
// second withdrawal changes nothing. On MongoDB one conditional update; in
// the embedded mode, where FerretDB would read the whole collection for a
// filter other than _id, the evidence is read by _id and updated by _id
// under the evidence's lock, so racing withdrawals keep the first there
// too.
func (db *DB) WithdrawEvidence(ctx context.Context, id string, at time.Time, by, reason string) error {
	const op = "mongodb.WithdrawEvidence"
	if at.IsZero() {
		// A zero time would read back as "not withdrawn" yet block the
		// real withdrawal.
		return cynllun.E(cynllun.CodeInvalid, op, "a withdrawal time is required")
	}
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "withdrawnAt", Value: bsonTime(at)}, {Key: "withdrawnBy", Value: by}, {Key: "withdrawnReason", Value: reason},
	}}}
	err := db.setOnce(ctx, collCaseEvidence, id, "withdrawnAt", update)
	switch {
	case isNoDocuments(err):
		return cynllun.NotFound(op, "evidence")
	case err != nil:
		return cynllun.Internal(op, err)
	}
	return nil
}

// SetEvidenceState saves e's state (its side when it had none, disclosure,
// withdrawal, history and seq) when the stored seq is still prevSeq;
// otherwise CONFLICT. Content fields are never written. On MongoDB one
// conditional update by _id and seq; in the embedded mode the evidence is
// read and updated by _id under its lock (FerretDB would scan for a filter
// on another field, and loses concurrent updates).
func (db *DB) SetEvidenceState(ctx context.Context, e *cynllun.CaseEvidence, prevSeq int) error {
	const op = "mongodb.SetEvidenceState"
	d := toCaseEvidenceDoc(e)
	set := bson.D{{Key: "seq", Value: d.Seq}, {Key: "history", Value: d.History}}
	var unset bson.D
	setOrUnset := func(key string, v any, empty bool) {
		if empty {
			unset = append(unset, bson.E{Key: key, Value: ""})
		} else {
			set = append(set, bson.E{Key: key, Value: v})
		}
	}
	setOrUnset("side", d.Side, d.Side == "")
	setOrUnset("filedAs", d.FiledAs, d.FiledAs == "")
	setOrUnset("disclosedAt", d.DisclosedAt, d.DisclosedAt == nil)
	setOrUnset("disclosedBy", d.DisclosedBy, d.DisclosedBy == "")
	setOrUnset("withdrawnAt", d.WithdrawnAt, d.WithdrawnAt == nil)
	setOrUnset("withdrawnBy", d.WithdrawnBy, d.WithdrawnBy == "")
	setOrUnset("withdrawnReason", d.WithdrawnReason, d.WithdrawnReason == "")
	update := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	c := db.coll(collCaseEvidence)
	conflict := func(cur int) error {
		return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Current: cur,
			Message: "the evidence was changed by someone else; reload it and try again"}
	}
	var seqFilter any = prevSeq
	if prevSeq == 0 {
		seqFilter = bson.D{{Key: "$in", Value: bson.A{0, nil}}} // absent on evidence stored before
	}
	if !db.embedded {
		res, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: e.ID}, {Key: "seq", Value: seqFilter}}, update)
		if err != nil {
			return cynllun.Internal(op, err)
		}
		if res.MatchedCount == 1 {
			return nil
		}
	} else {
		unlock := db.serialise(collCaseEvidence, e.ID)
		defer unlock()
	}
	cur, found, err := oneByID[caseEvidenceDoc](ctx, c, e.ID, bson.D{{Key: "_id", Value: 1}, {Key: "seq", Value: 1}})
	switch {
	case err != nil:
		return cynllun.Internal(op, err)
	case !found:
		return cynllun.NotFound(op, "evidence")
	case !db.embedded || cur.Seq != prevSeq:
		return conflict(cur.Seq)
	}
	if _, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: e.ID}}, update); err != nil {
		return cynllun.Internal(op, err)
	}
	return nil
}

// setOnce applies update to the document id of coll unless its field is
// set already (then nothing changes); mongo.ErrNoDocuments when there is
// no such document. Atomic on MongoDB (one filtered update); in the
// embedded mode a read and an update, both by _id, under the record's
// lock.
func (db *DB) setOnce(ctx context.Context, coll, id, field string, update bson.D) error {
	c := db.coll(coll)
	if !db.embedded {
		res, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: field, Value: bson.D{{Key: "$exists", Value: false}}}}, update)
		if err != nil || res.MatchedCount == 1 {
			return err
		}
		// Set already (the first value stays) or missing.
		_, found, err := oneByID[bson.Raw](ctx, c, id, bson.D{{Key: "_id", Value: 1}})
		if err == nil && !found {
			err = mongo.ErrNoDocuments
		}
		return err
	}
	unlock := db.serialise(coll, id)
	defer unlock()
	d, found, err := oneByID[bson.Raw](ctx, c, id, bson.D{{Key: "_id", Value: 1}, {Key: field, Value: 1}})
	switch {
	case err != nil:
		return err
	case !found:
		return mongo.ErrNoDocuments
	}
	if _, err := d.LookupErr(field); err == nil {
		return nil
	}
	_, err = c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
	return err
}

// --- bundles ---

// bundleNumber is what a conflict reads of a case's bundles.
type bundleNumber struct {
	ID     string `bson:"_id"`
	CaseID string `bson:"caseId"`
	Number int    `bson:"number"`
}

// InsertBundle stores a bundle version with a plain insert, its case's
// entry first; the unique (caseId, number) index turns a lost race into
// CONFLICT with Current set to the case's latest number, read from the
// case's bundles (an entry the insert leaves stale is removed again).
func (db *DB) InsertBundle(ctx context.Context, b *cynllun.Bundle) error {
	const op = "mongodb.InsertBundle"
	if b == nil || b.ID == "" {
		return cynllun.E(cynllun.CodeInvalid, op, "a bundle id is required")
	}
	entry := member{kind: lkBundlesOfCase, key: b.CaseID, id: b.ID, value: b.Number}
	if err := db.setMembers(ctx, entry); err != nil {
		return cynllun.Internal(op, err)
	}
	_, err := db.coll(collBundles).InsertOne(ctx, toBundleDoc(b))
	if err == nil {
		return nil
	}
	if !isDuplicateKey(err) {
		db.compensate(ctx, op, b.ID, func(ctx context.Context) error {
			entry.value = nil
			return db.setMembers(ctx, entry)
		})
		return cynllun.Internal(op, err)
	}
	bs, lerr := db.bundleNumbers(ctx, b.CaseID)
	if lerr != nil {
		return cynllun.Internal(op, lerr)
	}
	cur := 0
	var mine *bundleNumber
	for i := range bs {
		cur = max(cur, bs[i].Number)
		if bs[i].ID == b.ID {
			mine = &bs[i]
		}
	}
	if mine == nil || mine.Number != b.Number {
		// The number was taken under another id: this entry is stale.
		db.compensate(ctx, op, b.ID, func(ctx context.Context) error {
			entry.value = nil
			if mine != nil {
				entry.value = mine.Number
			}
			return db.setMembers(ctx, entry)
		})
	}
	return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Message: "bundle version exists already", Current: cur}
}

// bundleNumbers reads the ids and numbers of a case's bundles, by _id from
// the case's lookup, leaving out stale entries.
func (db *DB) bundleNumbers(ctx context.Context, caseID string) ([]bundleNumber, error) {
	m, err := lookupMembers[int](ctx, db, lkBundlesOfCase, []string{caseID})
	if err != nil {
		return nil, err
	}
	bs, err := byIDsProjected[bundleNumber](ctx, db, collBundles, slices.Collect(maps.Keys(m[caseID])),
		bson.D{{Key: "caseId", Value: 1}, {Key: "number", Value: 1}})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(bs, func(b bundleNumber) bool { return b.CaseID != caseID }), nil
}

// BundlesByID returns the bundles found, in any order.
func (db *DB) BundlesByID(ctx context.Context, ids []string) ([]*cynllun.Bundle, error) {
	docs, err := byIDs[bundleDoc](ctx, db, collBundles, ids)
	return converted("mongodb.BundlesByID", docs, err, fromBundleDoc)
}

// BundlesForCase lists a case's bundle versions by number: the case's
// lookup, then the bundles by _id.
func (db *DB) BundlesForCase(ctx context.Context, caseID string) ([]*cynllun.Bundle, error) {
	const op = "mongodb.BundlesForCase"
	if caseID == "" {
		return nil, nil
	}
	m, err := lookupMembers[int](ctx, db, lkBundlesOfCase, []string{caseID})
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs, err := byIDs[bundleDoc](ctx, db, collBundles, slices.Collect(maps.Keys(m[caseID])))
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	docs = slices.DeleteFunc(docs, func(d bundleDoc) bool { return d.CaseID != caseID })
	slices.SortFunc(docs, func(a, b bundleDoc) int { return a.Number - b.Number })
	return converted(op, docs, nil, fromBundleDoc)
}

// CompleteBundle sets the render's result on a bundle that has none (no
// fileId); a bundle completed already keeps its first result and the call
// is a no-op (setOnce: atomic on MongoDB, serialised per bundle in the
// embedded mode).
func (db *DB) CompleteBundle(ctx context.Context, b *cynllun.Bundle) error {
	const op = "mongodb.CompleteBundle"
	if b == nil || b.ID == "" || b.FileID == "" {
		return cynllun.E(cynllun.CodeInvalid, op, "a bundle id and a file id are required")
	}
	err := db.setOnce(ctx, collBundles, b.ID, "fileId", bson.D{{Key: "$set", Value: toBundleResultDoc(b)}})
	switch {
	case isNoDocuments(err):
		return cynllun.NotFound(op, "bundle")
	case err != nil:
		return cynllun.Internal(op, err)
	}
	return nil
}

// --- backfill ---

// caseProbe is what the backfill reads of a case revision.
type caseProbe struct {
	CaseID    string    `bson:"caseId"`
	Revision  int       `bson:"revision"`
	LearnerID string    `bson:"learnerId"`
	CreatedAt time.Time `bson:"createdAt"`
}

// backfillCases builds the learners' lookups and the cases' heads from the
// revisions, and the cases' lookups of evidence and bundles.
func backfillCases(ctx context.Context, db *DB) error {
	proj := bson.D{{Key: "caseId", Value: 1}, {Key: "revision", Value: 1}, {Key: "learnerId", Value: 1}, {Key: "createdAt", Value: 1}}
	if err := eachDoc(ctx, db, collCases, proj, func(d *caseProbe) error {
		if err := db.setMembers(ctx, member{kind: lkCasesOfLearner, key: d.LearnerID, id: d.CaseID, value: true}); err != nil {
			return err
		}
		return db.moveHead(ctx, collCaseHeads, d.CaseID, d.Revision, d.CreatedAt)
	}); err != nil {
		return err
	}
	if err := eachDoc(ctx, db, collCaseEvidence, bson.D{{Key: "caseId", Value: 1}}, func(d *caseEvidenceDoc) error {
		return db.setMembers(ctx, member{kind: lkEvidenceOfCase, key: d.CaseID, id: d.ID, value: true})
	}); err != nil {
		return err
	}
	return eachDoc(ctx, db, collBundles, bson.D{{Key: "caseId", Value: 1}, {Key: "number", Value: 1}}, func(d *bundleNumber) error {
		return db.setMembers(ctx, member{kind: lkBundlesOfCase, key: d.CaseID, id: d.ID, value: d.Number})
	})
}

func init() { registerBackfill("cases", backfillCases) }
