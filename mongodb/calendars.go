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

// InsertCalendar appends a calendar revision with a plain insert.
func (db *DB) InsertCalendar(ctx context.Context, s *calendar.Stored) error {
	const op = "mongodb.InsertCalendar"
	_, err := db.coll(collCalendars).InsertOne(ctx, toCalendarDoc(s))
	if err == nil {
		return nil
	}
	if !isDuplicateKey(err) {
		return cynllun.Internal(op, err)
	}
	cur, lerr := db.CalendarsByOrg(ctx, []string{s.OrgID})
	if lerr != nil {
		return cynllun.Internal(op, lerr)
	}
	current := 0
	if c := cur[s.OrgID]; c != nil {
		current = c.Revision
	}
	return &cynllun.Error{Code: cynllun.CodeConflict, Op: op, Message: "calendar was changed by someone else", Current: current}
}

type calRevisionDoc struct {
	OrgID    string `bson:"orgId"`
	Revision int    `bson:"revision"`
}

// CalendarsByOrg returns the latest revision of each organisation's
// calendar: one light query for the numbers, one by _id for the documents.
func (db *DB) CalendarsByOrg(ctx context.Context, orgIDs []string) (map[string]*calendar.Stored, error) {
	const op = "mongodb.CalendarsByOrg"
	ids := dedupe(orgIDs)
	out := map[string]*calendar.Stored{}
	if len(ids) == 0 {
		return out, nil
	}
	opts := allOpts().SetProjection(bson.D{{Key: "_id", Value: 0}, {Key: "orgId", Value: 1}, {Key: "revision", Value: 1}})
	nums, err := findAll[calRevisionDoc](ctx, db.coll(collCalendars), bson.D{{Key: "orgId", Value: bson.D{{Key: "$in", Value: ids}}}}, opts)
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	latest := map[string]int{}
	for _, n := range nums {
		latest[n.OrgID] = max(latest[n.OrgID], n.Revision)
	}
	if len(latest) == 0 {
		return out, nil
	}
	revIDs := make([]string, 0, len(latest))
	for org, n := range latest {
		revIDs = append(revIDs, calendarRevisionID(org, n))
	}
	docs, err := byIDs[calendarDoc](ctx, db, collCalendars, revIDs)
	stored, err := converted(op, docs, err, fromCalendarDoc)
	if err != nil {
		return nil, err
	}
	for _, s := range stored {
		out[s.OrgID] = s
	}
	return out, nil
}
