package cynllun

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// ID prefixes make every id globally unique and say what it names, so the
// GraphQL node(id) query can dispatch on them.
const (
	PrefixLearner      = "lrn_"
	PrefixOrganisation = "org_"
	PrefixPlan         = "pln_"
	PrefixUser         = "usr_"
	PrefixRelationship = "rel_"
	PrefixAudit        = "aud_"
	PrefixJob          = "job_"
	PrefixFile         = "fil_"
	PrefixReview       = "rvw_"
	PrefixSession      = "ses_"
	PrefixEvent        = "evt_"
	PrefixDeadline     = "dln_"
	PrefixNotice       = "ntc_"
	PrefixWebhook      = "whk_"
	PrefixCalendar     = "cal_"
	PrefixCase         = "cas_"
	PrefixEvidence     = "evd_"
	PrefixBundle       = "bdl_"
	PrefixInvitation   = "inv_"
)

// NewID returns prefix followed by a time-ordered random UUIDv7 in hex.
func NewID(prefix string) string {
	u, err := uuid.NewV7()
	if err != nil {
		u = uuid.New()
	}
	return prefix + strings.ReplaceAll(u.String(), "-", "")
}

// Ids of things that exist in one version or revision of something else.
// A normalised client cache (Apollo, Relay, urql) keeps one object per id,
// so an object that differs between versions must have an id per version:
//
//	pln_…/v3          a plan version (VersionID)
//	pln_…/v3#row_…    a 2B row as it stands in version 3 (RowNodeID)
//	rvw_…/r2          revision 2 of a review's record (RevisionID)
//	cas_…/r2          revision 2 of a case (RevisionID)
//	usr_…@lrn_…       a user as known to a learner's readers (PersonNodeID)
//
// The part after '#' is the row's own id, stable across versions; the
// review's and the case's own ids name the review and the case in their
// latest revision.

// RowNodeID is the id of row rowID as it stands in version n of a plan.
func RowNodeID(planID string, n int, rowID string) string {
	return VersionID(planID, n) + "#" + rowID
}

// ParseRowNodeID splits a row's node id into its plan, version and row;
// ok is false for anything else.
func ParseRowNodeID(id string) (planID string, n int, rowID string, ok bool) {
	head, rowID, found := strings.Cut(id, "#")
	if !found || rowID == "" {
		return "", 0, "", false
	}
	planID, n, ok = parseNumbered(head, PrefixPlan, "/v")
	if !ok {
		return "", 0, "", false
	}
	return planID, n, rowID, true
}

// PersonNodeID is the id of user userID as related to learner learnerID:
// what a reader of the learner's record may know of them (their name, their
// roles with that learner) differs from one learner to another.
func PersonNodeID(userID, learnerID string) string {
	return userID + "@" + learnerID
}

// ParsePersonNodeID splits a person's id into the user's and the learner's
// ids; ok is false for anything else.
func ParsePersonNodeID(id string) (userID, learnerID string, ok bool) {
	userID, learnerID, found := strings.Cut(id, "@")
	if !found || len(userID) <= len(PrefixUser) || !strings.HasPrefix(userID, PrefixUser) ||
		len(learnerID) <= len(PrefixLearner) || !strings.HasPrefix(learnerID, PrefixLearner) ||
		strings.ContainsAny(userID, "/#") || strings.ContainsAny(learnerID, "/#@") {
		return "", "", false
	}
	return userID, learnerID, true
}

// RevisionID is the id of revision n of a review or a case.
func RevisionID(id string, n int) string {
	return id + "/r" + strconv.Itoa(n)
}

// ParseRevisionID splits the id of a revision whose parent id begins with
// prefix (PrefixReview, PrefixCase) into the parent's id and the number.
func ParseRevisionID(id, prefix string) (string, int, bool) {
	return parseNumbered(id, prefix, "/r")
}

// parseNumbered splits prefix…{sep}N into its head and N ≥ 1, written
// without sign or leading zeros so that every number has one id.
func parseNumbered(id, prefix, sep string) (string, int, bool) {
	head, num, found := strings.Cut(id, sep)
	if !found || len(head) <= len(prefix) || !strings.HasPrefix(head, prefix) ||
		strings.ContainsAny(head, "/#") || num == "" || len(num) > 9 || num[0] < '1' || num[0] > '9' {
		return "", 0, false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 {
		return "", 0, false
	}
	return head, n, true
}

// ParseVersionID splits a plan version's id (VersionID) into the plan's id
// and the version number.
func ParseVersionID(id string) (string, int, bool) {
	return parseNumbered(id, PrefixPlan, "/v")
}
