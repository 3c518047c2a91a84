package worker_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/service"
)

// The crash tests of a tribunal case's statutory events (issue 19): a case
// revision implies the events of its dates (here DECISION_NOTICE_GIVEN,
// which starts T17, the time to appeal, for an APPEAL against the LA's
// decision) and, when it corrects a date, the old event's clocks closed as
// not applicable. They go through the outbox as a save's IDP_GIVEN does.

// caseDetails are the details of the crash tests' appeal, its decision
// notice given noticeAgo days ago.
func caseDetails(noticeAgo int) service.CaseDetails {
	today := cynllun.Today(time.Now())
	return service.CaseDetails{
		Title: "Apêl am ddarpariaeth",
		Decision: cynllun.DisputedDecision{Kind: cynllun.DisputedProvision, Description: "The IDP leaves out 1:1 SaLT.",
			MadeBy: seed.CardiffID, DecidedOn: today.AddDays(-5), NoticeGivenOn: today.AddDays(-noticeAgo)},
		Parties: []cynllun.Party{{Role: cynllun.PartyAppellant, Name: "Ceri Llywelyn"},
			{Role: cynllun.PartyRespondent, Name: "Cardiff Council", OrgID: seed.CardiffID}},
	}
}

// asOfficer is ctx as the LA's officer (the respondent, who records the
// decision and its notice).
func asOfficer(ctx context.Context, svc *service.Service) (context.Context, error) {
	p, err := svc.Authenticate(ctx, seed.OfficerID)
	if err != nil {
		return nil, err
	}
	return cynllun.WithPrincipal(ctx, p), nil
}

// caseOutboxWrite makes one write of a case crash scenario: "opencase"
// opens the appeal for learner id (notice 4 days ago); "updatecase"
// corrects case id's notice date to 3 days ago (arg: the expected
// revision).
func caseOutboxWrite(ctx context.Context, svc *service.Service, scenario, id, arg string) error {
	ctx, err := asOfficer(ctx, svc)
	if err != nil {
		return err
	}
	switch scenario {
	case "opencase":
		_, err = svc.OpenCase(ctx, service.OpenCaseInput{LearnerID: id, Kind: cynllun.CaseAppeal, CaseDetails: caseDetails(4)})
	case "updatecase":
		rev, _ := strconv.Atoi(arg)
		_, err = svc.UpdateCase(ctx, service.UpdateCaseInput{ID: id, ExpectedRevision: rev, CaseDetails: caseDetails(3)})
	default:
		err = fmt.Errorf("unknown scenario %q", scenario)
	}
	return err
}

// caseRecord is how a learner's case stands: the statutory record, the
// case's latest revision (0: none) and, for each DECISION_NOTICE_GIVEN
// event, by its date, the state of the T17 clock it started ("none": not
// started), e.g. "…; revision 2; T17 of 2026-12-03 NOT_APPLICABLE, T17 of
// 2026-12-04 OPEN".
func (e *env) caseRecord(learnerID string) string {
	e.t.Helper()
	ctx := context.Background()
	cs, err := e.db.CasesForLearners(ctx, []string{learnerID})
	if err != nil || len(cs) > 1 {
		e.t.Fatalf("cases: %d, %v", len(cs), err)
	}
	rev := 0
	if len(cs) == 1 {
		rev = cs[0].Revision
	}
	evs, err := e.db.EventsForLearner(ctx, learnerID)
	if err != nil {
		e.t.Fatal(err)
	}
	var clocks []string
	for _, ev := range evs {
		if ev.Kind != cynllun.EventDecisionNoticeGiven {
			continue
		}
		ds, err := e.db.DeadlinesByID(ctx, []string{cynllun.DeadlineID("T17", ev.ID)})
		if err != nil {
			e.t.Fatal(err)
		}
		state := "none"
		if len(ds) == 1 {
			state = "OPEN"
			if ds[0].Closure != nil {
				state = string(ds[0].Closure.Status)
			}
		}
		clocks = append(clocks, "T17 of "+ev.On.String()+" "+state)
	}
	slices.Sort(clocks)
	return fmt.Sprintf("%s; revision %d; %s", e.statutory(learnerID), rev, strings.Join(clocks, ", "))
}

var casePoints = []string{"case.recorded", "mongodb.case.inserted", "case.inserted", "event.inserted", "event.closed", "case.applied"}

