package service

import (
	"context"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/policy"
)

// Sides of a case (issue 17): each party files its own evidence, the
// respondent prepares the bundle, the Tribunal's decision is recorded by
// the respondent. The rules are policy.CaseTable; this file applies them.

// caseAs loads a case for someone who may read it and checks that their
// side may do op (policy.CaseTable): FORBIDDEN, with the table's reason,
// when not.
func (s *Service) caseAs(ctx context.Context, op, caseID string, what policy.CaseOp) (*cynllun.Principal, *cynllun.Case, *cynllun.Learner, policy.CaseStanding, error) {
	p, c, l, err := s.caseFor(ctx, op, caseID)
	if err != nil {
		return nil, nil, nil, policy.CaseStanding{}, err
	}
	st, _ := policy.StandingIn(p, l, c, s.now())
	if d := policy.CaseMay(what, st.Side, ""); !d.Allow {
		return nil, nil, nil, st, caseForbidden(op, what, d.Why)
	}
	return p, c, l, st, nil
}

// caseActions are the words of a refusal, by operation.
var caseActions = map[policy.CaseOp]string{
	policy.OpAddEvidence:       "add evidence to this case",
	policy.OpWithdrawEvidence:  "withdraw this evidence",
	policy.OpReinstateEvidence: "reinstate this evidence",
	policy.OpDiscloseEvidence:  "disclose this evidence",
	policy.OpSeeUndisclosed:    "see this evidence",
	policy.OpSetBundleSpec:     "change the bundle specification",
	policy.OpRenderBundle:      "render the official bundle",
	policy.OpPreviewBundle:     "preview the bundle",
	policy.OpRecordProgress:    "record the case's details",
	policy.OpRecordHearing:     "record the Tribunal's registration, case statement or hearing dates",
	policy.OpRecordOutcome:     "record the outcome or the Tribunal's decision",
	policy.OpCloseCase:         "close the case",
	policy.OpWithdrawCase:      "withdraw the case",
}

func caseForbidden(op string, what policy.CaseOp, why string) *cynllun.Error {
	return cynllun.E(cynllun.CodeForbidden, op, "you may not "+caseActions[what]+": "+why)
}

