package cynllun

import (
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
)

// NewID returns prefix followed by a time-ordered random UUIDv7 in hex.
func NewID(prefix string) string {
	u, err := uuid.NewV7()
	if err != nil {
		u = uuid.New()
	}
	return prefix + strings.ReplaceAll(u.String(), "-", "")
}