// TestCrashedCaseEventsWholeOrNothing: openCase with a decision notice date
// (an APPEAL against the LA's decision: DECISION_NOTICE_GIVEN starts T17)
// and an updateCase correcting that date (a new DECISION_NOTICE_GIVEN and
// its T17; the old T17 closed as not applicable), each killed between
// every pair of its writes, stand after the relay whole (as a write not
// killed: every event once, every clock started once and the replaced one
// closed) or not at all (then the write made again gives the same).
func TestCrashedCaseEventsWholeOrNothing(t *testing.T) {
	e := newEnv(t)
	officer, err := asOfficer(e.ctx, e.svc)
	if err != nil {
		t.Fatal(err)
	}
	// opened: a learner with the appeal opened (unkilled), for the update.
	opened := func(name string) (learner, caseID string) {
		learner, _ = e.outboxLearner(name, false)
		c, err := e.svc.OpenCase(officer, service.OpenCaseInput{LearnerID: learner, Kind: cynllun.CaseAppeal, CaseDetails: caseDetails(4)})
		if err != nil {
			e.t.Fatal(err)
		}
		e.relay()
		return learner, c.ID
	}
	for _, scenario := range []string{"opencase", "updatecase"} {
		t.Run(scenario, func(t *testing.T) {
			parent := e.t
			e.t = t
			defer func() { e.t = parent }()
			// fixture: the learner and the write's target (the learner
			// for an opening, the case for an update).
			fixture := func(name string) (learner, target string) {
				if scenario == "opencase" {
					learner, _ = e.outboxLearner(name, false)
					return learner, learner
				}
				return opened(name)
			}
			learner, target := fixture("Cyfeirnod")
			before := e.caseRecord(learner)
			if e.runOutboxChild("", scenario, target, "1") {
				t.Fatal("the reference child was killed")
			}
			e.relay()
			after := e.caseRecord(learner)
			want := "events ALN_BROUGHT_TO_ATTENTION,DECISION_NOTICE_GIVEN; open T1,T17; revision 1; T17 of " +
				cynllun.Today(time.Now()).AddDays(-4).String() + " OPEN"
			if scenario == "updatecase" {
				want = "events ALN_BROUGHT_TO_ATTENTION,DECISION_NOTICE_GIVEN,DECISION_NOTICE_GIVEN; open T1,T17; revision 2; T17 of " +
					cynllun.Today(time.Now()).AddDays(-4).String() + " NOT_APPLICABLE, T17 of " + cynllun.Today(time.Now()).AddDays(-3).String() + " OPEN"
			}
			if after != want {
				t.Fatalf("reference %s: %s\nwant %s (before: %s)", scenario, after, want, before)
			}
			t.Logf("before: %s; after: %s", before, after)
			for _, point := range casePoints {
				t.Run(point, func(t *testing.T) {
					parent := e.t
					e.t = t
					defer func() { e.t = parent }()
					learner, target := fixture("Prawf")
					if got := e.caseRecord(learner); got != before {
						t.Fatalf("fixture: %s, want %s", got, before)
					}
					if !e.runOutboxChild(point, scenario, target, "1") {
						t.Fatalf("the child was not killed at %s", point)
					}
					e.relay()
					got := e.caseRecord(learner)
					switch got {
					case before:
						// Nothing stands: the write made again works, and
						// its events follow.
						if e.runOutboxChild("", scenario, target, "1") {
							t.Fatal("the retry was killed")
						}
						e.relay()
						if got := e.caseRecord(learner); got != after {
							t.Fatalf("after a retry: %s, want %s", got, after)
						}
					case after:
					default:
						t.Fatalf("killed at %s: %s\nwant nothing: %s\nor all: %s", point, got, before, after)
					}
					t.Logf("killed at %s: stood: %v", point, got == after)
				})
			}
		})
	}
}

