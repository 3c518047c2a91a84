package service

import (
	"context"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
)

// The documents Cynllun renders from the record, read the same way by the
// render jobs and the bundles that hold them.

// LoadPlanDoc reads what a plan version's document shows, in one round
// trip per kind.
func LoadPlanDoc(ctx context.Context, store cynllun.Store, planID string, version int, lang cynllun.RenderLanguage) (docgen.PlanDoc, error) {
	const op = "service.LoadPlanDoc"
	var doc docgen.PlanDoc
	// The version and the plan (then its learner and organisations) are
	// read at the same time.
	// The plan's reviews too, for 3D.
	var (
		versions []*cynllun.Version
		reviews  []*cynllun.Review
		verr     error
		rerr     error
		read     = make(chan struct{}, 2)
	)
	go func() {
		defer func() { read <- struct{}{} }()
		versions, verr = store.VersionsByID(ctx, []string{cynllun.VersionID(planID, version)})
	}()
	go func() {
		defer func() { read <- struct{}{} }()
		reviews, rerr = store.ReviewsForPlans(ctx, []string{planID})
	}()
	n, err := loadSubject(ctx, store, planID, lang)
	<-read
	<-read
	if verr != nil {
		return doc, cynllun.AsError(op, verr)
	}
	if rerr != nil {
		return doc, cynllun.AsError(op, rerr)
	}
	if len(versions) == 0 || versions[0].Content == nil {
		return doc, cynllun.NotFound(op, "plan version")
	}
	if err != nil {
		return doc, err
	}
	files, err := loadAttachments(ctx, store, n.learner.ID, planAttachments(versions[0].Content))
	if err != nil {
		return doc, err
	}
	return docgen.PlanDoc{Learner: n.learner, Plan: n.plan, Version: versions[0],
		Maintainer: n.maintainer, LocalAuthority: n.la, Setting: n.setting, MaintainerKind: n.maintainerKind,
		Reviews: reviews, Attachments: files}, nil
}

// LoadMeetingDoc reads what one revision of a review's meeting record
// shows (revision 0: the latest).
func LoadMeetingDoc(ctx context.Context, store cynllun.Store, reviewID string, revision int, lang cynllun.RenderLanguage, now time.Time) (docgen.MeetingDoc, error) {
	const op = "service.LoadMeetingDoc"
	var doc docgen.MeetingDoc
	var r *cynllun.Review
	if revision == 0 {
		rs, err := store.ReviewsByID(ctx, []string{reviewID})
		if err != nil {
			return doc, cynllun.AsError(op, err)
		}
		if len(rs) == 0 {
			return doc, cynllun.NotFound(op, "review")
		}
		r = rs[0]
	} else {
		var err error
		if r, err = store.ReviewRevision(ctx, reviewID, revision); err != nil {
			return doc, cynllun.AsError(op, err)
		}
	}
	n, err := loadSubject(ctx, store, r.PlanID, lang)
	if err != nil {
		return doc, err
	}
	rcs, err := LoadReviewContexts(ctx, store, []*cynllun.Review{r},
		map[string]*cynllun.Plan{n.plan.ID: n.plan}, map[string]*cynllun.Learner{n.learner.ID: n.learner}, now)
	if err != nil {
		return doc, cynllun.AsError(op, err)
	}
	rc := rcs[0]
	// The files of the record, and those of the plan versions reviewed
	// and revised (their changes may name them).
	ids := reviewAttachments(r)
	for _, v := range []*cynllun.Version{rc.Reviewed, rc.Revised} {
		if v != nil {
			ids = append(ids, planAttachments(v.Content)...)
		}
	}
	files, err := loadAttachments(ctx, store, n.learner.ID, ids)
	if err != nil {
		return doc, err
	}
	return docgen.MeetingDoc{
		Learner: n.learner, Plan: n.plan, Review: r, Reviewed: rc.Reviewed, Revised: rc.Revised,
		Ledger: rc.Ledger, LedgerFrom: rc.From, LedgerTo: rc.To,
		Maintainer: n.maintainer, LocalAuthority: n.la, Setting: n.setting, MaintainerKind: n.maintainerKind,
		Attachments: files,
	}, nil
}

// subject is the plan and learner a document is about, with the display
// names of the organisations involved in the document's language.
type subject struct {
	plan                    *cynllun.Plan
	learner                 *cynllun.Learner
	maintainer, la, setting string
	maintainerKind          cynllun.OrgKind
}

func loadSubject(ctx context.Context, store cynllun.Store, planID string, lang cynllun.RenderLanguage) (subject, error) {
	const op = "service.loadSubject"
	var n subject
	plans, err := store.PlansByID(ctx, []string{planID})
	if err != nil {
		return n, cynllun.AsError(op, err)
	}
	if len(plans) == 0 {
		return n, cynllun.NotFound(op, "plan")
	}
	learners, err := store.LearnersByID(ctx, []string{plans[0].LearnerID})
	if err != nil {
		return n, cynllun.AsError(op, err)
	}
	if len(learners) == 0 {
		return n, cynllun.NotFound(op, "learner")
	}
	n.plan, n.learner = plans[0], learners[0]
	l := n.learner
	orgs, err := store.OrganisationsByID(ctx, []string{n.plan.MaintainerID, l.LAID, l.SettingID})
	if err != nil {
		return n, cynllun.AsError(op, err)
	}
	for _, o := range orgs {
		name := orgName(o, lang)
		if o.ID == n.plan.MaintainerID {
			n.maintainer, n.maintainerKind = name, o.Kind
		}
		if o.ID == l.LAID {
			n.la = name
		}
		if o.ID == l.SettingID {
			n.setting = name
		}
	}
	return n, nil
}

// orgName is an organisation's name in a document's language: its Welsh
// name in Welsh, "Welsh / English" in a bilingual document ("Caerdydd /
// Cardiff"), and its English name otherwise or when it has no other.
func orgName(o *cynllun.Organisation, lang cynllun.RenderLanguage) string {
	return docgen.Lang(lang).Pick(form.Text{EN: o.Name, CY: o.NameCy})
}
