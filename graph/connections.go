package graph

import (
	"context"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// Connections (Relay): every list that grows with data is a connection
// with edges (each with its cursor), nodes (the same items without
// cursors), pageInfo and totalCount. A connection's total is counted only
// when a query selects it: Counted holds how.

// Counted is a connection's total, counted when asked for.
type Counted struct {
	count func(context.Context) (int, error)
}

// TotalCount counts the connection's list (cursors and page size aside).
func (c Counted) TotalCount(ctx context.Context) (int, error) {
	if c.count == nil {
		return 0, nil
	}
	return c.count(ctx)
}

// countOf is a Counted that counts with f.
func countOf(f func(context.Context) (int, error)) Counted { return Counted{count: f} }

// counted is a Counted whose total is known already.
func counted(n int) Counted {
	return Counted{count: func(context.Context) (int, error) { return n, nil }}
}

// connect makes a page's edges and page info: edge makes an item's edge
// from its cursor in list l, whose position pos gives.
func connect[T, E any](l list, p service.Paged[T], pos func(T) service.Cursor, edge func(string, T) E) ([]E, PageInfo) {
	edges := make([]E, len(p.Items))
	pi := PageInfo{HasNextPage: p.HasNext, HasPreviousPage: p.HasPrev}
	for i, it := range p.Items {
		c := pos(it)
		cur := cursorAt(l, c.Key, c.ID)
		edges[i] = edge(cur, it)
		if i == 0 {
			pi.StartCursor = &cur
		}
		if i == len(p.Items)-1 {
			pi.EndCursor = &cur
		}
	}
	return edges, pi
}

type LearnerConnection struct {
	Edges    []*LearnerEdge
	PageInfo PageInfo
	Counted
}

func (c *LearnerConnection) Nodes() []*cynllun.Learner {
	return nodesOf(c.Edges, func(e *LearnerEdge) *cynllun.Learner { return &e.Node })
}

type OrganisationConnection struct {
	Edges    []*OrganisationEdge
	PageInfo PageInfo
	Counted
}

func (c *OrganisationConnection) Nodes() []*cynllun.Organisation {
	return nodesOf(c.Edges, func(e *OrganisationEdge) *cynllun.Organisation { return &e.Node })
}

type PlanVersionConnection struct {
	Edges    []*PlanVersionEdge
	PageInfo PageInfo
	Counted
}

func (c *PlanVersionConnection) Nodes() []*cynllun.Version {
	return nodesOf(c.Edges, func(e *PlanVersionEdge) *cynllun.Version { return &e.Node })
}

type AuditEventConnection struct {
	Edges    []*AuditEventEdge
	PageInfo PageInfo
	Counted
}

func (c *AuditEventConnection) Nodes() []*cynllun.AuditEvent {
	return nodesOf(c.Edges, func(e *AuditEventEdge) *cynllun.AuditEvent { return &e.Node })
}

type DeadlineConnection struct {
	Edges    []*DeadlineEdge
	PageInfo PageInfo
	Counted
}

func (c *DeadlineConnection) Nodes() []*cynllun.Deadline {
	return nodesOf(c.Edges, func(e *DeadlineEdge) *cynllun.Deadline { return &e.Node })
}

type CaseEdge struct {
	Cursor string
	Node   *cynllun.Case
}

type CaseConnection struct {
	Edges    []*CaseEdge
	PageInfo PageInfo
	Counted
}

func (c *CaseConnection) Nodes() []*cynllun.Case {
	return nodesOf(c.Edges, func(e *CaseEdge) *cynllun.Case { return e.Node })
}

type ReviewEdge struct {
	Cursor string
	Node   *cynllun.Review
}

type ReviewConnection struct {
	Edges    []*ReviewEdge
	PageInfo PageInfo
	Counted
}

func (c *ReviewConnection) Nodes() []*cynllun.Review {
	return nodesOf(c.Edges, func(e *ReviewEdge) *cynllun.Review { return e.Node })
}

// SearchResult is the Go side of the GraphQL union SearchResult: a
// *cynllun.Learner or a *cynllun.Plan.
type SearchResult interface{}

type SearchEdge struct {
	Cursor string
	Node   SearchResult
}

type SearchConnection struct {
	Edges    []*SearchEdge
	PageInfo PageInfo
	Counted
}

func (c *SearchConnection) Nodes() []SearchResult {
	return nodesOf(c.Edges, func(e *SearchEdge) SearchResult { return e.Node })
}

type StatutoryEventEdge struct {
	Cursor string
	Node   *cynllun.StatutoryEvent
}

type StatutoryEventConnection struct {
	Edges    []*StatutoryEventEdge
	PageInfo PageInfo
	Counted
}

func (c *StatutoryEventConnection) Nodes() []*cynllun.StatutoryEvent {
	return nodesOf(c.Edges, func(e *StatutoryEventEdge) *cynllun.StatutoryEvent { return e.Node })
}

type LedgerSessionEdge struct {
	Cursor string
	Node   *cynllun.Session
}

type LedgerSessionConnection struct {
	Edges    []*LedgerSessionEdge
	PageInfo PageInfo
	Counted
}

func (c *LedgerSessionConnection) Nodes() []*cynllun.Session {
	return nodesOf(c.Edges, func(e *LedgerSessionEdge) *cynllun.Session { return e.Node })
}

type ReviewRevisionEdge struct {
	Cursor string
	Node   *ReviewRevision
}

type ReviewRevisionConnection struct {
	Edges    []*ReviewRevisionEdge
	PageInfo PageInfo
	Counted
}

func (c *ReviewRevisionConnection) Nodes() []*ReviewRevision {
	return nodesOf(c.Edges, func(e *ReviewRevisionEdge) *ReviewRevision { return e.Node })
}

type CaseRevisionEdge struct {
	Cursor string
	Node   *CaseRevision
}

type CaseRevisionConnection struct {
	Edges    []*CaseRevisionEdge
	PageInfo PageInfo
	Counted
}

func (c *CaseRevisionConnection) Nodes() []*CaseRevision {
	return nodesOf(c.Edges, func(e *CaseRevisionEdge) *CaseRevision { return e.Node })
}

type CaseEvidenceEdge struct {
	Cursor string
	Node   *cynllun.CaseEvidence
}

type CaseEvidenceConnection struct {
	Edges    []*CaseEvidenceEdge
	PageInfo PageInfo
	Counted
}

func (c *CaseEvidenceConnection) Nodes() []*cynllun.CaseEvidence {
	return nodesOf(c.Edges, func(e *CaseEvidenceEdge) *cynllun.CaseEvidence { return e.Node })
}

type BundleEdge struct {
	Cursor string
	Node   *cynllun.Bundle
}

type BundleConnection struct {
	Edges    []*BundleEdge
	PageInfo PageInfo
	Counted
}

func (c *BundleConnection) Nodes() []*cynllun.Bundle {
	return nodesOf(c.Edges, func(e *BundleEdge) *cynllun.Bundle { return e.Node })
}

type NoticeEdge struct {
	Cursor string
	Node   *service.NoticeLog
}

type NoticeConnection struct {
	Edges    []*NoticeEdge
	PageInfo PageInfo
	Counted
}

func (c *NoticeConnection) Nodes() []*service.NoticeLog {
	return nodesOf(c.Edges, func(e *NoticeEdge) *service.NoticeLog { return e.Node })
}

// nodesOf is the nodes of a page's edges, in order (a connection's nodes
// field).
func nodesOf[E, T any](edges []*E, node func(*E) T) []T {
	out := make([]T, len(edges))
	for i, e := range edges {
		out[i] = node(e)
	}
	return out
}
