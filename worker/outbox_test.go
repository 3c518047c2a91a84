package worker_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/failpoint"
	"github.com/cynllun/cynllun/mongodb"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/service"
)

// The crash tests of the outbox (issue 19): a child process (this test
// binary again, CYNLLUN_CHILD_OUTBOX set) makes one write that implies
// others and SIGKILLs itself at a failpoint (internal/failpoint) between
// two of its writes; the parent then runs the relay, as a restarted worker
// does, and checks that the write stands whole or not at all: every event
// it implies exactly once, no clock missing or doubled, nothing left in the
// outbox.

// childOutbox is the child: it makes the write CYNLLUN_CHILD_OUTBOX names.
// Its outbox entries carry no lease, so the parent's relay takes them at
// once (a restarted worker takes them once the dead writer's lease runs out).
func childOutbox() int {
	ctx := context.Background()
	db, err := mongodb.Open(ctx, mongodb.Config{URI: os.Getenv("MONGODB_URI")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open database:", err)
		return 1
	}
	svc := service.New(db, service.WithOutboxLease(-1))
	p, err := svc.Authenticate(ctx, seed.ALNCoID)
	if err != nil {
		return 1
	}
	ctx = cynllun.WithPrincipal(ctx, p)
	if err := outboxWrite(ctx, svc, os.Getenv("CYNLLUN_CHILD_OUTBOX"), os.Getenv("CYNLLUN_OUTBOX_ID"), os.Getenv("CYNLLUN_OUTBOX_ARG")); err != nil {
		fmt.Fprintln(os.Stderr, "child:", cynllun.ErrorCode(err), err)
		return 2
	}
	return 0
}

// outboxWrite makes one write of a crash scenario: "save" saves plan id's
// version 2 as FINAL (its first: IDP_GIVEN follows); "revised" and
// "norevision" conclude review id (arg: the revision and the plan's latest
// version, "r/v"); "create" creates a plan for learner id at the sample
// school.
func outboxWrite(ctx context.Context, svc *service.Service, scenario, id, arg string) error {
	switch scenario {
	case "save":
		v, err := svc.Version(ctx, id, 1)
		if err != nil {
			return err
		}
		_, err = svc.SaveVersion(ctx, service.SaveInput{PlanID: id, ExpectedVersion: 1, Status: cynllun.VersionFinal,
			Content: v.Content, Comment: "given", OverrideReason: "crash test"})
		return err
	case "revised", "norevision":
		rev, ver, _ := strings.Cut(arg, "/")
		r, _ := strconv.Atoi(rev)
		n, _ := strconv.Atoi(ver)
		in := service.ConcludeInput{ID: id, ExpectedRevision: r, Decision: cynllun.DecisionNoRevision, Reasons: "working well"}
		if scenario == "revised" {
			rs, err := svc.Reviews(ctx, []string{id})
			if err != nil || rs[0] == nil {
				return cmpErr(err, "review not found")
			}
			v, err := svc.Version(ctx, rs[0].PlanID, n)
			if err != nil {
				return err
			}
			in.Decision, in.Reasons, in.Content, in.ExpectedVersion, in.OverrideReason = cynllun.DecisionRevised, "needs changed", v.Content, n, "crash test"
		}
		_, err := svc.ConcludeReview(ctx, in)
		return err
	case "transfer":
		_, err := svc.TransferPlan(ctx, service.TransferInput{PlanID: id, ToOrgID: arg, Reason: cynllun.TransferInYearMove,
			EffectiveOn: cynllun.DateOf(time.Now())})
		return err
	case "cease":
		today := cynllun.DateOf(time.Now())
		_, err := svc.CeasePlan(ctx, service.CeaseInput{PlanID: id, DecidedOn: today, NoticeGivenOn: today, Reasons: "moved out of Wales"})
		return err
	case "create":
		_, _, err := svc.CreatePlan(ctx, service.PlanInput{LearnerID: id, MaintainerID: seed.SchoolID, Content: sampleContent(ctx, svc)})
		return err
	case "opencase", "updatecase":
		return caseOutboxWrite(ctx, svc, scenario, id, arg)
	}
	return fmt.Errorf("unknown scenario %q", scenario)
}

func cmpErr(err error, msg string) error {
	if err != nil {
		return err
	}
	return errors.New(msg)
}

// sampleContent is the sample plan's content (rows without ids: a new
// plan's own).
func sampleContent(ctx context.Context, svc *service.Service) *cynllun.Content {
	v, err := svc.Version(ctx, seed.PlanID, 1)
	if err != nil {
		return &cynllun.Content{}
	}
	c := *v.Content
	c.Provision = slices.Clone(c.Provision)
	for i := range c.Provision {
		c.Provision[i].ID = ""
	}
	return &c
}

// runOutboxChild runs the child to its failpoint (point "" runs it to the
// end) and reports whether it was killed there.
func (e *env) runOutboxChild(point, scenario, id, arg string) bool {
	e.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CYNLLUN_CHILD_OUTBOX="+scenario, "CYNLLUN_OUTBOX_ID="+id, "CYNLLUN_OUTBOX_ARG="+arg,
		"MONGODB_URI="+e.db.URI(), "REDIS_URL="+e.url, failpoint.Env+"="+point)
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
	}
	if err != nil {
		e.t.Fatalf("child %s at %q: %v", scenario, point, err)
	}
	return false
}

