package seed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/service"
)

// Synthetic data: N learners across the 22 local authorities, for scale
// tests and demos. Learner i's records depend only on i, the seed value
// and the as-of date, never on N, so a database can be grown (10, then
// 1,000, then 10,000) and learners 0..N-1 are the same whatever N.
//
// Every id is derived from an index: a table prefix from id.go, then 32
// hex digits "5eed", a two-digit kind and the zero-padded index (a UUIDv7
// from NewID starts with its timestamp, so the two never meet).

const (
	// DefaultSyntheticSeed is the seed value used when none is given.
	DefaultSyntheticSeed uint64 = 20260101
	// LearnersPerSchool is how many learner indexes share a school.
	LearnersPerSchool = 40
	// StaffPerSchool is the staff users of each school: an ALNCo (0) and a
	// class teacher (1).
	StaffPerSchool = 2
	// ParentEvery: learners whose index i has i%3 != 2 have a parent user.
	parentEvery = 3
	// FileEvery: learners whose index is a multiple have an uploaded file.
	FileEvery = 50
)

// DefaultAsOf is the day the synthetic records are "as of": every date in
// them is on or before it.
var DefaultAsOf = cynllun.MustDate("2026-10-01")

const (
	kindLearner = 0x01
	kindSchool  = 0x02
	kindOfficer = 0x03
	kindStaff   = 0x04
	kindParent  = 0x05
	kindPlan    = 0x06
	kindReview  = 0x07
	kindEvent   = 0x08
	kindSession = 0x09
	kindRel     = 0x0b
	kindRow     = 0x0c
)

func synID(prefix string, kind byte, index uint64) string {
	return fmt.Sprintf("%s5eed%02x%026x", prefix, kind, index)
}

// SyntheticLearnerID is the id of synthetic learner i.
func SyntheticLearnerID(i int) string { return synID(cynllun.PrefixLearner, kindLearner, uint64(i)) }

// SyntheticPlanID is the id of synthetic learner i's plan.
func SyntheticPlanID(i int) string { return synID(cynllun.PrefixPlan, kindPlan, uint64(i)) }

// SyntheticSchool is the index of learner i's school (the school whose
// area the learner lives in; learners under 3 or over 18 attend none).
func SyntheticSchool(i int) int { return i / LearnersPerSchool }

// SyntheticSchoolID is the organisation id of synthetic school j.
func SyntheticSchoolID(j int) string { return synID(cynllun.PrefixOrganisation, kindSchool, uint64(j)) }

// SyntheticSchoolLA is the index in LocalAuthorities of school j's LA.
func SyntheticSchoolLA(j int) int { return j % len(LocalAuthorities) }

// SyntheticStaffID is the user id of staff member k (0 the ALNCo, 1 a
// class teacher) of school j.
func SyntheticStaffID(j, k int) string {
	return synID(cynllun.PrefixUser, kindStaff, uint64(j*StaffPerSchool+k))
}

// SyntheticOfficerID is the user id of the ALN officer of
// LocalAuthorities[la].
func SyntheticOfficerID(la int) string { return synID(cynllun.PrefixUser, kindOfficer, uint64(la)) }

// SyntheticHasParent reports whether learner i has a parent user.
func SyntheticHasParent(i int) bool { return i%parentEvery != parentEvery-1 }

// SyntheticParentID is the user id of learner i's parent (see
// SyntheticHasParent).
func SyntheticParentID(i int) string { return synID(cynllun.PrefixUser, kindParent, uint64(i)) }

// SyntheticReviewID is the id of learner i's review n (0 or 1).
func SyntheticReviewID(i, n int) string {
	return synID(cynllun.PrefixReview, kindReview, uint64(i)<<4|uint64(n))
}

// SyntheticOptions says what Synthetic builds.
type SyntheticOptions struct {
	// N is the number of learners (indexes 0..N-1).
	N int
	// Seed varies the content (names, needs, dates); ids depend on the
	// index only. Zero means DefaultSyntheticSeed. Growing a database
	// with another seed value than it was built with mixes the two.
	Seed uint64
	// AsOf is the day the records are as of; zero means DefaultAsOf.
	AsOf cynllun.Date
	// Clock is the deployment's clock settings (the service's
	// WithClockSettings); nil means clock.DefaultSettings().
	Clock *clock.Settings
	// Workers bounds the concurrent writers (default 6).
	Workers int
	// Progress, when set, is called after each batch of learners with
	// the number of learners handled so far (written or found) and N.
	Progress func(done, total int)
}

