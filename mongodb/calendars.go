package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
)

// Calendars are stored as immutable revisions (collection "calendars",
// _id "<orgId>/c<n>", unique (orgId, revision)), like plan versions.

type termDoc struct {
	Name   string `bson:"name"`
	NameCy string `bson:"nameCy"`
	Start  string `bson:"start"`
	End    string `bson:"end"`
}

type calClosureDoc struct {
	From   string `bson:"from"`
	To     string `bson:"to"`
	Reason string `bson:"reason"`
	Note   string `bson:"note"`
}

type calendarDoc struct {
	ID        string          `bson:"_id"`
	OrgID     string          `bson:"orgId"`
	Revision  int             `bson:"revision"`
	CalID     string          `bson:"calId"`
	Name      string          `bson:"name"`
	Source    string          `bson:"source"`
	Terms     []termDoc       `bson:"terms,omitempty"`
	Closures  []calClosureDoc `bson:"closures,omitempty"`
	Comment   string          `bson:"comment"`
	CreatedAt time.Time       `bson:"createdAt"`
	CreatedBy string          `bson:"createdBy"`
}

func calendarRevisionID(orgID string, n int) string { return fmt.Sprintf("%s/c%d", orgID, n) }

func toCalendarDoc(s *calendar.Stored) *calendarDoc {
	c := s.Calendar
	return &calendarDoc{
		ID: calendarRevisionID(s.OrgID, s.Revision), OrgID: s.OrgID, Revision: s.Revision, CalID: c.ID, Name: c.Name, Source: c.Source,
		Terms: mapSlice(c.Terms, func(t calendar.Term) termDoc {
			return termDoc{Name: t.Name, NameCy: t.NameCy, Start: dateString(t.Start), End: dateString(t.End)}
		}),
		Closures: mapSlice(c.Closures, func(x calendar.Closure) calClosureDoc {
			return calClosureDoc{From: dateString(x.From), To: dateString(x.To), Reason: string(x.Reason), Note: x.Note}
		}),
		Comment: s.Comment, CreatedAt: bsonTime(s.CreatedAt), CreatedBy: s.CreatedBy,
	}
}

func fromCalendarDoc(d *calendarDoc) (*calendar.Stored, error) {
	var p dates
	c := &calendar.Calendar{ID: d.CalID, Name: d.Name, Source: d.Source}
	c.Terms = mapSlice(d.Terms, func(t termDoc) calendar.Term {
		return calendar.Term{Name: t.Name, NameCy: t.NameCy, Start: p.parse(t.Start), End: p.parse(t.End)}
	})
	c.Closures = mapSlice(d.Closures, func(x calClosureDoc) calendar.Closure {
		return calendar.Closure{From: p.parse(x.From), To: p.parse(x.To), Reason: calendar.ClosureReason(x.Reason), Note: x.Note}
	})
	if p.err != nil {
		return nil, p.err
	}
	return &calendar.Stored{OrgID: d.OrgID, Revision: d.Revision, Calendar: c, Comment: d.Comment, CreatedAt: fromTime(d.CreatedAt), CreatedBy: d.CreatedBy}, nil
}

// Each organisation's latest revision number, its head, is kept in a
// lookup document of its own (calendarHead/<orgId>, member "latest"),
// moved up with $max after a revision is inserted, as a plan's heads are
// (plans.go): the latest revisions of organisations are read by _id, the
// head first. A crash between a revision's insert and its head's move
// leaves the head one behind until the next save, whose insert then
// conflicts and repairs the head by probing the revisions after it by _id.

// lkCalendarHead: organisation id → headMember → latest revision number.
const lkCalendarHead = "calendarHead"

// headMember is the one member of a head document.
const headMember = "latest"

// moveCalendarHead moves an organisation's head up to revision n.
func (db *DB) moveCalendarHead(ctx context.Context, orgID string, n int) error {
	return db.upsertOne(ctx, collLookups, lookupID(lkCalendarHead, orgID),
		bson.D{{Key: "$max", Value: bson.D{{Key: "m." + headMember, Value: n}}}})
}