// relay runs the outbox relay as a restarted worker does, and checks it
// left nothing behind.
func (e *env) relay() {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.svc.RelayOutbox(ctx); err != nil {
		e.t.Fatal(err)
	}
	left, err := e.db.PendingOutbox(ctx, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(left) != 0 {
		e.t.Fatalf("the relay left %d outbox entries: %+v", len(left), *left[0])
	}
}

// outboxLearner registers a learner at the sample school whose ALN was
// brought to the school's attention (T1, to decide and give an IDP, runs),
// with a plan (version 1, a draft).
func (e *env) outboxLearner(name string, withPlan bool) (learnerID, planID string) {
	e.t.Helper()
	l, err := e.svc.CreateLearner(e.ctx, service.LearnerInput{GivenName: name, FamilyName: "Prawf", DateOfBirth: cynllun.DateOf(time.Now().AddDate(-9, 0, 0)),
		Language: cynllun.LanguageEN, LAID: seed.CardiffID, SettingKind: cynllun.SettingSchool, SettingID: seed.SchoolID})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.RecordEvent(e.ctx, service.EventInput{LearnerID: l.ID, Kind: cynllun.EventALNBroughtToAttention,
		On: cynllun.DateOf(time.Now().AddDate(0, 0, -7)), OrgID: seed.SchoolID}); err != nil {
		e.t.Fatal(err)
	}
	if !withPlan {
		return l.ID, ""
	}
	plan, _, err := e.svc.CreatePlan(e.ctx, service.PlanInput{LearnerID: l.ID, MaintainerID: seed.SchoolID, Content: sampleContent(e.ctx, e.svc)})
	if err != nil {
		e.t.Fatal(err)
	}
	return l.ID, plan.ID
}

// statutory is what a learner's statutory record looks like: events by
// kind, and open clocks by rule, sorted ("T1 T8").
func (e *env) statutory(learnerID string) string {
	e.t.Helper()
	ctx := context.Background()
	evs, err := e.db.EventsForLearner(ctx, learnerID)
	if err != nil {
		e.t.Fatal(err)
	}
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, string(ev.Kind))
	}
	open, err := e.db.OpenDeadlines(ctx, learnerID, "")
	if err != nil {
		e.t.Fatal(err)
	}
	var rules []string
	for _, d := range open {
		rules = append(rules, d.RuleID)
	}
	slices.Sort(kinds)
	slices.Sort(rules)
	return "events " + strings.Join(kinds, ",") + "; open " + strings.Join(rules, ",")
}

