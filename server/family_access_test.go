package server_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cynllun/cynllun/internal/redistest"
	"github.com/cynllun/cynllun/internal/smtptest"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/service"
)

const accessList = `query($id: ID!) { learner(id: $id) { access { id kind userId caseId createdAt endsAt grantedBy consentBy active
	person { displayName } consentByPerson { displayName } viewerCanRevoke } } }`

// accessRows returns the learner's access rows by holder.
func accessRows(t *testing.T, r response) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	rows, _ := r.get("learner", "access").([]any)
	for _, row := range rows {
		m := row.(map[string]any)
		out[m["userId"].(string)] = m
	}
	return out
}

// TestFamilyAccessList: a parent lists the relationships on their child's
// record (with ids and names as the person rules allow) and withdraws the
// advocate consent they gave; the advocate then gets NOT_FOUND. The young
// person does the same on their own record, with a consent end given as a
// date.
func TestFamilyAccessList(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	parent := e.token(f.parent)

	r := e.must(parent, accessList, map[string]any{"id": f.l1})
	rows := accessRows(t, r)
	adv := rows[f.advocate]
	if adv == nil || rows[f.parent] == nil || adv["kind"] != "ADVOCATE_FOR" || adv["viewerCanRevoke"] != true || adv["consentBy"] != f.parent || adv["endsAt"] == nil {
		t.Fatalf("parent's list: %s", r.raw)
	}
	if p, _ := adv["person"].(map[string]any); p == nil || p["displayName"] != "User "+f.advocate {
		t.Fatalf("advocate not named to the parent: %s", r.raw)
	}
	// Staff see the same list.
	staff := accessRows(t, e.must(e.token(f.alnco), accessList, map[string]any{"id": f.l1}))
	for id := range rows {
		if staff[id] == nil {
			t.Errorf("staff list lacks %s", id)
		}
	}
	// The parent withdraws the consent: the advocate reads nothing.
	e.must(e.token(f.advocate), `query($id: ID!) { learner(id: $id) { id } }`, map[string]any{"id": f.l1})
	e.must(parent, `mutation($in: RevokeAccessInput!) { revokeAccess(input: $in) { relationship { id endedAt } } }`,
		map[string]any{"in": map[string]any{"id": adv["id"]}})
	if got := e.do(e.token(f.advocate), `query($id: ID!) { learner(id: $id) { id } }`, map[string]any{"id": f.l1}); got.code() != "NOT_FOUND" {
		t.Fatalf("advocate after withdrawal: %s", got.raw)
	}
	if got := accessRows(t, e.must(parent, accessList, map[string]any{"id": f.l1}))[f.advocate]; got == nil || got["active"] != false {
		t.Fatalf("withdrawn consent not listed as ended: %v", got)
	}

	// The young person consents to an advocate until a date (the end of
	// that day in Europe/London), lists it and withdraws it.
	yp := e.token(f.youngPerson)
	g := e.must(yp, `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id endsAt } } }`, map[string]any{"in": map[string]any{
		"userId": f.stranger, "kind": "ADVOCATE_FOR", "learnerId": f.l3, "endsAt": "2027-03-31",
	}})
	if got := g.str("grantAccess", "relationship", "endsAt"); got != "2027-03-31T23:00:00.000Z" {
		t.Fatalf("endsAt from a date in BST = %s, want the midnight after 31 March in London", got)
	}
	list := accessRows(t, e.must(yp, accessList, map[string]any{"id": f.l3}))
	if a := list[f.stranger]; a == nil || a["viewerCanRevoke"] != true {
		t.Fatalf("young person's list: %v", list)
	}
	e.must(e.token(f.stranger), `query($id: ID!) { learner(id: $id) { id } }`, map[string]any{"id": f.l3})
	e.must(yp, `mutation($in: RevokeAccessInput!) { revokeAccess(input: $in) { relationship { id } } }`,
		map[string]any{"in": map[string]any{"id": list[f.stranger]["id"]}})
	if got := e.do(e.token(f.stranger), `query($id: ID!) { learner(id: $id) { id } }`, map[string]any{"id": f.l3}); got.code() != "NOT_FOUND" {
		t.Fatalf("young person's advocate after withdrawal: %s", got.raw)
	}
	// A date that is not one is refused.
	if got := e.do(yp, `mutation($in: GrantAccessInput!) { grantAccess(input: $in) { relationship { id } } }`, map[string]any{"in": map[string]any{
		"userId": f.stranger, "kind": "ADVOCATE_FOR", "learnerId": f.l3, "endsAt": "2027-02-30",
	}}); got.code() == "OK" {
		t.Fatalf("30 February accepted: %s", got.raw)
	}
}