// InsertCalendar appends a calendar revision with a plain insert of its
// deterministic _id (the guard: a lost race is a duplicate key), then
// moves the organisation's head. A lost race is CONFLICT with Current set
// to the latest revision, read (and repaired) after the conflict.
func (db *DB) InsertCalendar(ctx context.Context, s *calendar.Stored) error {
	const op = "mongodb.InsertCalendar"
	_, err := db.coll(collCalendars).InsertOne(ctx, toCalendarDoc(s))
	if err == nil {
		if err := db.moveCalendarHead(ctx, s.OrgID, s.Revision); err != nil {
			// The revision is stored; the head is repaired by the next save.
			return cynllun.Internal(op, err)
		}
		return nil
	}
	if !isDuplicateKey(err) {
		return cynllun.Internal(op, err)
	}
	current, lerr := db.repairCalendarHead(ctx, s.OrgID)
	if lerr != nil {
		return cynllun.Internal(op, lerr)
	}
	return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Message: "calendar was changed by someone else", Current: current}
}

// calendarHeads reads the heads of organisations: organisation id →
// latest revision (organisations without a calendar are left out).
func (db *DB) calendarHeads(ctx context.Context, orgIDs []string) (map[string]int, error) {
	m, err := lookupMembers[int](ctx, db, lkCalendarHead, orgIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(m))
	for org, h := range m {
		if n := h[headMember]; n > 0 {
			out[org] = n
		}
	}
	return out, nil
}

// repairCalendarHead reads an organisation's head, probes by _id for
// revisions inserted after it (a crash between a revision's insert and
// its head's move), moves the head up to what it finds and returns the
// latest revision. It runs only after a lost insert, so the probe is short.
func (db *DB) repairCalendarHead(ctx context.Context, orgID string) (int, error) {
	heads, err := db.calendarHeads(ctx, []string{orgID})
	if err != nil {
		return 0, err
	}
	head := heads[orgID]
	latest := head
	for {
		_, ok, err := oneByID[calRevisionDoc](ctx, db.coll(collCalendars), calendarRevisionID(orgID, latest+1), calRevisionProjection)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		latest++
	}
	if latest != head {
		if err := db.moveCalendarHead(ctx, orgID, latest); err != nil {
			return 0, err
		}
		db.log.WarnContext(ctx, "calendar head repaired after an interrupted save", "org", orgID, "latest", latest)
	}
	return latest, nil
}

type calRevisionDoc struct {
	OrgID    string `bson:"orgId"`
	Revision int    `bson:"revision"`
}

var calRevisionProjection = bson.D{{Key: "_id", Value: 0}, {Key: "orgId", Value: 1}, {Key: "revision", Value: 1}}

// CalendarsByOrg returns the latest revision of each organisation's
// calendar: the heads, then the revisions, all by _id.
func (db *DB) CalendarsByOrg(ctx context.Context, orgIDs []string) (map[string]*calendar.Stored, error) {
	const op = "mongodb.CalendarsByOrg"
	out := map[string]*calendar.Stored{}
	ids := dedupe(orgIDs)
	if len(ids) == 0 {
		return out, nil
	}
	heads, err := db.calendarHeads(ctx, ids)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	if len(heads) == 0 {
		return out, nil
	}
	revIDs := make([]string, 0, len(heads))
	for org, n := range heads {
		revIDs = append(revIDs, calendarRevisionID(org, n))
	}
	docs, err := byIDs[calendarDoc](ctx, db, collCalendars, revIDs)
	stored, err := converted(op, docs, err, fromCalendarDoc)
	if err != nil {
		return nil, err
	}
	for _, s := range stored {
		if heads[s.OrgID] == s.Revision {
			out[s.OrgID] = s
		}
	}
	return out, nil
}

func init() {
	registerBackfill("calendars", backfillCalendars)
}

// backfillCalendars moves every organisation's head up to its revisions.
func backfillCalendars(ctx context.Context, db *DB) error {
	latest := map[string]int{}
	if err := eachDoc(ctx, db, collCalendars, calRevisionProjection, func(d *calRevisionDoc) error {
		latest[d.OrgID] = max(latest[d.OrgID], d.Revision)
		return nil
	}); err != nil {
		return err
	}
	for org, n := range latest {
		if err := db.moveCalendarHead(ctx, org, n); err != nil {
			return err
		}
	}
	return nil
}