var savePoints = []string{"save.recorded", "mongodb.version.inserted", "save.inserted", "event.inserted", "event.closed", "save.applied"}

// TestCrashedSaveImpliesIDPGivenOnce: the first FINAL version of a plan
// implies IDP_GIVEN, which closes T1 (decide and give) and starts T8 (the
// review period). The saving process is killed between each pair of its
// writes; after the relay, the version either is not stored and nothing
// follows from it, or is stored with IDP_GIVEN recorded once, T1 closed
// once and T8 started once, exactly as after a save that was not killed.
func TestCrashedSaveImpliesIDPGivenOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	learner, plan := e.outboxLearner("Cyfeirnod", true)
	before := e.statutory(learner)
	if e.runOutboxChild("", "save", plan, "") {
		t.Fatal("the reference child was killed")
	}
	e.relay()
	after := e.statutory(learner)
	if !strings.Contains(after, "IDP_GIVEN") || strings.Contains(after, "T1") || !strings.Contains(after, "T8") {
		t.Fatalf("reference save: %s (before: %s)", after, before)
	}
	for _, point := range savePoints {
		t.Run(point, func(t *testing.T) {
			parent := e.t
			e.t = t
			defer func() { e.t = parent }()
			learner, plan := e.outboxLearner("Prawf", true)
			if got := e.statutory(learner); got != before {
				t.Fatalf("fixture: %s, want %s", got, before)
			}
			if !e.runOutboxChild(point, "save", plan, "") {
				t.Fatalf("the child was not killed at %s", point)
			}
			e.relay()
			heads, err := e.db.PlanHeads(ctx, []string{plan})
			if err != nil {
				t.Fatal(err)
			}
			vs, err := e.db.VersionsByID(ctx, []string{cynllun.VersionID(plan, 2)})
			if err != nil {
				t.Fatal(err)
			}
			got := e.statutory(learner)
			switch {
			case len(vs) == 0 && got == before:
				// Nothing stands: saving again works, and its follow-ups
				// follow.
				if heads[plan].Latest != 1 {
					t.Fatalf("no version 2, but the heads say %d", heads[plan].Latest)
				}
				if e.runOutboxChild("", "save", plan, "") {
					t.Fatal("the retry was killed")
				}
				e.relay()
				if got := e.statutory(learner); got != after {
					t.Fatalf("after a retry: %s, want %s", got, after)
				}
			case len(vs) == 1 && got == after:
			default:
				t.Fatalf("killed at %s: %d version 2, record %s; want none and %s, or one and %s", point, len(vs), got, before, after)
			}
			t.Logf("killed at %s: version 2 stored: %v; %s", point, len(vs) == 1, got)
		})
	}
}

var concludePoints = map[string][]string{
	"revised": {"conclude.claimed", "save.recorded", "mongodb.version.inserted", "save.inserted", "save.applied",
		"conclude.version", "conclude.revision", "event.inserted", "event.closed", "conclude.applied"},
	"norevision": {"conclude.claimed", "conclude.revision", "event.inserted", "event.closed", "conclude.applied"},
}

// reviewFixture is a learner with a given plan (version 2 FINAL: T8 runs)
// and an open review of it.
func (e *env) reviewFixture(name string) (learnerID, planID, reviewID string) {
	e.t.Helper()
	learner, plan := e.outboxLearner(name, true)
	v, err := e.svc.Version(e.ctx, plan, 1)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.SaveVersion(e.ctx, service.SaveInput{PlanID: plan, ExpectedVersion: 1, Status: cynllun.VersionFinal,
		Content: v.Content, OverrideReason: "crash test"}); err != nil {
		e.t.Fatal(err)
	}
	r, err := e.svc.OpenReview(e.ctx, service.OpenReviewInput{PlanID: plan, Type: cynllun.ReviewAnnual})
	if err != nil {
		e.t.Fatal(err)
	}
	return learner, plan, r.ID
}