// TestFailedCaseEventIsRelayed: an appeal opened while the event insert
// fails is stored and answered; its outbox entry stays (T17 not started),
// the relay keeps it while the database fails and applies it after:
// DECISION_NOTICE_GIVEN recorded once, T17 started, the outbox empty. The
// same for a correction of the notice date.
func TestFailedCaseEventIsRelayed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	learner, _ := e.outboxLearner("Methiant", false)
	failing := &atomic.Bool{}
	failing.Store(true)
	svc := service.New(failingEvents{e.db, failing}, service.WithOutboxLease(-1))
	officer, err := asOfficer(e.ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.OpenCase(officer, service.OpenCaseInput{LearnerID: learner, Kind: cynllun.CaseAppeal, CaseDetails: caseDetails(4)})
	if err != nil {
		t.Fatalf("the case is answered when its event fails: %v", err)
	}
	if got := e.statutory(learner); got != "events ALN_BROUGHT_TO_ATTENTION; open T1" {
		t.Fatalf("with the event failing: %s", got)
	}
	pending, err := e.db.PendingOutbox(ctx, 0)
	if err != nil || len(pending) != 1 || pending[0].Kind != cynllun.OutboxCase || pending[0].Ref != c.ID || pending[0].Revision != 1 {
		t.Fatalf("pending after the failed event: %v, %v", pending, err)
	}
	st, err := svc.RelayOutbox(ctx)
	if err != nil || st.Failed != 1 || st.Applied != 0 {
		t.Fatalf("relay while failing: %+v, %v", st, err)
	}
	failing.Store(false)
	time.Sleep(10 * time.Millisecond)
	if st, err = svc.RelayOutbox(ctx); err != nil || st.Applied != 1 {
		t.Fatalf("relay: %+v, %v", st, err)
	}
	notice := cynllun.Today(time.Now()).AddDays(-4).String()
	want := "events ALN_BROUGHT_TO_ATTENTION,DECISION_NOTICE_GIVEN; open T1,T17; revision 1; T17 of " + notice + " OPEN"
	if got := e.caseRecord(learner); got != want {
		t.Fatalf("after the relay: %s, want %s", got, want)
	}
	e.relay()

	// A correction whose new event fails: the old clock is not closed
	// either until the relay applies the entry (the closures follow the
	// events), then the new T17 runs and the old one is not applicable.
	failing.Store(true)
	if _, err := svc.UpdateCase(officer, service.UpdateCaseInput{ID: c.ID, ExpectedRevision: 1, CaseDetails: caseDetails(3)}); err != nil {
		t.Fatalf("the correction is answered when its event fails: %v", err)
	}
	if got := e.caseRecord(learner); got != strings.Replace(want, "revision 1", "revision 2", 1) {
		t.Fatalf("with the event failing: %s", got)
	}
	failing.Store(false)
	time.Sleep(10 * time.Millisecond)
	if st, err = svc.RelayOutbox(ctx); err != nil || st.Applied != 1 {
		t.Fatalf("relay: %+v, %v", st, err)
	}
	want = "events ALN_BROUGHT_TO_ATTENTION,DECISION_NOTICE_GIVEN,DECISION_NOTICE_GIVEN; open T1,T17; revision 2; T17 of " + notice +
		" NOT_APPLICABLE, T17 of " + cynllun.Today(time.Now()).AddDays(-3).String() + " OPEN"
	if got := e.caseRecord(learner); got != want {
		t.Fatalf("after the relay: %s, want %s", got, want)
	}
	e.relay()
}

// BenchmarkUpdateCase: a revision of the crash tests' appeal, as the LA's
// officer; "title" changes no date (no event follows: the outbox's entry
// is its only extra cost), "notice" corrects the notice date each time (a
// new DECISION_NOTICE_GIVEN and T17, the old T17 closed).
func BenchmarkUpdateCase(b *testing.B) {
	for _, what := range []string{"title", "notice"} {
		b.Run(what, func(b *testing.B) {
			e := newEnv(b)
			officer, err := asOfficer(e.ctx, e.svc)
			if err != nil {
				b.Fatal(err)
			}
			learner, _ := e.outboxLearner("Mainc", false)
			c, err := e.svc.OpenCase(officer, service.OpenCaseInput{LearnerID: learner, Kind: cynllun.CaseAppeal, CaseDetails: caseDetails(4)})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				d := caseDetails(4)
				if what == "notice" {
					d = caseDetails(4 - i%2)
				}
				d.Title += " " + strconv.Itoa(i)
				if c, err = e.svc.UpdateCase(officer, service.UpdateCaseInput{ID: c.ID, ExpectedRevision: c.Revision, CaseDetails: d}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