// SyntheticCounts counts records written by one call.
type SyntheticCounts struct {
	Learners, Schools, Users, Relationships, Plans, Versions, ReviewRevisions,
	Events, Deadlines, Sessions, Files int
}

// SyntheticResult is what Synthetic did, with ids to try the data with
// (all from learner 0, who is there whatever N).
type SyntheticResult struct {
	N        int
	Existing int             // learners found already
	Written  SyntheticCounts // written by this call
	Elapsed  time.Duration

	// OfficerID is the ALN officer of OfficerLAID, learner 0's LA.
	OfficerID, OfficerLAID string
	// StaffID is the ALNCo of StaffOrgID, learner 0's school.
	StaffID, StaffOrgID string
	// ParentID is the parent of ParentLearnerID (learner 0).
	ParentID, ParentLearnerID string
	// PlanID is the plan of PlanLearnerID (learner 0); ReviewID its first
	// review, FileID the drawing attached to it.
	PlanID, PlanLearnerID, ReviewID, FileID string
}

// Synthetic creates synthetic learners 0..N-1 with their schools, staff,
// LA officers, parents, plans, reviews, statutory events and deadlines,
// ledger entries and a few uploaded files, through svc's store. The
// reference data is loaded first. It is idempotent and resumable: a
// learner's records are written before the learner, and learners found
// already are skipped, so running it again writes nothing new and a
// larger N adds only the missing learners. Due dates are computed as the
// service computes them when it starts a clock: clock.Compute on the
// responsible body's calendar from service.TermCalendars, with
// opts.Clock.
func Synthetic(ctx context.Context, svc *service.Service, opts SyntheticOptions) (*SyntheticResult, error) {
	start := time.Now()
	if opts.N < 0 {
		return nil, errors.New("seed: N must be 0 or more")
	}
	if opts.Seed == 0 {
		opts.Seed = DefaultSyntheticSeed
	}
	if opts.AsOf.IsZero() {
		opts.AsOf = DefaultAsOf
	}
	if opts.Workers <= 0 {
		opts.Workers = 6
	}
	st := svc.Store()
	g := &generator{st: st, seed: opts.Seed, asOf: opts.AsOf, ctx: ctx, clock: clock.DefaultSettings()}
	if opts.Clock != nil {
		g.clock = *opts.Clock
	}
	res := &SyntheticResult{N: opts.N}
	if err := Reference(ctx, st, atTime(opts.AsOf.AddDays(-1000), 8)); err != nil {
		return nil, err
	}
	if err := g.officers(ctx, &res.Written); err != nil {
		return nil, err
	}
	schools := (opts.N + LearnersPerSchool - 1) / LearnersPerSchool
	if err := g.schools(ctx, schools, opts.Workers, &res.Written); err != nil {
		return nil, err
	}

	// Which learners exist already: in large batches, as a batched read
	// scans the collection on the embedded store.
	exists := make(map[string]bool, opts.N)
	const lookup = 5000
	for lo := 0; lo < opts.N; lo += lookup {
		ids := make([]string, 0, lookup)
		for i := lo; i < min(lo+lookup, opts.N); i++ {
			ids = append(ids, SyntheticLearnerID(i))
		}
		ls, err := st.LearnersByID(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			exists[l.ID] = true
		}
	}
	res.Existing = len(exists)

	// Learners in batches; each batch is written by one worker, the
	// learners last.
	const batch = 25
	var (
		mu    sync.Mutex
		done  int
		first error
	)
	work := make(chan []int)
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idx := range work {
				var c SyntheticCounts
				err := g.learners(ctx, idx, &c)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				res.Written.add(c)
				done += batch
				if opts.Progress != nil && err == nil {
					opts.Progress(min(done, opts.N), opts.N)
				}
				mu.Unlock()
			}
		}()
	}
	func() {
		defer close(work)
		for lo := 0; lo < opts.N; lo += batch {
			var idx []int
			for i := lo; i < min(lo+batch, opts.N); i++ {
				if !exists[SyntheticLearnerID(i)] {
					idx = append(idx, i)
				}
			}
			mu.Lock()
			failed := first != nil
			if len(idx) == 0 {
				done += batch
			}
			mu.Unlock()
			if failed {
				return
			}
			if len(idx) == 0 {
				continue
			}
			select {
			case work <- idx:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if opts.N > 0 {
		la := SyntheticSchoolLA(0)
		res.OfficerID, res.OfficerLAID = SyntheticOfficerID(la), LAID(LocalAuthorities[la].ONS)
		res.StaffID, res.StaffOrgID = SyntheticStaffID(0, 0), SyntheticSchoolID(0)
		res.ParentID, res.ParentLearnerID = SyntheticParentID(0), SyntheticLearnerID(0)
		res.PlanID, res.PlanLearnerID, res.ReviewID = SyntheticPlanID(0), SyntheticLearnerID(0), SyntheticReviewID(0, 0)
		res.FileID = g.learner(0).fileID()
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func (c *SyntheticCounts) add(o SyntheticCounts) {
	c.Learners += o.Learners
	c.Schools += o.Schools
	c.Users += o.Users
	c.Relationships += o.Relationships
	c.Plans += o.Plans
	c.Versions += o.Versions
	c.ReviewRevisions += o.ReviewRevisions
	c.Events += o.Events
	c.Deadlines += o.Deadlines
	c.Sessions += o.Sessions
	c.Files += o.Files
}

// officers stores one ALN officer per local authority, and the LA's
// (made-up) term calendar, the user last, so a user found means the rest
// is there.
func (g *generator) officers(ctx context.Context, c *SyntheticCounts) error {
	ids := make([]string, len(LocalAuthorities))
	for k := range LocalAuthorities {
		ids[k] = SyntheticOfficerID(k)
	}
	found, err := g.st.UsersByID(ctx, ids)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, u := range found {
		have[u.ID] = true
	}
	at := atTime(g.asOf.AddDays(-1000), 9)
	for k, la := range LocalAuthorities {
		if have[ids[k]] {
			continue
		}
		r := g.newRand(0x0ff1ce, uint64(k))
		if cs, ok := g.st.(calendar.Store); ok {
			if err := ignoreConflict(cs.InsertCalendar(ctx, &calendar.Stored{OrgID: LAID(la.ONS), Revision: 1, Calendar: laCalendar(la, g.asOf),
				Comment: "synthetic data", CreatedAt: at, CreatedBy: "seed"})); err != nil {
				return err
			}
		}
		rel := &cynllun.Relationship{ID: synID(cynllun.PrefixRelationship, kindRel, 1<<40|uint64(k)), UserID: ids[k], Kind: cynllun.RelOfficerOf,
			OrgID: LAID(la.ONS), StaffRole: "ALN officer", CreatedAt: at, CreatedBy: "seed"}
		if err := ignoreConflict(g.st.CreateRelationship(ctx, rel)); err != nil {
			return err
		}
		name := pick(r, adultNames) + " " + pick(r, familyNames)
		u := &cynllun.User{ID: ids[k], Name: name + " (ALN officer, " + la.Name + ")", Email: fmt.Sprintf("officer-%s@example.invalid", la.ONS), CreatedAt: at}
		if err := g.st.UpsertUser(ctx, u); err != nil {
			return err
		}
		c.Relationships++
		c.Users++
	}
	return nil
}

// schools stores schools 0..n-1 with their staff, the school itself last.
func (g *generator) schools(ctx context.Context, n, workers int, c *SyntheticCounts) error {
	if n == 0 {
		return nil
	}
	ids := make([]string, n)
	for j := range ids {
		ids[j] = SyntheticSchoolID(j)
	}
	found, err := g.st.OrganisationsByID(ctx, ids)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, o := range found {
		have[o.ID] = true
	}
	var todo []int
	for j := range n {
		if !have[ids[j]] {
			todo = append(todo, j)
		}
	}
	var mu sync.Mutex
	return parallel(ctx, workers, todo, func(j int) error {
		var cc SyntheticCounts
		if err := g.school(ctx, j, &cc); err != nil {
			return err
		}
		mu.Lock()
		c.add(cc)
		mu.Unlock()
		return nil
	})
}

func (g *generator) school(ctx context.Context, j int, c *SyntheticCounts) error {
	s := g.schoolInfo(j)
	at := atTime(g.asOf.AddDays(-1000), 9)
	for k, role := range []string{"ALNCo", "Class teacher"} {
		uid := SyntheticStaffID(j, k)
		rel := &cynllun.Relationship{ID: synID(cynllun.PrefixRelationship, kindRel, 2<<40|uint64(j*StaffPerSchool+k)), UserID: uid,
			Kind: cynllun.RelStaffOf, OrgID: s.org.ID, StaffRole: role, CreatedAt: at, CreatedBy: "seed"}
		if err := ignoreConflict(g.st.CreateRelationship(ctx, rel)); err != nil {
			return err
		}
		u := &cynllun.User{ID: uid, Name: s.staff[k] + " (" + role + ", " + s.org.Name + ")",
			Email: fmt.Sprintf("staff-%d-%d@example.invalid", j, k), CreatedAt: at}
		if err := g.st.UpsertUser(ctx, u); err != nil {
			return err
		}
		c.Relationships++
		c.Users++
	}
	if err := ignoreConflict(g.st.CreateOrganisation(ctx, s.org)); err != nil {
		return err
	}
	c.Schools++
	return nil
}

// learners writes the learners of one batch: each learner's records, then
// the batch's deadlines and sessions, then the learners.
func (g *generator) learners(ctx context.Context, idx []int, c *SyntheticCounts) error {
	var (
		all       []*synLearner
		deadlines []*cynllun.Deadline
		sessions  []cynllun.Session
	)
	for _, i := range idx {
		if err := ctx.Err(); err != nil {
			return err
		}
		l := g.learner(i)
		if err := l.timeline(g); err != nil {
			return fmt.Errorf("seed: learner %d: %w", i, err)
		}
		if err := l.write(ctx, g.st, c); err != nil {
			return fmt.Errorf("seed: learner %d: %w", i, err)
		}
		all = append(all, l)
		deadlines = append(deadlines, l.deadlines...)
		sessions = append(sessions, l.sessions...)
	}
	if err := g.st.InsertDeadlines(ctx, deadlines); err != nil {
		return err
	}
	c.Deadlines += len(deadlines)
	if err := insertSessions(ctx, g.st, sessions); err != nil {
		return err
	}
	c.Sessions += len(sessions)
	for _, l := range all {
		if err := ignoreConflict(g.st.CreateLearner(ctx, l.l)); err != nil {
			return err
		}
		c.Learners++
	}
	return nil
}

// insertSessions inserts ss in one batch; when some exist already (an
// interrupted earlier run) the batch is undone, and they go one by one.
func insertSessions(ctx context.Context, st cynllun.Store, ss []cynllun.Session) error {
	if len(ss) == 0 {
		return nil
	}
	err := st.InsertSessions(ctx, ss)
	if cynllun.ErrorCode(err) != cynllun.CodeConflict {
		return err
	}
	for _, s := range ss {
		if err := ignoreConflict(st.InsertSessions(ctx, []cynllun.Session{s})); err != nil {
			return err
		}
	}
	return nil
}

// write stores the learner's records other than the learner, deadlines
// and sessions; each write is skipped when it was made already.
func (l *synLearner) write(ctx context.Context, st cynllun.Store, c *SyntheticCounts) error {
	if l.parent != nil {
		if err := ignoreConflict(st.CreateRelationship(ctx, l.parentRel)); err != nil {
			return err
		}
		if err := st.UpsertUser(ctx, l.parent); err != nil {
			return err
		}
		c.Users++
		c.Relationships++
	}
	if l.file != nil {
		if err := st.PutFile(ctx, l.file, l.fileData); err != nil {
			return err
		}
		c.Files++
	}
	if err := ignoreConflict(st.CreatePlan(ctx, l.plan, l.versions[0])); err != nil {
		return err
	}
	c.Plans++
	for _, v := range l.versions[1:] {
		if err := ignoreConflict(st.InsertVersion(ctx, v)); err != nil {
			return err
		}
	}
	c.Versions += len(l.versions)
	for _, r := range l.reviews {
		r.LAID, r.SettingID = l.l.LAID, l.l.SettingID
		if err := ignoreConflict(st.InsertReview(ctx, r)); err != nil {
			return err
		}
		c.ReviewRevisions++
	}
	for _, e := range l.events {
		if err := ignoreConflict(st.InsertEvent(ctx, e)); err != nil {
			return err
		}
		c.Events++
	}
	return nil
}

// parallel runs f on every item with at most n at once; the first error
// stops the rest.
func parallel(ctx context.Context, n int, items []int, f func(int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan int)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range min(n, max(len(items), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range ch {
				if err := f(it); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
	for _, it := range items {
		select {
		case ch <- it:
			continue
		case <-ctx.Done():
		}
		break
	}
	close(ch)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// atTime is hour o'clock on d in Wales, in UTC.
func atTime(d cynllun.Date, hour int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, cynllun.London).UTC()
}