// conclusion is how a review stands: its status and decision, and the
// plan's versions linked to it.
func (e *env) conclusion(planID, reviewID string) string {
	e.t.Helper()
	ctx := context.Background()
	rs, err := e.db.ReviewsByID(ctx, []string{reviewID})
	if err != nil || len(rs) != 1 {
		e.t.Fatalf("review: %v", err)
	}
	metas, err := e.db.ListVersions(ctx, planID, 0, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	linked := 0
	for _, v := range metas {
		if v.ReviewID == reviewID {
			linked++
		}
	}
	s := fmt.Sprintf("%s, %d versions, %d linked", rs[0].Status, len(metas), linked)
	if d := rs[0].Decision; d != nil {
		s += fmt.Sprintf(", decision %s (version %d)", d.Kind, d.Version)
	}
	return s
}

// TestCrashedConclusionWholeOrNothing: a review conclusion (REVISED: a
// FINAL version, the concluding revision, REVIEW_CONCLUDED which restarts
// the review period T8; NO_REVISION: the revision and the event) killed
// between each pair of its writes stands, after the relay, whole (as a
// conclusion not killed) or not at all (the review open, no version linked
// to it, no event; concluding it again then works).
func TestCrashedConclusionWholeOrNothing(t *testing.T) {
	e := newEnv(t)
	for _, scenario := range []string{"revised", "norevision"} {
		t.Run(scenario, func(t *testing.T) {
			parent := e.t
			e.t = t
			defer func() { e.t = parent }()
			learner, plan, review := e.reviewFixture("Cyfeirnod")
			before, open := e.statutory(learner), e.conclusion(plan, review)
			if e.runOutboxChild("", scenario, review, "1/2") {
				t.Fatal("the reference child was killed")
			}
			e.relay()
			after, concluded := e.statutory(learner), e.conclusion(plan, review)
			if !strings.Contains(after, string(cynllun.EventReviewConcluded)) || strings.Count(after, "T8") != 1 || !strings.HasPrefix(concluded, "CONCLUDED") {
				t.Fatalf("reference conclusion: %s; %s", after, concluded)
			}
			for _, point := range concludePoints[scenario] {
				t.Run(point, func(t *testing.T) {
					parent := e.t
					e.t = t
					defer func() { e.t = parent }()
					learner, plan, review := e.reviewFixture("Prawf")
					if got := e.statutory(learner); got != before {
						t.Fatalf("fixture: %s, want %s", got, before)
					}
					if !e.runOutboxChild(point, scenario, review, "1/2") {
						t.Fatalf("the child was not killed at %s", point)
					}
					e.relay()
					got, state := e.statutory(learner), e.conclusion(plan, review)
					switch {
					case got == before && state == open:
						if e.runOutboxChild("", scenario, review, "1/2") {
							t.Fatal("the retry was killed")
						}
						e.relay()
						if got, state := e.statutory(learner), e.conclusion(plan, review); got != after || state != concluded {
							t.Fatalf("after a retry: %s; %s; want %s; %s", got, state, after, concluded)
						}
					case got == after && state == concluded:
					default:
						t.Fatalf("killed at %s: %s; %s\nwant nothing: %s; %s\nor all: %s; %s", point, got, state, before, open, after, concluded)
					}
					t.Logf("killed at %s: %s; %s", point, got, state)
				})
			}
		})
	}
}

// TestCrashedCreatePlanRecovers: a createPlan killed part-way leaves, after
// the relay, either the plan with its version 1 or nothing (no version 1
// left unreachable), and creating it again works.
func TestCrashedCreatePlanRecovers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, point := range []string{"create.recorded", "mongodb.plan.v1", "create.stored"} {
		t.Run(point, func(t *testing.T) {
			parent := e.t
			e.t = t
			defer func() { e.t = parent }()
			learner, _ := e.outboxLearner("Creu", false)
			if !e.runOutboxChild(point, "create", learner, "") {
				t.Fatalf("the child was not killed at %s", point)
			}
			e.relay()
			plans, err := e.db.PlansByLearner(ctx, []string{learner})
			if err != nil {
				t.Fatal(err)
			}
			id := cynllun.DerivedID(cynllun.PrefixPlan, cynllun.IdempotencyKeyID("", "createPlan", learner+"/"+seed.SchoolID))
			v1, err := e.db.VersionsByID(ctx, []string{cynllun.VersionID(id, 1)})
			if err != nil {
				t.Fatal(err)
			}
			if len(plans) != len(v1) {
				t.Fatalf("killed at %s: %d plans and %d version 1", point, len(plans), len(v1))
			}
			if e.runOutboxChild("", "create", learner, "") && len(plans) == 0 {
				t.Fatal("the retry was killed")
			}
			plans, err = e.db.PlansByLearner(ctx, []string{learner})
			if err != nil || len(plans) != 1 || plans[0].ID != id || plans[0].Latest != 1 {
				t.Fatalf("after a retry: %v, %v", plans, err)
			}
			t.Logf("killed at %s: plan stood after the relay: %v", point, len(v1) == 1)
		})
	}
}

