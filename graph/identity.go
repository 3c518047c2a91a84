package graph

import (
	"context"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// Cache identity. Every object with an id is one thing: a normalised cache
// (Apollo, Relay, urql) merges objects by __typename and id, so two states
// of something must never share an id. The types below are what the API
// shows of one version or revision; each has an id that includes its
// version or revision (cynllun.RowNodeID, cynllun.RevisionID) and keeps
// the stable id of what it is a version of in a field of its own.

// VersionContent is a plan version's content, knowing its version so that
// its 2B rows get ids of that version.
type VersionContent struct {
	cynllun.Content
	PlanID  string
	Version int
}

// VersionRow is a 2B row as it stands in one plan version. Its node id is
// cynllun.RowNodeID(PlanID, Version, RowID); RowID is the row's own id,
// stable across versions.
type VersionRow struct {
	cynllun.ProvisionRow
	PlanID  string
	Version int
}

// RowID is the row's own id, the same in every version.
func (r *VersionRow) RowID() string { return r.ProvisionRow.ID }

// NodeID is this row's id in this version.
func (r *VersionRow) NodeID() string {
	return cynllun.RowNodeID(r.PlanID, r.Version, r.ProvisionRow.ID)
}

// VersionRowLedger is one row's ledger, knowing the plan and version its
// row comes from.
type VersionRowLedger struct {
	service.RowLedger
	PlanID  string
	Version int
}

// ReviewRevision is one revision of a review's record; the Review type is
// the review in its latest revision.
type ReviewRevision struct {
	cynllun.Review
}

// ReviewID is the review's own id.
func (r *ReviewRevision) ReviewID() string { return r.Review.ID }

// NodeID is this revision's id.
func (r *ReviewRevision) NodeID() string { return cynllun.RevisionID(r.Review.ID, r.Revision) }

// CaseRevision is one revision of a case; the Case type is the case in its
// latest revision.
type CaseRevision struct {
	cynllun.Case
}

// CaseID is the case's own id.
func (c *CaseRevision) CaseID() string { return c.Case.ID }

// NodeID is this revision's id.
func (c *CaseRevision) NodeID() string { return cynllun.RevisionID(c.Case.ID, c.Revision) }

func versionContent(planID string, n int, c *cynllun.Content) *VersionContent {
	if c == nil {
		return nil
	}
	return &VersionContent{Content: *c, PlanID: planID, Version: n}
}

func versionRows(planID string, n int, rows []cynllun.ProvisionRow) []*VersionRow {
	out := make([]*VersionRow, len(rows))
	for i := range rows {
		out[i] = &VersionRow{ProvisionRow: rows[i], PlanID: planID, Version: n}
	}
	return out
}

func reviewRevisions(rs []*cynllun.Review) []*ReviewRevision {
	out := make([]*ReviewRevision, len(rs))
	for i, r := range rs {
		out[i] = &ReviewRevision{Review: *r}
	}
	return out
}

func caseRevisions(cs []*cynllun.Case) []*CaseRevision {
	out := make([]*CaseRevision, len(cs))
	for i, c := range cs {
		out[i] = &CaseRevision{Case: *c}
	}
	return out
}

// versionRow is row rowID of version n of a plan, read with the version's
// content (audited as any read of it); NOT_FOUND when the version or the
// row does not exist or the principal may not read the plan.
func (r *Resolver) versionRow(ctx context.Context, planID string, n int, rowID string) (*VersionRow, error) {
	v, err := loadersFrom(ctx, r.Svc).Version.Load(ctx, service.VersionKey{PlanID: planID, Number: n})
	if err != nil {
		return nil, err
	}
	if v == nil || v.Content == nil {
		return nil, cynllun.NotFound("graph.versionRow", "provision row")
	}
	for _, row := range v.Content.Provision {
		if row.ID == rowID {
			return &VersionRow{ProvisionRow: row, PlanID: planID, Version: n}, nil
		}
	}
	return nil, cynllun.NotFound("graph.versionRow", "provision row")
}
