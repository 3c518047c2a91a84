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
		byLearner, _ := l.PlansByLearner.LoadAll(ctx, ids)
		var planIDs []string
		for _, plans := range byLearner {
			for _, p := range plans {
				if p == nil {
					continue
				}
				planIDs = append(planIDs, p.ID)
				if plansSel.has("Plan", "maintainer") {
					orgIDs = append(orgIDs, p.MaintainerID)
				}
			}
		}
		r.prefetchCurrentVersions(ctx, plansSel, planIDs)
	}
	if len(orgIDs) > 0 {
		_, _ = l.Organisation.LoadAll(ctx, slices.Compact(slices.Sorted(slices.Values(orgIDs))))
	}
}

// prefetchCurrentVersions loads the current version numbers of plans, and
// the versions themselves (with content only when it is selected, since a
// read of content is audited) when the query selects currentVersion.
func (r *Resolver) prefetchCurrentVersions(ctx context.Context, plans selection, planIDs []string) {
	cur, wantVersion := plans.child("Plan", "currentVersion")
	if len(planIDs) == 0 || (!wantVersion && !plans.has("Plan", "currentVersionNumber")) {
		return
	}
	l := loadersFrom(ctx, r.Svc)
	nums, _ := l.CurrentVersion.LoadAll(ctx, planIDs)
	if !wantVersion || len(nums) != len(planIDs) {
		return
	}
	keys := make([]service.VersionKey, 0, len(planIDs))
	for i, id := range planIDs {
		if nums[i] > 0 {
			keys = append(keys, service.VersionKey{PlanID: id, Number: nums[i]})
		}
	}
	if cur.has("PlanVersion", "content") {
		_, _ = l.Version.LoadAll(ctx, keys)
	} else {
		_, _ = l.VersionMeta.LoadAll(ctx, keys)
	}
}