// inviteEnv is an environment whose service emails invitations to a test
// SMTP server.
func inviteEnv(t *testing.T) (*env, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t)
	m, err := notify.NewMailer(notify.MailConfig{Host: srv.Host, Port: srv.Port, From: "cynllun@example.invalid", TLS: "none", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return newEnvWith(t, redistest.Start(t), service.WithInvitations(m, 0, "https://app.example/invitations/accept?token={token}")), srv
}

const (
	inviteMutation = `mutation($in: InviteAdvocateInput!) { inviteAdvocate(input: $in) { invitation { id status email endsAt expiresAt viewerCanCancel } } }`
	acceptMutation = `mutation($in: AcceptInvitationInput!) { acceptInvitation(input: $in) { relationship { id kind learnerId userId consentBy endsAt } } }`
)

var tokenInLink = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// lastToken is the token in the last invitation email to address.
func lastToken(t *testing.T, srv *smtptest.Server, address string) (string, string) {
	t.Helper()
	var msg string
	for _, m := range srv.Messages() {
		if len(m.To) == 1 && m.To[0] == address {
			msg = string(m.Data)
		}
	}
	if msg == "" {
		t.Fatalf("no email to %s", address)
	}
	// Undo quoted-printable's soft line breaks and escapes.
	msg = strings.NewReplacer("=\r\n", "", "=\n", "", "=3D", "=").Replace(msg)
	tok := tokenInLink.FindStringSubmatch(msg)
	if tok == nil {
		t.Fatalf("no token in the email: %s", msg)
	}
	return tok[1], msg
}

// TestInviteAdvocate: a parent invites an advocate by email; the advocate,
// who has no account, signs in, accepts (the account is created) and reads
// the learner. The token works once.
func TestInviteAdvocate(t *testing.T) {
	e, srv := inviteEnv(t)
	f := e.fixture()
	parent := e.token(f.parent)
	const address = "new.advocate@example.org"
	r := e.must(parent, inviteMutation, map[string]any{"in": map[string]any{"learnerId": f.l1, "email": address, "endsAt": "2027-01-31"}})
	if r.str("inviteAdvocate", "invitation", "status") != "PENDING" || r.str("inviteAdvocate", "invitation", "endsAt") != "2027-02-01T00:00:00.000Z" ||
		r.str("inviteAdvocate", "invitation", "expiresAt") != e.clock.Now().Add(14*24*time.Hour).UTC().Format("2006-01-02T15:04:05.000Z") {
		t.Fatalf("invitation: %s", r.raw)
	}
	tok, msg := lastToken(t, srv, address)
	subject := regexp.MustCompile(`(?m)^Subject: .*$`).FindString(msg)
	if subject == "" || strings.Contains(msg, "Siôn") || strings.Contains(msg, "Si=C3=B4n") || strings.Contains(msg, f.l1) {
		t.Fatalf("the email says too much or has no subject: %s", msg)
	}

	// The invitee has no account: their token is refused for anything
	// but accepting.
	newbie := e.token("idp|new-advocate")
	if got := e.do(newbie, `query($id: ID!) { learner(id: $id) { id } }`, map[string]any{"id": f.l1}); got.Status != http.StatusUnauthorized {
		t.Fatalf("a newcomer's query: %d %s", got.Status, got.raw)
	}
	if got := e.do(newbie, acceptMutation+` query Q { me { id } }`, map[string]any{"in": map[string]any{"token": tok, "name": "Ann Eiriol"}}); got.Status != http.StatusUnauthorized {
		t.Fatalf("a newcomer's accept with another operation: %d %s", got.Status, got.raw)
	}
	a := e.must(newbie, acceptMutation, map[string]any{"in": map[string]any{"token": tok, "name": "Ann Eiriol"}})
	if a.str("acceptInvitation", "relationship", "kind") != "ADVOCATE_FOR" || a.str("acceptInvitation", "relationship", "consentBy") != f.parent ||
		a.str("acceptInvitation", "relationship", "userId") != "idp|new-advocate" || a.str("acceptInvitation", "relationship", "endsAt") != "2027-02-01T00:00:00.000Z" {
		t.Fatalf("accepted: %s", a.raw)
	}
	if got := e.must(newbie, `query($id: ID!) { learner(id: $id) { givenName } me { email name } }`, map[string]any{"id": f.l1}); got.str("learner", "givenName") != "Siôn" ||
		got.str("me", "email") != address || got.str("me", "name") != "Ann Eiriol" {
		t.Fatalf("the new advocate's read: %s", got.raw)
	}
	// The parent sees the new advocate and the invitation accepted.
	rows := accessRows(t, e.must(parent, accessList, map[string]any{"id": f.l1}))
	if rows["idp|new-advocate"] == nil || rows["idp|new-advocate"]["viewerCanRevoke"] != true {
		t.Fatalf("parent's list after acceptance: %v", rows)
	}
	sent := e.must(parent, `{ invitationsSent { id status relationshipId viewerCanCancel } }`, nil)
	if sent.str("invitationsSent", 0, "status") != "ACCEPTED" || sent.get("invitationsSent", 0, "viewerCanCancel") != false {
		t.Fatalf("invitations sent: %s", sent.raw)
	}
	// Used once: a second acceptance is refused and changes nothing.
	again := e.do(e.token(f.stranger), acceptMutation, map[string]any{"in": map[string]any{"token": tok}})
	if again.code() != "INVALID" || !strings.Contains(string(again.raw), "input.token") {
		t.Fatalf("a used token: %s", again.raw)
	}
	if n := len(accessRows(t, e.must(parent, accessList, map[string]any{"id": f.l1}))); n != len(rows) {
		t.Fatalf("a used token changed the list: %d rows, want %d", n, len(rows))
	}
	// The audit trail records the invitation and its acceptance.
	audit := e.must(e.token(f.alnco), `query($id: ID!) { auditEvents(learnerId: $id) { edges { node { part action actorId invitationId } } } }`, map[string]any{"id": f.l1})
	invID := r.str("inviteAdvocate", "invitation", "id")
	if !strings.Contains(string(audit.raw), `"action":"invited","actorId":"`+f.parent+`","invitationId":"`+invID+`"`) ||
		!strings.Contains(string(audit.raw), `"action":"accepted-invitation","actorId":"idp|new-advocate","invitationId":"`+invID+`"`) || strings.Contains(string(audit.raw), address) {
		t.Fatalf("audit: %s", audit.raw)
	}
}

// TestInvitationRefused: an expired or cancelled invitation is refused and
// changes nothing; nobody invites themself; only the family invites; an
// existing account accepts only an invitation sent to its address.
func TestInvitationRefused(t *testing.T) {
	e, srv := inviteEnv(t)
	f := e.fixture()
	parent := e.token(f.parent)
	stranger := e.token(f.stranger)
	strangerEmail := f.stranger + "@example.invalid"
	invite := func(email string) response {
		return e.do(parent, inviteMutation, map[string]any{"in": map[string]any{"learnerId": f.l1, "email": email, "endsAt": "2027-01-31T12:00:00Z"}})
	}
	reads := func() string {
		return e.do(stranger, `query($id: ID!) { learner(id: $id) { id } }`, map[string]any{"id": f.l1}).code()
	}

	// Cancelled by the inviter.
	r := invite(strangerEmail)
	if r.code() != "OK" {
		t.Fatalf("invite: %s", r.raw)
	}
	tok, _ := lastToken(t, srv, strangerEmail)
	if got := e.must(stranger, `{ invitationsForMe { id status } }`, nil); got.str("invitationsForMe", 0, "id") != r.str("inviteAdvocate", "invitation", "id") {
		t.Fatalf("pending for me: %s", got.raw)
	}
	c := e.must(parent, `mutation($in: CancelInvitationInput!) { cancelInvitation(input: $in) { invitation { status } } }`,
		map[string]any{"in": map[string]any{"id": r.str("inviteAdvocate", "invitation", "id")}})
	if c.str("cancelInvitation", "invitation", "status") != "CANCELLED" {
		t.Fatalf("cancel: %s", c.raw)
	}
	if got := e.do(stranger, acceptMutation, map[string]any{"in": map[string]any{"token": tok}}); got.code() != "INVALID" || reads() != "NOT_FOUND" {
		t.Fatalf("a cancelled invitation: %s", got.raw)
	}

	// Expired.
	if r := invite(strangerEmail); r.code() != "OK" {
		t.Fatalf("invite: %s", r.raw)
	}
	tok, _ = lastToken(t, srv, strangerEmail)
	e.clock.Advance(14*24*time.Hour + time.Minute)
	if got := e.do(stranger, acceptMutation, map[string]any{"in": map[string]any{"token": tok}}); got.code() != "INVALID" || reads() != "NOT_FOUND" {
		t.Fatalf("an expired invitation: %s", got.raw)
	}

	// Sent to another address: an existing account does not take it.
	if r := invite("someone.else@example.org"); r.code() != "OK" {
		t.Fatalf("invite: %s", r.raw)
	}
	tok, _ = lastToken(t, srv, "someone.else@example.org")
	if got := e.do(stranger, acceptMutation, map[string]any{"in": map[string]any{"token": tok}}); got.code() != "INVALID" || reads() != "NOT_FOUND" {
		t.Fatalf("another address's invitation: %s", got.raw)
	}
	// Nor does the inviter.
	if got := e.do(parent, acceptMutation, map[string]any{"in": map[string]any{"token": tok}}); got.code() != "INVALID" {
		t.Fatalf("the inviter accepting: %s", got.raw)
	}
	// The refusals changed nothing: the invitee still accepts it.
	if got := e.do(e.token("idp|someone-else"), acceptMutation, map[string]any{"in": map[string]any{"token": tok, "name": "Someone Else"}}); got.code() != "OK" {
		t.Fatalf("the invitee after refusals: %s", got.raw)
	}

	// Nobody invites themself (any case of their address).
	before := len(srv.Messages())
	if got := invite(strings.ToUpper(f.parent) + "@EXAMPLE.INVALID"); got.code() != "FORBIDDEN" {
		t.Fatalf("self-invitation: %s", got.raw)
	}
	// Staff and advocates do not invite advocates.
	for _, who := range []string{f.alnco, f.advocate} {
		got := e.do(e.token(who), inviteMutation, map[string]any{"in": map[string]any{"learnerId": f.l1, "email": "x@example.org", "endsAt": "2027-01-31"}})
		if got.code() != "FORBIDDEN" {
			t.Fatalf("%s invites: %s", who, got.raw)
		}
	}
	if n := len(srv.Messages()); n != before {
		t.Fatalf("refused invitations sent %d emails", n-before)
	}
	// An end in the past or over two years ahead is refused.
	for _, end := range []string{"2020-01-01", "2030-01-01"} {
		got := e.do(parent, inviteMutation, map[string]any{"in": map[string]any{"learnerId": f.l1, "email": "x@example.org", "endsAt": end}})
		if got.code() != "INVALID" || !strings.Contains(string(got.raw), "input.endsAt") {
			t.Fatalf("endsAt %s: %s", end, got.raw)
		}
	}
	// Another user may not cancel a parent's invitation (NOT_FOUND).
	r = invite("third@example.org")
	if got := e.do(stranger, `mutation($in: CancelInvitationInput!) { cancelInvitation(input: $in) { invitation { status } } }`,
		map[string]any{"in": map[string]any{"id": r.str("inviteAdvocate", "invitation", "id")}}); got.code() != "NOT_FOUND" {
		t.Fatalf("a stranger cancels: %s", got.raw)
	}
	// The inviter stops being a parent (staff end the relationship): their
	// invitation no longer gives consent and is refused.
	tok, _ = lastToken(t, srv, "third@example.org")
	parentRel := accessRows(t, e.must(e.token(f.alnco), accessList, map[string]any{"id": f.l1}))[f.parent]["id"]
	e.must(e.token(f.alnco), `mutation($in: RevokeAccessInput!) { revokeAccess(input: $in) { relationship { id } } }`, map[string]any{"in": map[string]any{"id": parentRel}})
	if got := e.do(e.token("idp|third"), acceptMutation, map[string]any{"in": map[string]any{"token": tok, "name": "Third"}}); got.code() != "INVALID" {
		t.Fatalf("an invitation whose consent no longer stands: %s", got.raw)
	}
}

// TestAdvocateRequestsReview: an advocate asking for a review is recorded
// as ADVOCATE, not as a parent; staff may record an advocate's request.
func TestAdvocateRequestsReview(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	adv := e.token(f.advocate)
	q := `mutation($in: RequestReviewInput!) { requestReview(input: $in) { review { id request { by } } } }`
	r := e.must(adv, q, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "The provision is not being delivered"}})
	if got := r.str("requestReview", "review", "request", "by"); got != "ADVOCATE" {
		t.Fatalf("advocate's request recorded as %q: %s", got, r.raw)
	}
	if got := e.do(adv, q, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Again", "requestedBy": "PARENT"}}); got.code() != "INVALID" {
		t.Fatalf("an advocate's request as a parent: %s", got.raw)
	}
	s := e.must(e.token(f.alnco), q, map[string]any{"in": map[string]any{"planId": f.plan1, "reason": "Asked by phone", "requestedBy": "ADVOCATE", "requestedByName": "Ann Eiriol"}})
	if got := s.str("requestReview", "review", "request", "by"); got != "ADVOCATE" {
		t.Fatalf("staff recording an advocate's request: %s", s.raw)
	}
}

