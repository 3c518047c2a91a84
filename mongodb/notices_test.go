package mongodb

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cynllun/cynllun"
)

// The notice tests are not parallel: PendingNotices reads the whole
// notices collection, which they alone write.

func newNotice(deadlineID, orgID string, offset int, recipient string, at time.Time) *cynllun.Notice {
	return &cynllun.Notice{
		ID: cynllun.NoticeID(deadlineID, offset, cynllun.ChannelEmail, recipient), DeadlineID: deadlineID, LearnerID: "lrn_n", OrgID: orgID,
		RuleID: "T1", Due: cynllun.MustDate("2026-04-28"), Offset: offset, OffsetUnit: "DAYS", Kind: cynllun.NoticeUpcoming,
		Channel: cynllun.ChannelEmail, Recipient: recipient, Status: cynllun.NoticePending, CreatedAt: at, UpdatedAt: at,
	}
}

func noticeIDs[T any](xs []T, id func(T) string, ours ...string) []string {
	var out []string
	for _, x := range xs {
		if len(ours) == 0 || slices.Contains(ours, id(x)) {
			out = append(out, id(x))
		}
	}
	return out
}

func idOfNotice(n *cynllun.Notice) string { return n.ID }

func TestNotices(t *testing.T) {
	ctx := t.Context()
	deadline, other := cynllun.NewID(cynllun.PrefixDeadline), cynllun.NewID(cynllun.PrefixDeadline)
	org := cynllun.NewID(cynllun.PrefixOrganisation)
	n1 := newNotice(deadline, org, -10, "usr_1", t0.Add(1*time.Minute))
	n2 := newNotice(deadline, org, -10, "usr_2", t0.Add(2*time.Minute))
	n3 := newNotice(deadline, org, -5, "usr_1", t0.Add(3*time.Minute))
	n4 := newNotice(deadline, org, 0, "usr_1", t0.Add(4*time.Minute))
	n5 := newNotice(other, org, 0, "usr_1", t0.Add(5*time.Minute))
	ids, err := testDB.InsertNotices(ctx, []*cynllun.Notice{n3, n1, n2, n5})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{n3.ID, n1.ID, n2.ID, n5.ID}, ids); diff != "" {
		t.Errorf("inserted (-want +got):\n%s", diff)
	}
	// Raised again: only the new one (once) goes in; the stored ones are
	// left as they are.
	again := *n1
	again.CreatedAt, again.UpdatedAt = t0.Add(time.Hour), t0.Add(time.Hour)
	ids, err = testDB.InsertNotices(ctx, []*cynllun.Notice{&again, n4, n4})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{n4.ID}, ids); diff != "" {
		t.Errorf("inserted again (-want +got):\n%s", diff)
	}

	var ns []*cynllun.Notice
	cmds := commands(t, func(ctx context.Context) { ns, err = testDB.NoticesForDeadline(ctx, deadline) })
	if err != nil {
		t.Fatal(err)
	}
	// A window of notice lists, then the notices.
	wantFlat(t, cmds, noticeListWindow+4, 2)
	if diff := cmp.Diff([]string{n1.ID, n2.ID, n3.ID, n4.ID}, noticeIDs(ns, idOfNotice)); diff != "" {
		t.Errorf("NoticesForDeadline (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(n1, ns[0]); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	pending := func(before time.Time, n int) []string {
		t.Helper()
		ns, err := testDB.PendingNotices(ctx, before, n)
		if err != nil {
			t.Fatal(err)
		}
		return noticeIDs(ns, idOfNotice, n1.ID, n2.ID, n3.ID, n4.ID, n5.ID)
	}
	if diff := cmp.Diff([]string{n1.ID, n2.ID, n3.ID}, pending(t0.Add(4*time.Minute), 100)); diff != "" {
		t.Errorf("pending before n4 (-want +got):\n%s", diff)
	}
	// n2 is sent; n3 was being sent when its worker stopped (SENDING, an
	// attempt of unknown outcome): pending still, for the scanner.
	sent := *n2
	sent.Status, sent.Attempts, sent.UpdatedAt, sent.SentAt = cynllun.NoticeSent, 1, t0.Add(10*time.Minute), t0.Add(10*time.Minute)
	retry := *n3
	retry.Status, retry.Attempts, retry.UpdatedAt, retry.AttemptedAt = cynllun.NoticeSending, 1, t0.Add(2*time.Hour), t0.Add(2*time.Hour)
	for _, n := range []*cynllun.Notice{&sent, &retry} {
		if err := testDB.UpdateNotice(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := testDB.UpdateNotice(ctx, newNotice(deadline, org, 99, "usr_9", t0)); cynllun.ErrorCode(err) != cynllun.CodeNotFound {
		t.Errorf("UpdateNotice of a missing notice = %v", err)
	}
	if diff := cmp.Diff([]string{n1.ID, n4.ID, n5.ID, n3.ID}, pending(t0.Add(3*time.Hour), 100)); diff != "" {
		t.Errorf("pending after updates (-want +got):\n%s", diff)
	}
	if got, err := testDB.NoticesByID(ctx, []string{n3.ID}); err != nil || len(got) != 1 || cmp.Diff(&retry, got[0]) != "" {
		t.Errorf("SENDING round trip: %v (-want +got):\n%s", err, cmp.Diff([]*cynllun.Notice{&retry}, got))
	}
	// Raised at a later offset: a second list for the deadline.
	n6 := newNotice(deadline, org, 5, "usr_1", t0.Add(6*time.Minute))
	if ids, err := testDB.InsertNotices(ctx, []*cynllun.Notice{n6, n1}); err != nil || len(ids) != 1 {
		t.Fatalf("InsertNotices(n6, n1) = %v, %v", ids, err)
	}
	// And four more, one list each: the lists run past the first window.
	wantIDs := []string{n1.ID, n2.ID, n3.ID, n4.ID, n6.ID}
	for i := range 4 {
		n := newNotice(deadline, org, 6+i, "usr_1", t0.Add(time.Duration(7+i)*time.Minute))
		if ids, err := testDB.InsertNotices(ctx, []*cynllun.Notice{n}); err != nil || len(ids) != 1 {
			t.Fatalf("InsertNotices = %v, %v", ids, err)
		}
		wantIDs = append(wantIDs, n.ID)
	}
	cmds = commands(t, func(ctx context.Context) { ns, err = testDB.NoticesForDeadline(ctx, deadline) })
	if err != nil {
		t.Fatal(err)
	}
	wantFlat(t, cmds, 3*noticeListWindow+len(wantIDs), 3)
	if diff := cmp.Diff(wantIDs, noticeIDs(ns, idOfNotice)); diff != "" {
		t.Errorf("NoticesForDeadline after a second raise (-want +got):\n%s", diff)
	}

	// Deliveries.
	var dls []*cynllun.Delivery
	for i, n := range []*cynllun.Notice{n1, n3, n1} {
		d := &cynllun.Delivery{ID: cynllun.NewID("dlv_"), NoticeID: n.ID, Attempt: i + 1, At: t0.Add(time.Duration(10-i) * time.Minute), OK: i == 2, HTTPStatus: 200}
		if err := testDB.InsertDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		dls = append(dls, d)
	}
	if err := testDB.InsertDelivery(ctx, dls[0]); cynllun.ErrorCode(err) != cynllun.CodeConflict {
		t.Errorf("duplicate delivery = %v", err)
	}
	var got []cynllun.Delivery
	cmds = commands(t, func(ctx context.Context) {
		got, err = testDB.DeliveriesForNotices(ctx, []string{n1.ID, n3.ID, n2.ID, n1.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	wantFlat(t, cmds, 3+3, 2)
	want := []cynllun.Delivery{*dls[2], *dls[1], *dls[0]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DeliveriesForNotices (-want +got):\n%s", diff)
	}
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	org, org2 := cynllun.NewID(cynllun.PrefixOrganisation), cynllun.NewID(cynllun.PrefixOrganisation)
	mk := func(org string, at time.Time) *cynllun.WebhookEndpoint {
		return &cynllun.WebhookEndpoint{ID: cynllun.NewID(cynllun.PrefixWebhook), OrgID: org, URL: "https://example.cymru/hook", Secrets: []string{"s1"}, CreatedAt: at, CreatedBy: "usr_a"}
	}
	e1, e2, e3 := mk(org, t0.Add(time.Minute)), mk(org, t0), mk(org2, t0.Add(2*time.Minute))
	for _, e := range []*cynllun.WebhookEndpoint{e1, e2, e3} {
		if err := testDB.CreateEndpoint(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := testDB.CreateEndpoint(ctx, e1); cynllun.ErrorCode(err) != cynllun.CodeConflict {
		t.Errorf("duplicate CreateEndpoint = %v", err)
	}
	e1.DisabledAt, e1.DisabledReason, e1.Failures = t0.Add(time.Hour), "gone", 3
	if err := testDB.UpdateEndpoint(ctx, e1); err != nil {
		t.Fatal(err)
	}
	if err := testDB.UpdateEndpoint(ctx, mk(org, t0)); cynllun.ErrorCode(err) != cynllun.CodeNotFound {
		t.Errorf("UpdateEndpoint of a missing endpoint = %v", err)
	}
	var got []*cynllun.WebhookEndpoint
	var err error
	cmds := commands(t, func(ctx context.Context) { got, err = testDB.EndpointsForOrgs(ctx, []string{org, org2, "org_none"}) })
	if err != nil {
		t.Fatal(err)
	}
	wantFlat(t, cmds, 3+3, 2)
	if diff := cmp.Diff([]*cynllun.WebhookEndpoint{e2, e1, e3}, got); diff != "" {
		t.Errorf("EndpointsForOrgs (-want +got):\n%s", diff)
	}
}

// TestNoticesBackfill: notices, deliveries and endpoints stored before
// their lookups existed are found once the backfills have run.
func TestNoticesBackfill(t *testing.T) {
	ctx := t.Context()
	deadline, org := cynllun.NewID(cynllun.PrefixDeadline), cynllun.NewID(cynllun.PrefixOrganisation)
	later := t0.Add(24 * time.Hour)
	pend := newNotice(deadline, org, -1, "usr_1", later)
	done := newNotice(deadline, org, -1, "usr_2", later.Add(time.Minute))
	done.Status = cynllun.NoticeSent
	dl := &deliveryDoc{ID: cynllun.NewID("dlv_"), NoticeID: done.ID, Attempt: 1, At: later, OK: true}
	ep := &cynllun.WebhookEndpoint{ID: cynllun.NewID(cynllun.PrefixWebhook), OrgID: org, URL: "https://example.cymru/b", CreatedAt: later}
	for _, r := range []struct {
		coll string
		doc  any
	}{{collNotices, toNoticeDoc(pend)}, {collNotices, toNoticeDoc(done)}, {collDeliveries, dl}, {collEndpoints, toEndpointDoc(ep)}} {
		if _, err := testDB.coll(r.coll).InsertOne(ctx, r.doc); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"notices", "deliveries", "endpoints"} {
		runBackfill(t, name)
	}
	ns, err := testDB.NoticesForDeadline(ctx, deadline)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{pend.ID, done.ID}, noticeIDs(ns, idOfNotice)); diff != "" {
		t.Errorf("NoticesForDeadline (-want +got):\n%s", diff)
	}
	ns, err = testDB.PendingNotices(ctx, later.Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{pend.ID}, noticeIDs(ns, idOfNotice, pend.ID, done.ID)); diff != "" {
		t.Errorf("PendingNotices (-want +got):\n%s", diff)
	}
	ds, err := testDB.DeliveriesForNotices(ctx, []string{done.ID})
	if err != nil || len(ds) != 1 || ds[0].ID != dl.ID {
		t.Errorf("DeliveriesForNotices = %v, %v", ds, err)
	}
	eps, err := testDB.EndpointsForOrgs(ctx, []string{org})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*cynllun.WebhookEndpoint{ep}, eps, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("EndpointsForOrgs (-want +got):\n%s", diff)
	}
}