// caseEvidence is a case's evidence with its owners: evidence stored before
// sides were recorded reads as filed by the side its creator stood on when
// they added it (their relationships then), and as disclosed when added,
// as it was seen by everyone then.
func (s *Service) caseEvidence(ctx context.Context, op string, c *cynllun.Case, l *cynllun.Learner) ([]*cynllun.CaseEvidence, error) {
	es, err := s.store.EvidenceForCase(ctx, c.ID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return es, s.fillOwners(ctx, op, c, l, es)
}

func (s *Service) fillOwners(ctx context.Context, op string, c *cynllun.Case, l *cynllun.Learner, es []*cynllun.CaseEvidence) error {
	rels := map[string][]cynllun.Relationship{}
	for _, e := range es {
		if e.Side != "" {
			continue
		}
		rs, ok := rels[e.CreatedBy]
		if !ok {
			var err error
			if rs, err = s.store.RelationshipsForUser(ctx, e.CreatedBy); err != nil && cynllun.ErrorCode(err) != cynllun.CodeNotFound {
				return cynllun.AsError(op, err)
			}
			rels[e.CreatedBy] = rs
		}
		at := e.CreatedAt
		if at.IsZero() {
			at = s.now()
		}
		creator := &cynllun.Principal{UserID: e.CreatedBy, Relationships: rs}
		st, ok := policy.StandingIn(creator, l, c, at.Add(time.Nanosecond))
		if !ok || st.Side == cynllun.SideNone {
			// A relationship recorded after the upload (imported data):
			// the creator's standing now.
			if now, nowOK := policy.StandingIn(creator, l, c, s.now()); nowOK {
				st, ok = now, true
			}
		}
		e.Side, e.FiledAs = cynllun.SideNone, ""
		if ok {
			e.Side, e.FiledAs = st.Side, st.Role
		}
		if e.DisclosedAt.IsZero() {
			e.DisclosedAt, e.DisclosedBy = e.CreatedAt, e.CreatedBy
		}
	}
	return nil
}

// visibleEvidence keeps what someone on side may see.
func visibleEvidence(es []*cynllun.CaseEvidence, side cynllun.CaseSide) []*cynllun.CaseEvidence {
	out := make([]*cynllun.CaseEvidence, 0, len(es))
	for _, e := range es {
		if e.VisibleTo(side) {
			out = append(out, e)
		}
	}
	return out
}

// EvidenceCan is what the viewer may do with a piece of evidence.
type EvidenceCan struct {
	Withdraw, Reinstate, Disclose bool
}

// ViewerStandings is the caller's standing in each of the cases (zero
// where they have none or the case is not found), in order, from two
// batched reads: the viewerCan… fields of a page of evidence cost the
// same whatever its length.
func (s *Service) ViewerStandings(ctx context.Context, caseIDs []string) ([]policy.CaseStanding, error) {
	const op = "service.ViewerStandings"
	p := cynllun.PrincipalFrom(ctx)
	out := make([]policy.CaseStanding, len(caseIDs))
	cs, err := s.store.CasesByID(ctx, dedupe(caseIDs))
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	byID := make(map[string]*cynllun.Case, len(cs))
	var learnerIDs []string
	for _, c := range cs {
		byID[c.ID] = c
		learnerIDs = append(learnerIDs, c.LearnerID)
	}
	ls, err := s.store.LearnersByID(ctx, dedupe(learnerIDs))
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	learners := make(map[string]*cynllun.Learner, len(ls))
	for _, l := range ls {
		learners[l.ID] = l
	}
	now := s.now()
	for i, id := range caseIDs {
		if c := byID[id]; c != nil && learners[c.LearnerID] != nil {
			if st, ok := policy.StandingIn(p, learners[c.LearnerID], c, now); ok {
				out[i] = st
			}
		}
	}
	return out, nil
}

// EvidenceActions is what someone of standing st in e's case may do with
// e now (its viewerCan… fields): the table's answer for their side and
// e's owner, and e's state.
func EvidenceActions(st policy.CaseStanding, e *cynllun.CaseEvidence) EvidenceCan {
	if st.Side == "" {
		return EvidenceCan{}
	}
	may := func(op policy.CaseOp) bool { return policy.CaseMay(op, st.Side, e.Side).Allow }
	return EvidenceCan{
		Withdraw:  !e.Withdrawn() && may(policy.OpWithdrawEvidence),
		Reinstate: e.Withdrawn() && may(policy.OpReinstateEvidence),
		Disclose:  !e.Disclosed() && may(policy.OpDiscloseEvidence),
	}
}

// caseChanges are the operations a change of a case from prev (nil: a new
// case) to next, in status, needs beyond recording its details.
func caseChanges(prev, next *cynllun.Case, status cynllun.CaseStatus) []policy.CaseOp {
	var before cynllun.Case
	if prev != nil {
		before = *prev
	} else {
		before.Status = cynllun.CaseOpen
	}
	ops := []policy.CaseOp{policy.OpRecordProgress}
	if next.RegisteredOn != before.RegisteredOn || next.CaseStatementDue != before.CaseStatementDue || next.HearingOn != before.HearingOn ||
		next.Reference != before.Reference || (status == cynllun.CaseRegistered || status == cynllun.CaseHearingListed) && status != before.Status {
		ops = append(ops, policy.OpRecordHearing)
	}
	if next.Outcome != before.Outcome || next.DecisionSentOn != before.DecisionSentOn ||
		(status == cynllun.CaseDecided || status == cynllun.CaseResolved) && status != before.Status {
		ops = append(ops, policy.OpRecordOutcome)
	}
	if next.ClosedOn != before.ClosedOn || status == cynllun.CaseClosed && status != before.Status {
		ops = append(ops, policy.OpCloseCase)
	}
	if status == cynllun.CaseWithdrawn && status != before.Status {
		ops = append(ops, policy.OpWithdrawCase)
	}
	return ops
}

// checkCaseChange refuses a change the principal's side may not make.
func (s *Service) checkCaseChange(op string, p *cynllun.Principal, l *cynllun.Learner, prev, next *cynllun.Case, status cynllun.CaseStatus) error {
	st, ok := policy.StandingIn(p, l, next, s.now())
	if !ok {
		return cynllun.NotFound(op, "case")
	}
	for _, what := range caseChanges(prev, next, status) {
		if d := policy.CaseMay(what, st.Side, ""); !d.Allow {
			return caseForbidden(op, what, d.Why)
		}
	}
	return nil
}

// evidenceFileVisible: whether p may see some evidence of case c that is
// the file fileID (uploads are stored once per case and content).
func (s *Service) evidenceFileVisible(ctx context.Context, op string, p *cynllun.Principal, c *cynllun.Case, l *cynllun.Learner, fileID string) (bool, error) {
	es, err := s.caseEvidence(ctx, op, c, l)
	if err != nil {
		return false, err
	}
	st, _ := policy.StandingIn(p, l, c, s.now())
	for _, e := range es {
		if e.FileID == fileID && e.VisibleTo(st.Side) {
			return true, nil
		}
	}
	// A case's upload that is no evidence (none yet) is nobody's to read.
	return false, nil
}
