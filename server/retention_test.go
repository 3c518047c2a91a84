package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/seed"
	"github.com/cynllun/cynllun/worker"
)

// TestRetentionErasure moves the clock past the sample learner's retention
// (date of birth + 31 years, the default rule): nothing is listed before
// the date and it is listed after; nothing is erased before an
// administrator approves (others are refused); after the approval an
// erasure cut short again and again finishes, leaves nothing of the learner
// in any collection (files and chunks included) but the review and the
// audit tombstone, and a second run changes nothing.
func TestRetentionErasure(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	ctx := context.Background()
	if err := seed.Sample(ctx, e.db, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	learner := seed.Learner1ID
	ls, err := e.db.LearnersByID(ctx, []string{learner})
	if err != nil || len(ls) != 1 {
		t.Fatalf("sample learner: %v %v", ls, err)
	}
	dob := ls[0].DateOfBirth
	markers := []string{learner, seed.PlanID, seed.CaseID, "Siôn", `llywelyn\u0000sion`}

	// More of what a learner accumulates: an upload, a rendered PDF and its
	// job, a notice with a delivery, an invitation, an idempotency record,
	// audit events in two hours.
	now := e.clock.Now().UTC()
	put := func(f *cynllun.File, data string) {
		t.Helper()
		sum := sha256.Sum256([]byte(data))
		f.SHA256, f.Size, f.CreatedAt = hex.EncodeToString(sum[:]), int64(len(data)), now
		if f.ID == "" {
			f.ID = cynllun.UploadFileID(learner, f.SHA256)
		}
		// Over one chunk (255 KiB), so a file has several.
		big := strings.Repeat(data, 300_000/len(data)+1)
		f.Size = int64(len(big))
		if err := e.db.PutFile(ctx, f, []byte(big)); err != nil {
			t.Fatal(err)
		}
		markers = append(markers, f.ID)
	}
	upload := &cynllun.File{Name: "llun Siôn.png", ContentType: "image/png", LearnerID: learner}
	put(upload, "drawing by Siôn ")
	render := &cynllun.File{ID: cynllun.FileIDFor(strings.Repeat("ab", 32)), Name: "CDU Siôn.pdf", ContentType: "application/pdf", LearnerID: learner, PlanID: seed.PlanID, Version: 2}
	put(render, "%PDF-1.7 Siôn Llywelyn ")
	job := &cynllun.Job{ID: cynllun.RenderJobID(seed.PlanID, 2, cynllun.RenderCY, 1), Kind: cynllun.JobRenderPlan, Priority: cynllun.PriorityInteractive,
		Status: cynllun.JobSucceeded, LearnerID: learner, PlanID: seed.PlanID, Version: 2, Language: cynllun.RenderCY, FileID: render.ID,
		CreatedAt: now, CreatedBy: seed.ALNCoID, UpdatedAt: now}
	if err := e.db.CreateJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	markers = append(markers, job.ID)
	dls, err := e.db.OpenDeadlines(ctx, learner, "")
	if err != nil || len(dls) == 0 {
		t.Fatalf("sample deadlines: %d %v", len(dls), err)
	}
	markers = append(markers, dls[0].ID)
	n := &cynllun.Notice{ID: cynllun.NoticeID(dls[0].ID, -3, cynllun.ChannelEmail, "alnco@example.invalid"), DeadlineID: dls[0].ID, LearnerID: learner,
		OrgID: seed.SchoolID, RuleID: dls[0].RuleID, Due: cynllun.DateOf(now), Offset: -3, OffsetUnit: "DAYS", Kind: cynllun.NoticeUpcoming,
		Channel: cynllun.ChannelEmail, Recipient: "alnco@example.invalid", Status: cynllun.NoticeSent, CreatedAt: now, UpdatedAt: now}
	if _, err := e.db.InsertNotices(ctx, []*cynllun.Notice{n}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.InsertDelivery(ctx, &cynllun.Delivery{ID: n.ID + "/1", NoticeID: n.ID, Attempt: 1, At: now, OK: true}); err != nil {
		t.Fatal(err)
	}
	markers = append(markers, n.ID)
	inv := &cynllun.Invitation{ID: cynllun.NewID(cynllun.PrefixInvitation), LearnerID: learner, Kind: cynllun.RelAdvocateOf, Email: "eiriolwr@example.invalid",
		EmailKey: "eiriolwr@example.invalid", EndsAt: now.AddDate(0, 6, 0), ExpiresAt: now.AddDate(0, 0, 14), TokenHash: "hash-of-a-token",
		CreatedAt: now, CreatedBy: seed.ParentID}
	if err := e.db.CreateInvitation(ctx, inv); err != nil {
		t.Fatal(err)
	}
	markers = append(markers, inv.ID, "eiriolwr@example.invalid")
	claim := &cynllun.IdempotencyClaim{ID: cynllun.IdempotencyKeyID(seed.ALNCoID, "saveVersion", "key-1"), Mutation: "saveVersion",
		Fingerprint: "fp", ResultID: cynllun.VersionID(seed.PlanID, 2), At: now}
	if _, _, err := e.db.ClaimIdempotencyKey(ctx, claim); err != nil {
		t.Fatal(err)
	}
	markers = append(markers, claim.ID)
	created := &cynllun.IdempotencyClaim{ID: cynllun.IdempotencyKeyID(seed.ALNCoID, "createLearner", "key-2"), Mutation: "createLearner",
		Fingerprint: "fp2", ResultID: learner, Done: true, At: now}
	if _, _, err := e.db.ClaimIdempotencyKey(ctx, created); err != nil {
		t.Fatal(err)
	}
	markers = append(markers, created.ID)
	// A conclusion's claim still pending in the outbox holds the decision's
	// reasons and comment: the erasure removes it too.
	pending := &cynllun.OutboxEntry{ID: "obx_retention_claim", Kind: cynllun.OutboxConclusion, Ref: "rev_pending_claim",
		Token: "tok", PlanID: seed.PlanID, LearnerID: learner, Comment: "outbox-comment-marker",
		Decision:   &cynllun.Decision{Kind: cynllun.DecisionNoRevision, Reasons: "outbox-reasons-marker"},
		RecordedAt: now, LeasedUntil: now.Add(time.Hour)}
	if err := e.db.RecordOutbox(ctx, pending); err != nil {
		t.Fatal(err)
	}
	markers = append(markers, pending.ID, "outbox-comment-marker", "outbox-reasons-marker")
	if err := e.db.RecordAudit(ctx, []cynllun.AuditEvent{
		{ID: cynllun.NewID(cynllun.PrefixAudit), At: now.Add(-2 * time.Hour), ActorID: seed.ParentID, LearnerID: learner, PlanID: seed.PlanID, Version: 2, Action: "read"},
		{ID: cynllun.NewID(cynllun.PrefixAudit), At: now, ActorID: seed.ALNCoID, LearnerID: learner, PlanID: seed.PlanID, Version: 2, Action: "download"},
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{seed.CaseID} {
		evs, err := e.db.CasesByID(ctx, []string{f})
		if err != nil || len(evs) != 1 {
			t.Fatalf("sample case: %v", err)
		}
	}
	// The sample case's evidence files.
	evCase, _ := e.db.EvidenceForCase(ctx, seed.CaseID)
	for _, ev := range evCase {
		markers = append(markers, ev.ID, ev.FileID)
	}
	if len(evCase) == 0 {
		t.Fatal("the sample case has no evidence")
	}

	// Every marker is somewhere before the erasure.
	before := dump(t, e)
	for _, m := range markers {
		if !strings.Contains(before.all, m) {
			t.Fatalf("marker %q is nowhere before the erasure", m)
		}
	}

	ret := &worker.Retention{Store: e.db, Policy: cynllun.DefaultRetentionPolicy(), Now: e.clock.Now, Batch: 3}
	scan := func() worker.ScanResult {
		t.Helper()
		var total worker.ScanResult
		// Batches of 3 learners: scan until the cursor comes round.
		for range 30 {
			res, err := ret.Scan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			total.Erased += res.Erased
			total.Listed += res.Listed
			total.Read += res.Read
			if cur, _ := e.db.RetentionCursor(ctx); cur == "" {
				break
			}
		}
		return total
	}
	admin, officer, alnco, parent := e.token(seed.AdminID), e.token(seed.OfficerID), e.token(seed.ALNCoID), e.token(seed.ParentID)
	const listQ = `query { retentionReviews { id learnerId controllerId rule dueOn status approvedBy } }`
	listed := func(tok string) map[string]map[string]any {
		t.Helper()
		out := map[string]map[string]any{}
		for _, r := range e.must(tok, listQ, nil).Data["retentionReviews"].([]any) {
			m := r.(map[string]any)
			out[m["learnerId"].(string)] = m
		}
		return out
	}

	// The day before: not listed (the older sample learners are).
	e.clock.Advance(dob.AddYears(31).AddDays(-1).Time().Add(12 * time.Hour).Sub(e.clock.Now()))
	if res := scan(); res.Read < 3 {
		t.Fatalf("scan read %d learners, want the three sample learners", res.Read)
	}
	if _, ok := listed(admin)[learner]; ok {
		t.Fatal("listed a day before the learner's retention date")
	}
	// On the date: listed, for the administrator and Cardiff's officer; the
	// parent may not see the list.
	e.clock.Advance(24 * time.Hour)
	scan()
	got, ok := listed(admin)[learner]
	if !ok {
		t.Fatal("not listed on the retention date")
	}
	if got["controllerId"] != seed.SchoolID || got["rule"] != "dob+31y" || got["dueOn"] != dob.AddYears(31).String() || got["status"] != "LISTED" {
		t.Fatalf("review = %v", got)
	}
	if _, ok := listed(officer)[learner]; !ok {
		t.Fatal("the LA officer does not see the learner listed")
	}
	if r := e.do(parent, listQ, nil); r.code() != "FORBIDDEN" {
		t.Fatalf("a parent listing: %s", r.raw)
	}

	// Not approved: scanning again erases nothing.
	scan()
	if listedOnly := dump(t, e); true {
		for _, m := range markers {
			if !strings.Contains(listedOnly.all, m) {
				t.Fatalf("marker %q gone before approval", m)
			}
		}
	}
	if ls, _ := e.db.LearnersByID(ctx, []string{learner}); len(ls) != 1 {
		t.Fatal("erased before approval")
	}
	if err := ret.EraseApproved(ctx, learner); err != nil {
		t.Fatal(err)
	}
	if ls, _ := e.db.LearnersByID(ctx, []string{learner}); len(ls) != 1 {
		t.Fatal("EraseApproved erased a learner whose erasure was not approved")
	}

	// Approval: refused to the school's ALNCo and the LA's officer.
	const approveQ = `mutation($l: ID!) { approveErasure(input: {learnerId: $l}) { review { status approvedBy approvedAt } } }`
	for _, tok := range []string{alnco, officer, parent} {
		if r := e.do(tok, approveQ, map[string]any{"l": learner}); r.code() != "FORBIDDEN" {
			t.Fatalf("approval by a non-administrator: %s", r.raw)
		}
	}
	if got := listed(admin)[learner]; got["status"] != "LISTED" {
		t.Fatalf("after refused approvals: %v", got)
	}
	r := e.must(admin, approveQ, map[string]any{"l": learner})
	rv := r.Data["approveErasure"].(map[string]any)["review"].(map[string]any)
	if rv["status"] != "APPROVED" || rv["approvedBy"] != seed.AdminID || rv["approvedAt"] == nil {
		t.Fatalf("approval: %s", r.raw)
	}
	if r := e.do(admin, approveQ, map[string]any{"l": learner}); r.code() != "CONFLICT" {
		t.Fatalf("second approval: %s", r.raw)
	}

	// The erasure. Its resumption after a crash part-way is
	// worker.TestKilledErasure's (a worker process killed again and
	// again). It is not exercised here by cutting calls short with
	// deadlines: on the embedded store a deadline that reaches FerretDB as
	// maxTimeMS interrupts an SQLite statement, and under load that
	// interruption can leave the store failing later statements
	// ("interrupted", "database is locked") until the process restarts.
	if err := ret.EraseApproved(ctx, learner); err != nil {
		t.Fatalf("erasure: %v", err)
	}

	// Nothing of the learner is left in any collection but its review and
	// the audit tombstone (and the tombstone's audit index entries).
	tomb := cynllun.ErasureTombstoneID(learner)
	after := dump(t, e)
	for coll, docs := range after.docs {
		for _, d := range docs {
			id := d.id
			allowed := (coll == "retention" && id == cynllun.RetentionReviewID(learner)) ||
				(coll == "audit" && id == tomb) ||
				(coll == "lookups" && strings.HasPrefix(id, "audit") && strings.Contains(id, "OfLearner/"+learner))
			for _, m := range markers {
				if strings.Contains(d.text, m) && !(allowed && m == learner) {
					t.Errorf("%s %s still holds %q: %.300s", coll, id, m, d.text)
				}
			}
		}
	}
	for _, coll := range []string{"files.files", "files.chunks"} {
		for _, d := range after.docs[coll] {
			for _, f := range []string{upload.ID, render.ID} {
				if strings.HasPrefix(d.id, f) {
					t.Errorf("%s %s left", coll, d.id)
				}
			}
		}
	}
	// The tombstone: ids, the approver, the rule; no name.
	evs, err := e.db.ListAudit(ctx, cynllun.AuditQuery{LearnerID: learner, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].ID != tomb || evs[0].Action != cynllun.AuditErased || evs[0].ActorID != seed.AdminID || !strings.Contains(evs[0].Reason, "dob+31y") {
		t.Fatalf("audit after erasure = %+v", evs)
	}
	rr := e.must(admin, `query($l: ID!) { retentionReview(learnerId: $l) { status erasedAt approvedBy } }`, map[string]any{"l": learner})
	if got := rr.Data["retentionReview"].(map[string]any); got["status"] != "ERASED" || got["erasedAt"] == nil {
		t.Fatalf("review after erasure: %s", rr.raw)
	}
	if _, ok := listed(admin)[learner]; ok {
		t.Fatal("an erased learner is still listed")
	}
	// The other sample learners are untouched.
	if ls, _ := e.db.LearnersByID(ctx, []string{seed.Learner2ID, seed.Learner3ID}); len(ls) != 2 {
		t.Fatalf("other learners: %d left", len(ls))
	}

	// A second run (the scan, the task, the store) changes nothing.
	scan()
	if err := ret.EraseApproved(ctx, learner); err != nil {
		t.Fatal(err)
	}
	counts, err := e.db.EraseLearner(ctx, learner, tomb)
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range counts {
		if n != 0 {
			t.Errorf("second erasure removed %d %s", n, k)
		}
	}
	again := dump(t, e)
	if again.all != after.all {
		t.Error("a second run changed the database")
	}
}

type dumpedDoc struct{ id, text string }

type dumped struct {
	docs  map[string][]dumpedDoc
	all   string
	count int
}

// dump reads every document of every collection as extended JSON (a test
// may read whole collections).
func dump(t *testing.T, e *env) dumped {
	t.Helper()
	ctx := context.Background()
	names, err := e.db.Database().ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	out := dumped{docs: map[string][]dumpedDoc{}}
	var all strings.Builder
	for _, name := range names {
		cur, err := e.db.Database().Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			text := d.String()
			id := ""
			if v, err := d.LookupErr("_id"); err == nil {
				id, _ = v.StringValueOK()
			}
			out.docs[name] = append(out.docs[name], dumpedDoc{id: id, text: text})
			all.WriteString(name + " " + text + "\n")
			out.count++
		}
	}
	out.all = all.String()
	return out
}

// TestRetentionErasureByWorker: the approval queues the erasure, and the
// worker (with the program's handlers) carries it out.
func TestRetentionErasureByWorker(t *testing.T) {
	e := newEnvOn(t, redistest.StartOwn(t))
	ctx := context.Background()
	if err := seed.Sample(ctx, e.db, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	learner := seed.Learner3ID // the eldest: past dob+31y first
	ls, _ := e.db.LearnersByID(ctx, []string{learner})
	e.clock.Advance(ls[0].DateOfBirth.AddYears(31).Time().Add(12 * time.Hour).Sub(e.clock.Now()))
	ret := &worker.Retention{Store: e.db, Policy: cynllun.DefaultRetentionPolicy(), Now: e.clock.Now}
	if res, err := ret.Scan(ctx); err != nil || res.Listed == 0 {
		t.Fatalf("scan: %+v %v", res, err)
	}
	w := worker.New(e.rdb, worker.Config{Concurrency: 2, RetryBase: 50 * time.Millisecond, ReconcileEvery: -1, NoticeScanEvery: -1, ShutdownTimeout: 5 * time.Second})
	w.Handle(worker.TypeEraseLearner, ret)
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(wctx) }()
	t.Cleanup(func() { cancel(); <-done })

	e.must(e.token(seed.AdminID), `mutation($l: ID!) { approveErasure(input: {learnerId: $l}) { review { status } } }`, map[string]any{"l": learner})
	deadline := time.Now().Add(20 * time.Second)
	for {
		rs, err := e.db.RetentionReviewsByID(ctx, []string{cynllun.RetentionReviewID(learner)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 1 && rs[0].Status == cynllun.RetentionErased {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not erased by the worker: %+v", rs[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ls, _ := e.db.LearnersByID(ctx, []string{learner}); len(ls) != 0 {
		t.Fatal("the learner is still there")
	}
	evs, err := e.db.ListAudit(ctx, cynllun.AuditQuery{LearnerID: learner, Limit: 10})
	if err != nil || len(evs) != 1 || evs[0].Action != cynllun.AuditErased {
		t.Fatalf("audit after erasure: %+v %v", evs, err)
	}
}