// TestConcurrentConclusions: two people conclude one review at once, one
// REVISED, one NO_REVISION. One wins; the other gets CONFLICT and nothing
// of theirs is written: a REVISED win leaves its FINAL version, a
// NO_REVISION win leaves no version linked to the review.
func TestConcurrentConclusions(t *testing.T) {
	e := newEnv(t)
	for i := range 6 {
		_, plan, review := e.reviewFixture("Ras")
		v, err := e.svc.Version(e.ctx, plan, 2)
		if err != nil {
			t.Fatal(err)
		}
		ins := []service.ConcludeInput{
			{ID: review, ExpectedRevision: 1, Decision: cynllun.DecisionRevised, Reasons: "needs changed", Content: v.Content, ExpectedVersion: 2, OverrideReason: "race"},
			{ID: review, ExpectedRevision: 1, Decision: cynllun.DecisionNoRevision, Reasons: "working well"},
		}
		if i%2 == 1 {
			ins[0], ins[1] = ins[1], ins[0]
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 2)
		for j := range ins {
			wg.Go(func() {
				<-start
				_, errs[j] = e.svc.ConcludeReview(e.ctx, ins[j])
			})
		}
		close(start)
		wg.Wait()
		won := -1
		for j, err := range errs {
			switch cynllun.ErrorCode(err) {
			case "":
				if won >= 0 {
					t.Fatalf("round %d: both conclusions succeeded", i)
				}
				won = j
			case cynllun.CodeConflict:
			default:
				t.Fatalf("round %d: %s: %v", i, ins[j].Decision, err)
			}
		}
		if won < 0 {
			t.Fatalf("round %d: neither conclusion succeeded: %v", i, errs)
		}
		state := e.conclusion(plan, review)
		want := "CONCLUDED, 2 versions, 0 linked, decision NO_REVISION (version 0)"
		if ins[won].Decision == cynllun.DecisionRevised {
			want = "CONCLUDED, 3 versions, 1 linked, decision REVISED (version 3)"
		}
		if state != want {
			t.Fatalf("round %d, %s won: %s, want %s", i, ins[won].Decision, state, want)
		}
		e.relay()
		t.Logf("round %d: %s won", i, ins[won].Decision)
	}
}