// TestAcceptInvitationRetried: accepting again as the same invitee is a
// retry: it returns the relationship the first acceptance made, and if a
// failure came between using the invitation and making the relationship
// (simulated by removing it), the retry makes it. Another person's use of
// the same token is still refused, and a withdrawn consent is not revived.
func TestAcceptInvitationRetried(t *testing.T) {
	e, srv := inviteEnv(t)
	f := e.fixture()
	parent := e.token(f.parent)
	const address = "retry.advocate@example.org"
	e.must(parent, inviteMutation, map[string]any{"in": map[string]any{"learnerId": f.l1, "email": address, "endsAt": "2027-01-31"}})
	tok, _ := lastToken(t, srv, address)
	adv := e.token("idp|retrying")
	in := map[string]any{"in": map[string]any{"token": tok, "name": "Rhys"}}
	first := e.must(adv, acceptMutation, in)
	relID := first.str("acceptInvitation", "relationship", "id")
	if again := e.must(adv, acceptMutation, in); again.str("acceptInvitation", "relationship", "id") != relID {
		t.Fatalf("a retry made another relationship: %s", again.raw)
	}
	rels := e.db.Database().Collection("relationships")
	if n, err := rels.CountDocuments(context.Background(), map[string]any{"_id": relID}); err != nil || n != 1 {
		t.Fatalf("relationship %s: %d %v", relID, n, err)
	}
	// The failure: the invitation is used but its relationship was never
	// written.
	if _, err := rels.DeleteOne(context.Background(), map[string]any{"_id": relID}); err != nil {
		t.Fatal(err)
	}
	if got := e.must(adv, acceptMutation, in); got.str("acceptInvitation", "relationship", "id") != relID {
		t.Fatalf("the retry after a failure: %s", got.raw)
	}
	if n, _ := rels.CountDocuments(context.Background(), map[string]any{"_id": relID}); n != 1 {
		t.Fatal("the retry did not make the relationship")
	}
	if r := e.do(e.token(f.stranger), acceptMutation, in); r.code() != "INVALID" {
		t.Fatalf("another person used the token: %s", r.raw)
	}
	// Withdrawn, the consent is not revived by the token.
	e.must(parent, `mutation($in: RevokeAccessInput!) { revokeAccess(input: $in) { relationship { id } } }`, map[string]any{"in": map[string]any{"id": relID}})
	if r := e.do(adv, acceptMutation, in); r.code() != "INVALID" {
		t.Fatalf("a withdrawn consent revived: %s", r.raw)
	}
}
