package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// selection is the part of a query selected under one field (all its
// occurrences, aliases and fragments merged).
type selection struct {
	op  *graphql.OperationContext
	set ast.SelectionSet
}

// selected returns what the query selects under the current resolver's field.
func selected(ctx context.Context) selection {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return selection{}
	}
	return selection{op: graphql.GetOperationContext(ctx), set: fc.Field.Selections}
}

// child returns the selection under the field name of an object of type
// typeName; ok is false when the field is not selected.
func (s selection) child(typeName, name string) (selection, bool) {
	if s.op == nil {
		return selection{}, false
	}
	var out selection
	found := false
	for _, f := range graphql.CollectFields(s.op, s.set, []string{typeName}) {
		if f.Name == name {
			found = true
			out.op = s.op
			out.set = append(out.set, f.Selections...)
		}
	}
	return out, found
}

func (s selection) has(typeName, name string) bool {
	_, ok := s.child(typeName, name)
	return ok
}

// prefetchLearners loads, one batch per kind, what a query selects below a
// page of learners: their plans, the plans' current versions and the
// organisations named. The loaders' time window batches keys that arrive
// together, but when a hundred resolvers start at once some arrive late and
// cost another round trip; loading each level up front here makes the cost
// of a page fixed whatever its size. Errors are left in the loaders' caches,
// where the field resolvers meet them.
func (r *Resolver) prefetchLearners(ctx context.Context, ls []*cynllun.Learner) {
	if len(ls) == 0 {
		return
	}
	edges, ok := selected(ctx).child("LearnerConnection", "edges")
	if !ok {
		return
	}
	node, ok := edges.child("LearnerEdge", "node")
	if !ok {
		return
	}
	l := loadersFrom(ctx, r.Svc)
	var orgIDs []string
	ids := make([]string, len(ls))
	for i, lr := range ls {
		ids[i] = lr.ID
		if lr.SettingID != "" && node.has("Learner", "setting") {
			orgIDs = append(orgIDs, lr.SettingID)
		}
		if node.has("Learner", "localAuthority") {
			orgIDs = append(orgIDs, lr.LAID)
		}
	}
	if plansSel, ok := node.child("Learner", "plans"); ok {
		// Read here, not through the loader, so the page waits for no
		// batch window; the loader is primed with what was read.
		byLearner, err := r.Svc.PlansForLearners(ctx, ids)
		if err == nil {
			var plans []*cynllun.Plan
			for i, ps := range byLearner {
				l.PlansByLearner.Prime(ids[i], ps)
				l.primeHeads(ctx, ps...)
				for _, p := range ps {
					if p == nil {
						continue
					}
					plans = append(plans, p)
					if plansSel.has("Plan", "maintainer") {
						orgIDs = append(orgIDs, p.MaintainerID)
					}
				}
			}
			r.prefetchCurrentVersions(ctx, plansSel, plans)
		}
	}
	r.prefetchOrganisations(ctx, orgIDs)
}

// prefetchOrganisations reads organisations and primes their loader.
func (r *Resolver) prefetchOrganisations(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	os, err := r.Svc.OrganisationsByID(ctx, ids)
	if err != nil || len(os) != len(ids) {
		return
	}
	l := loadersFrom(ctx, r.Svc)
	for i, id := range ids {
		l.Organisation.Prime(id, os[i])
	}
}

// prefetchCurrentVersions reads the current versions of plans (with
// content only when it is selected, since a read of content is audited)
// when the query selects currentVersion, and primes the loaders: the
// numbers come from the plans' heads, the versions from one read, and no
// batch window is waited for.
func (r *Resolver) prefetchCurrentVersions(ctx context.Context, sel selection, plans []*cynllun.Plan) {
	cur, wantVersion := sel.child("Plan", "currentVersion")
	if len(plans) == 0 || !wantVersion {
		return
	}
	l := loadersFrom(ctx, r.Svc)
	keys := make([]service.VersionKey, 0, len(plans))
	for _, p := range plans {
		if n, err := l.CurrentVersion.Load(ctx, p.ID); err == nil && n > 0 && headVersion(cur, p, n) == nil {
			keys = append(keys, service.VersionKey{PlanID: p.ID, Number: n})
		}
	}
	if len(keys) == 0 {
		return
	}
	loader, read := l.VersionMeta, r.Svc.VersionsMeta
	if cur.has("PlanVersion", "content") {
		loader, read = l.Version, r.Svc.Versions
	}
	vs, err := read(ctx, keys)
	if err != nil || len(vs) != len(keys) {
		return
	}
	for i, k := range keys {
		loader.Prime(k, vs[i])
	}
}

// headFields are the PlanVersion fields a plan's heads answer.
var headFields = map[string]bool{"__typename": true, "id": true, "number": true, "status": true, "createdAt": true, "plan": true}

// headVersion is version n of plan p as its heads describe it (number,
// status and time), when n is the newest and the selection asks for no
// more than that; nil otherwise, and the version is read.
func headVersion(sel selection, p *cynllun.Plan, n int) *cynllun.Version {
	if sel.op == nil || p == nil || n != p.Latest || p.LatestAt.IsZero() {
		return nil
	}
	for _, f := range graphql.CollectFields(sel.op, sel.set, []string{"PlanVersion"}) {
		if !headFields[f.Name] {
			return nil
		}
	}
	status := cynllun.VersionDraft
	if p.LatestFinal == n {
		status = cynllun.VersionFinal
	}
	return &cynllun.Version{ID: cynllun.VersionID(p.ID, n), PlanID: p.ID, LearnerID: p.LearnerID, Number: n, Status: status, CreatedAt: p.LatestAt}
}