// TestCrashedCeaseWholeOrNothing: a plan's cessation (the plan's change,
// then every clock of the plan closed, then CEASE_NOTICE_GIVEN, which for
// a school's decision starts T11) killed between each pair of its writes
// stands, after the relay, whole (as one not killed) or not at all.
func TestCrashedCeaseWholeOrNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	learner, plan, _ := e.reviewFixture("Cyfeirnod")
	before := e.statutory(learner)
	if e.runOutboxChild("", "cease", plan, "") {
		t.Fatal("the reference child was killed")
	}
	e.relay()
	after := e.statutory(learner)
	if !strings.Contains(after, string(cynllun.EventCeaseNoticeGiven)) || strings.Contains(after, "T8") {
		t.Fatalf("reference cessation: %s (before: %s)", after, before)
	}
	for _, point := range []string{"change.recorded", "change.stored", "change.closed", "event.inserted", "event.closed", "change.applied"} {
		t.Run(point, func(t *testing.T) {
			parent := e.t
			e.t = t
			defer func() { e.t = parent }()
			learner, plan, _ := e.reviewFixture("Prawf")
			if !e.runOutboxChild(point, "cease", plan, "") {
				t.Fatalf("the child was not killed at %s", point)
			}
			e.relay()
			plans, err := e.db.PlansByID(ctx, []string{plan})
			if err != nil || len(plans) != 1 {
				t.Fatal(err)
			}
			got := e.statutory(learner)
			switch {
			case !plans[0].Ceased() && got == before:
				if e.runOutboxChild("", "cease", plan, "") {
					t.Fatal("the retry was killed")
				}
				e.relay()
				if got := e.statutory(learner); got != after {
					t.Fatalf("after a retry: %s, want %s", got, after)
				}
			case plans[0].Ceased() && got == after:
			default:
				t.Fatalf("killed at %s: ceased %v, %s; want not and %s, or ceased and %s", point, plans[0].Ceased(), got, before, after)
			}
			t.Logf("killed at %s: ceased %v; %s", point, plans[0].Ceased(), got)
		})
	}
}

// TestCrashedTransferWholeOrNothing: an in-year move of a plan to another
// school (the plan's change, the learner's setting, the review clock T8
// carried to the new school, REGISTERED_AT_NEW_SCHOOL and IDP_ADOPTED)
// killed between each pair of its writes stands, after the relay, whole
// (as one not killed: T8 carried once, held by the new school) or not at
// all.
func TestCrashedTransferWholeOrNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	to := &cynllun.Organisation{ID: cynllun.PrefixOrganisation + "test_ysgol_newydd", Kind: cynllun.OrgSchool, Name: "Ysgol Newydd",
		LAID: seed.CardiffID, Code: "6814999", CreatedAt: time.Now().UTC(), CreatedBy: "test"}
	if err := e.db.CreateOrganisation(ctx, to); err != nil {
		t.Fatal(err)
	}
	// holders: the open clocks with the body holding each.
	holders := func(learner string) string {
		open, err := e.db.OpenDeadlines(ctx, learner, "")
		if err != nil {
			e.t.Fatal(err)
		}
		var out []string
		for _, d := range open {
			out = append(out, d.RuleID+"@"+strings.TrimPrefix(d.OrgID, cynllun.PrefixOrganisation))
		}
		slices.Sort(out)
		return e.statutory(learner) + "; " + strings.Join(out, ",")
	}
	learner, plan, _ := e.reviewFixture("Cyfeirnod")
	before := holders(learner)
	if e.runOutboxChild("", "transfer", plan, to.ID) {
		t.Fatal("the reference child was killed")
	}
	e.relay()
	after := holders(learner)
	if !strings.Contains(after, string(cynllun.EventIDPAdopted)) || !strings.Contains(after, "T8@test_ysgol_newydd") || strings.Count(after, "T8@") != 1 {
		t.Fatalf("reference move: %s (before: %s)", after, before)
	}
	for _, point := range []string{"change.recorded", "change.stored", "change.learner", "change.carried", "event.inserted", "event.closed", "change.applied"} {
		t.Run(point, func(t *testing.T) {
			parent := e.t
			e.t = t
			defer func() { e.t = parent }()
			learner, plan, _ := e.reviewFixture("Prawf")
			if !e.runOutboxChild(point, "transfer", plan, to.ID) {
				t.Fatalf("the child was not killed at %s", point)
			}
			e.relay()
			plans, err := e.db.PlansByID(ctx, []string{plan})
			if err != nil || len(plans) != 1 {
				t.Fatal(err)
			}
			ls, err := e.db.LearnersByID(ctx, []string{learner})
			if err != nil || len(ls) != 1 {
				t.Fatal(err)
			}
			moved := plans[0].MaintainerID == to.ID
			got := holders(learner)
			switch {
			case !moved && got == before && ls[0].SettingID == seed.SchoolID:
				if e.runOutboxChild("", "transfer", plan, to.ID) {
					t.Fatal("the retry was killed")
				}
				e.relay()
				if got := holders(learner); got != after {
					t.Fatalf("after a retry: %s, want %s", got, after)
				}
			case moved && got == after && ls[0].SettingID == to.ID:
			default:
				t.Fatalf("killed at %s: moved %v (setting %s), %s; want not and %s, or moved and %s", point, moved, ls[0].SettingID, got, before, after)
			}
			t.Logf("killed at %s: moved %v; %s", point, moved, got)
		})
	}
}

