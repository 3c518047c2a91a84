package graph

import (
	"context"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// Lists that grow with a record (a learner's events, a case's documents)
// are read whole (bounded by what one record holds, from one lookup) and
// paged in memory; their totals are their lengths.

// pageOf pages items, read whole, as list l in the order of pos.
func pageOf[T any](op string, l list, a pageArgs, items []T, pos func(T) service.Cursor) (service.Paged[T], error) {
	pg, err := page(op, l, a)
	if err != nil {
		return service.Paged[T]{}, err
	}
	return service.Window(op, pg, items, pos)
}

func (r *Resolver) learnerEvents(ctx context.Context, learnerID string, a pageArgs) (*StatutoryEventConnection, error) {
	const op = "graph.Learner.events"
	evs, err := r.Svc.Events(ctx, learnerID)
	if err != nil {
		return nil, err
	}
	l := listOf("learner.events", learnerID)
	p, err := pageOf(op, l, a, pointers(evs), func(e *cynllun.StatutoryEvent) service.Cursor {
		return service.Cursor{Key: e.On.String(), ID: e.ID}
	})
	if err != nil {
		return nil, err
	}
	conn := &StatutoryEventConnection{Counted: counted(len(evs))}
	conn.Edges, conn.PageInfo = connect(l, p, func(e *cynllun.StatutoryEvent) service.Cursor { return service.Cursor{Key: e.On.String(), ID: e.ID} },
		func(c string, e *cynllun.StatutoryEvent) *StatutoryEventEdge {
			return &StatutoryEventEdge{Cursor: c, Node: e}
		})
	return conn, nil
}

func (r *Resolver) learnerCases(ctx context.Context, learnerID string, a pageArgs) (*CaseConnection, error) {
	const op = "graph.Learner.cases"
	l := listOf("learner.cases", learnerID)
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	p, total, err := r.Svc.LearnerCases(ctx, learnerID, pg)
	if err != nil {
		return nil, err
	}
	conn := &CaseConnection{Counted: counted(total)}
	conn.Edges, conn.PageInfo = connect(l, p, service.CaseAge,
		func(c string, x *cynllun.Case) *CaseEdge { return &CaseEdge{Cursor: c, Node: x} })
	return conn, nil
}

func (r *Resolver) planReviews(ctx context.Context, planID string, a pageArgs) (*ReviewConnection, error) {
	const op = "graph.Plan.reviews"
	rs, err := loadersFrom(ctx, r.Svc).ReviewsByPlan.Load(ctx, planID)
	if err != nil {
		return nil, err
	}
	l := listOf("plan.reviews", planID)
	p, err := pageOf(op, l, a, rs, service.ReviewAge)
	if err != nil {
		return nil, err
	}
	// Only the reviews returned are read.
	if err := r.Svc.AuditReviews(ctx, p.Items); err != nil {
		return nil, err
	}
	conn := &ReviewConnection{Counted: counted(len(rs))}
	conn.Edges, conn.PageInfo = connect(l, p, service.ReviewAge,
		func(c string, x *cynllun.Review) *ReviewEdge { return &ReviewEdge{Cursor: c, Node: x} })
	return conn, nil
}

func sessionPos(s *cynllun.Session) service.Cursor {
	return service.Cursor{Key: s.Date.String(), ID: s.ID}
}

func (r *Resolver) planSessions(ctx context.Context, planID string, from, to *cynllun.Date, rowID *string, a pageArgs) (*LedgerSessionConnection, error) {
	const op = "graph.Plan.sessions"
	ss, err := r.Svc.Sessions(ctx, planID, deref(from), deref(to), deref(rowID))
	if err != nil {
		return nil, err
	}
	l := listOf("plan.sessions", planID)
	p, err := pageOf(op, l, a, pointers(ss), sessionPos)
	if err != nil {
		return nil, err
	}
	conn := &LedgerSessionConnection{Counted: counted(len(ss))}
	conn.Edges, conn.PageInfo = connect(l, p, sessionPos,
		func(c string, x *cynllun.Session) *LedgerSessionEdge { return &LedgerSessionEdge{Cursor: c, Node: x} })
	return conn, nil
}

func revisionPos(n int) service.Cursor { return service.Cursor{Key: service.NumberKey(n)} }

func (r *Resolver) reviewRevisions(ctx context.Context, reviewID string, a pageArgs) (*ReviewRevisionConnection, error) {
	const op = "graph.Review.revisions"
	l := listOf("review.revisions", reviewID)
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	p, total, err := r.Svc.ReviewRevisions(ctx, reviewID, pg)
	if err != nil {
		return nil, err
	}
	conn := &ReviewRevisionConnection{Counted: counted(total)}
	conn.Edges, conn.PageInfo = connect(l, p, func(x *cynllun.Review) service.Cursor { return revisionPos(x.Revision) },
		func(c string, x *cynllun.Review) *ReviewRevisionEdge {
			return &ReviewRevisionEdge{Cursor: c, Node: &ReviewRevision{Review: *x}}
		})
	return conn, nil
}

func evidencePos(e *cynllun.CaseEvidence) service.Cursor {
	return service.Cursor{Key: service.TimeKey(e.CreatedAt), ID: e.ID}
}

func (r *Resolver) caseEvidence(ctx context.Context, caseID string, a pageArgs) (*CaseEvidenceConnection, error) {
	const op = "graph.Case.evidence"
	es, err := r.Svc.CaseEvidence(ctx, caseID)
	if err != nil {
		return nil, err
	}
	l := listOf("case.evidence", caseID)
	p, err := pageOf(op, l, a, es, evidencePos)
	if err != nil {
		return nil, err
	}
	conn := &CaseEvidenceConnection{Counted: counted(len(es))}
	conn.Edges, conn.PageInfo = connect(l, p, evidencePos,
		func(c string, x *cynllun.CaseEvidence) *CaseEvidenceEdge {
			return &CaseEvidenceEdge{Cursor: c, Node: x}
		})
	return conn, nil
}

func bundlePos(b *cynllun.Bundle) service.Cursor { return revisionPos(b.Number) }

func (r *Resolver) caseBundles(ctx context.Context, caseID string, a pageArgs) (*BundleConnection, error) {
	const op = "graph.Case.bundles"
	bs, err := r.Svc.Bundles(ctx, caseID)
	if err != nil {
		return nil, err
	}
	l := listOf("case.bundles", caseID)
	p, err := pageOf(op, l, a, bs, bundlePos)
	if err != nil {
		return nil, err
	}
	conn := &BundleConnection{Counted: counted(len(bs))}
	conn.Edges, conn.PageInfo = connect(l, p, bundlePos,
		func(c string, x *cynllun.Bundle) *BundleEdge { return &BundleEdge{Cursor: c, Node: x} })
	return conn, nil
}

func caseRevisionPos(c *CaseRevision) service.Cursor { return revisionPos(c.Revision) }

func (r *Resolver) caseRevisionList(ctx context.Context, caseID string, a pageArgs) (*CaseRevisionConnection, error) {
	const op = "graph.Case.revisions"
	cs, err := r.Svc.CaseRevisions(ctx, caseID)
	if err != nil {
		return nil, err
	}
	l := listOf("case.revisions", caseID)
	p, err := pageOf(op, l, a, caseRevisions(cs), caseRevisionPos)
	if err != nil {
		return nil, err
	}
	conn := &CaseRevisionConnection{Counted: counted(len(cs))}
	conn.Edges, conn.PageInfo = connect(l, p, caseRevisionPos,
		func(c string, x *CaseRevision) *CaseRevisionEdge { return &CaseRevisionEdge{Cursor: c, Node: x} })
	return conn, nil
}

func noticePos(n *service.NoticeLog) service.Cursor {
	return service.Cursor{Key: service.TimeKey(n.CreatedAt), ID: n.ID}
}

func (r *Resolver) deadlineNotices(ctx context.Context, d *cynllun.Deadline, a pageArgs) (*NoticeConnection, error) {
	const op = "graph.Deadline.notices"
	l := listOf("deadline.notices", d.ID)
	pg, err := page(op, l, a)
	if err != nil {
		return nil, err
	}
	p, total, err := r.Svc.Notices(ctx, d, pg)
	if err != nil {
		return nil, err
	}
	conn := &NoticeConnection{Counted: counted(total)}
	conn.Edges, conn.PageInfo = connect(l, p, noticePos,
		func(c string, x *service.NoticeLog) *NoticeEdge { return &NoticeEdge{Cursor: c, Node: x} })
	return conn, nil
}
