package policy

import (
	"time"

	"github.com/cynllun/cynllun"
)

// SubjectAccess decides whether p may have the subject access export of
// learner l built (exportSubjectAccess) and download it: the archive of
// everything held about l, for answering a request under UK GDPR Art. 15
// within a month. The table (issue 19):
//
//	requester                                   export   why
//	staff of l's setting (the ALNCo)            yes      the controller's staff, maintaining the record
//	officers of l's local authority             yes      the controller's staff, maintaining the record
//	staff or officers of another body           no       not their record: NOT_FOUND (as for a read)
//	a parent, the young person                  no       FORBIDDEN: they ask the controller (below)
//	an advocate                                 no       FORBIDDEN: consent covers reading, not a request
//	an administrator                            no       NOT_FOUND: no access to learners' data at all
//
// The right of access is a right to be answered by the controller (the
// school's governing body, the FEI or the LA: domain.md §7), and Art. 15(4)
// makes the controller weigh the rights of others before the copy goes
// out: the archive holds what other people wrote and did (staff's names in
// the audit trail, the other side's undisclosed evidence on a tribunal
// case, other family members' grants and invitations), which only the
// controller may decide to disclose or redact. So a parent with parental
// responsibility or the young person makes the request to the school or LA
// (they already read the plans, reviews, ledger and deadlines directly in
// the API), and the controller's staff build the export and answer it. An
// administrator manages organisations and accounts and never reaches
// learners' data (policy.go); the export would be the widest read of all.
func SubjectAccess(p *cynllun.Principal, l *cynllun.Learner, now time.Time) Access {
	return WriteLearner(p, l, now)
}