// failingEvents is a store whose statutory event inserts fail while
// failing is set.
type failingEvents struct {
	cynllun.Store
	failing *atomic.Bool
}

func (s failingEvents) InsertEvent(ctx context.Context, e *cynllun.StatutoryEvent) error {
	if s.failing.Load() {
		return cynllun.Internal("test.InsertEvent", errors.New("the database is failing"))
	}
	return s.Store.InsertEvent(ctx, e)
}

// TestFailedFollowUpIsRelayed: a FINAL save whose IDP_GIVEN fails (the
// save stands and is answered) leaves its outbox entry; the relay, once
// the request's lease has run out and the database answers again, applies
// it: IDP_GIVEN recorded, T1 closed, T8 started, the outbox empty.
func TestFailedFollowUpIsRelayed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	learner, plan := e.outboxLearner("Methiant", true)
	failing := &atomic.Bool{}
	failing.Store(true)
	svc := service.New(failingEvents{e.db, failing}, service.WithOutboxLease(-1))
	v, err := svc.Version(e.ctx, plan, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveVersion(e.ctx, service.SaveInput{PlanID: plan, ExpectedVersion: 1, Status: cynllun.VersionFinal,
		Content: v.Content, OverrideReason: "test"}); err != nil {
		t.Fatalf("the save is answered when its follow-up fails: %v", err)
	}
	if got := e.statutory(learner); strings.Contains(got, "IDP_GIVEN") || !strings.Contains(got, "T1") {
		t.Fatalf("with the event failing: %s", got)
	}
	pending, err := e.db.PendingOutbox(ctx, 0)
	if err != nil || len(pending) != 1 || pending[0].Kind != cynllun.OutboxVersion || pending[0].Ref != cynllun.VersionID(plan, 2) {
		t.Fatalf("pending after the failed follow-up: %v, %v", pending, err)
	}
	// The relay fails too while the database does, and keeps the entry.
	st, err := svc.RelayOutbox(ctx)
	if err != nil || st.Failed != 1 || st.Applied != 0 {
		t.Fatalf("relay while failing: %+v, %v", st, err)
	}
	failing.Store(false)
	time.Sleep(10 * time.Millisecond) // past the failed try's lease (none here)
	st, err = svc.RelayOutbox(ctx)
	if err != nil || st.Applied != 1 || st.Pending != 1 || st.Oldest <= 0 {
		t.Fatalf("relay: %+v, %v", st, err)
	}
	if got := e.statutory(learner); got != "events ALN_BROUGHT_TO_ATTENTION,IDP_GIVEN; open T8" {
		t.Fatalf("after the relay: %s", got)
	}
	e.relay()
}
