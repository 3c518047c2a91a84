package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
)

// assemble freezes a case's bundle as it stands: each section's documents
// (the evidence not left out, in its section, and the documents from the
// record the specification lists), ordered and numbered, and the
// chronology generated from the learner's history.
func (s *Service) assemble(ctx context.Context, op string, p *cynllun.Principal, c *cynllun.Case, l *cynllun.Learner) (*BundleContents, error) {
	now := s.now().UTC()
	spec := c.Bundle
	lang := spec.Language
	if !lang.Valid() {
		lang = cynllun.RenderEN
	}
	out := &BundleContents{Heading: caseHeading(c.Kind), Title: c.Title, CaseRef: c.Reference, Learner: l.FullName(),
		Lang: lang, AsOf: now}
	if spec.Chronology {
		out.ChronologyAfter = spec.ChronologyAfter
	}
	if err := s.auditCase(ctx, op, p, l, c, "case.bundle", "read"); err != nil {
		return nil, err
	}
	bySection := map[string][]FrozenDoc{}
	evidence, err := s.caseEvidence(ctx, op, c, l)
	if err != nil {
		return nil, err
	}
	for _, e := range evidence {
		// Only disclosed evidence goes in a bundle (both sides see it);
		// withdrawn evidence leaves it until reinstated.
		if e.Withdrawn() || !e.Disclosed() || slices.Contains(spec.Excluded, e.ID) {
			continue
		}
		key := sectionFor(spec.Sections, string(e.Kind), e.Section)
		bySection[key] = append(bySection[key], FrozenDoc{
			ID: e.ID, Kind: string(e.Kind), Title: e.Title, Author: e.Author, Date: e.Date,
			FileID: e.FileID, SHA256: e.SHA256, Image: e.ContentType != "application/pdf", Pages: e.Pages,
		})
	}
	rec := &recordReader{s: s, ctx: ctx, op: op, l: l, lang: lang}
	for i := range spec.Records {
		r := &spec.Records[i]
		d, err := rec.document(r)
		if err != nil {
			return nil, err
		}
		key := sectionFor(spec.Sections, string(r.Kind), r.Section)
		bySection[key] = append(bySection[key], d)
	}
	numbers := map[string]string{} // record item id -> "C2"
	for _, sec := range spec.Sections {
		docs := bySection[sec.Key]
		sortDocs(docs, sec.Order)
		for j := range docs {
			docs[j].Number = fmt.Sprintf("%s%d", sec.Key, j+1)
			numbers[docs[j].ID] = docs[j].Number
			if docs[j].ReviewID != "" && numbers["review:"+docs[j].ReviewID] == "" {
				numbers["review:"+docs[j].ReviewID] = docs[j].Number
			}
		}
		out.Sections = append(out.Sections, FrozenSection{Key: sec.Key, Title: form.Text{EN: sec.TitleEN, CY: sec.TitleCY},
			PageLimit: sec.PageLimit, Documents: docs})
	}
	if spec.Chronology {
		chron, err := rec.chronology(c, numbers, bundled(out.Sections))
		if err != nil {
			return nil, err
		}
		out.Chronology = chron
	}
	return out, nil
}

func caseHeading(k cynllun.CaseKind) form.Text {
	switch k {
	case cynllun.CaseDisagreement:
		return form.Text{EN: "Disagreement resolution", CY: "Datrys anghytundeb"}
	case cynllun.CaseReconsideration:
		return form.Text{EN: "Reconsideration by the local authority", CY: "Ailystyried gan yr awdurdod lleol"}
	}
	return form.Text{} // the Education Tribunal for Wales
}

// recordReader reads the learner's record for a bundle, once per kind.
type recordReader struct {
	s    *Service
	ctx  context.Context
	op   string
	l    *cynllun.Learner
	lang cynllun.RenderLanguage

	plans     map[string]*cynllun.Plan
	orgs      map[string]*cynllun.Organisation
	reviews   []*cynllun.Review
	deadlines []*cynllun.Deadline
	loaded    bool
}

func (r *recordReader) load() error {
	if r.loaded {
		return nil
	}
	ctx, op, st := r.ctx, r.op, r.s.store
	plans, err := st.PlansByLearner(ctx, []string{r.l.ID})
	if err != nil {
		return cynllun.AsError(op, err)
	}
	r.plans = map[string]*cynllun.Plan{}
	ids := make([]string, 0, len(plans))
	orgIDs := []string{r.l.LAID, r.l.SettingID}
	for _, p := range plans {
		r.plans[p.ID] = p
		ids = append(ids, p.ID)
		orgIDs = append(orgIDs, p.MaintainerID)
	}
	if r.reviews, err = st.ReviewsForPlans(ctx, ids); err != nil {
		return cynllun.AsError(op, err)
	}
	r.deadlines, err = st.ListDeadlines(ctx, cynllun.DeadlineQuery{Scope: cynllun.Scope{LearnerIDs: []string{r.l.ID}}, LearnerID: r.l.ID,
		Today: cynllun.Today(r.s.now()), Limit: 1000})
	if err != nil {
		return cynllun.AsError(op, err)
	}
	orgs, err := st.OrganisationsByID(ctx, dedupe(orgIDs))
	if err != nil {
		return cynllun.AsError(op, err)
	}
	r.orgs = map[string]*cynllun.Organisation{}
	for _, o := range orgs {
		r.orgs[o.ID] = o
	}
	r.loaded = true
	return nil
}

// pick is t in the bundle's language, as a document title is printed: a
// bilingual bundle gives "Cymraeg / English".
func (r *recordReader) pick(t form.Text) string { return docgen.Lang(r.lang).Pick(t) }

func (r *recordReader) orgName(id string) string {
	if o := r.orgs[id]; o != nil {
		return orgName(o, r.lang)
	}
	return ""
}

var (
	txtPlanVersion  = form.Text{EN: "Individual development plan, version %d", CY: "Cynllun datblygu unigol, fersiwn %d"}
	txtDraft        = form.Text{EN: " (draft)", CY: " (drafft)"}
	txtMeetingDoc   = form.Text{EN: "Record of the review meeting", CY: "Cofnod o'r cyfarfod adolygu"}
	txtLedgerDoc    = form.Text{EN: "Provision planned and delivered", CY: "Y ddarpariaeth a gynlluniwyd ac a ddarparwyd"}
	txtDeadlinesDoc = form.Text{EN: "Statutory time limits met and missed", CY: "Terfynau amser statudol a fodlonwyd ac a fethwyd"}
	txtFromRecord   = form.Text{EN: "From the record kept in Cynllun", CY: "O'r cofnod a gedwir yn Cynllun"}
)

func sprintfText(t form.Text, args ...any) form.Text {
	return form.Text{EN: fmt.Sprintf(t.EN, args...), CY: fmt.Sprintf(t.CY, args...)}
}

// document freezes one record item.
func (r *recordReader) document(it *cynllun.RecordItem) (FrozenDoc, error) {
	if err := r.load(); err != nil {
		return FrozenDoc{}, err
	}
	ctx, op, st := r.ctx, r.op, r.s.store
	d := FrozenDoc{ID: recordItemID(it), Kind: string(it.Kind)}
	notFound := func(what string) (FrozenDoc, error) {
		// The specification was checked when saved; the record may have
		// changed since (it never loses versions or reviews).
		return FrozenDoc{}, cynllun.Invalid(op, cynllun.FieldError{Field: "bundle.records", Message: "names a " + what + " that is not in the record"})
	}
	switch it.Kind {
	case cynllun.RecordPlanVersion:
		plan := r.plans[it.PlanID]
		if plan == nil {
			return notFound("plan")
		}
		vs, err := st.VersionsByID(ctx, []string{cynllun.VersionID(it.PlanID, it.Version)})
		if err != nil {
			return d, cynllun.AsError(op, err)
		}
		if len(vs) == 0 {
			return notFound("plan version")
		}
		t := sprintfText(txtPlanVersion, it.Version)
		if vs[0].Status != cynllun.VersionFinal {
			t.EN, t.CY = t.EN+txtDraft.EN, t.CY+txtDraft.CY
		}
		d.Title, d.Author, d.Date = r.pick(t), r.orgName(plan.MaintainerID), cynllun.DateOf(vs[0].CreatedAt.In(cynllun.London))
		d.PlanID, d.Version = it.PlanID, it.Version
	case cynllun.RecordMeetingRecord:
		var rv *cynllun.Review
		for _, x := range r.reviews {
			if x.ID == it.ReviewID {
				rv = x
			}
		}
		if rv == nil {
			return notFound("review")
		}
		rev := it.Revision
		if rev == 0 {
			rev = rv.Revision
		} else {
			var err error
			if rv, err = st.ReviewRevision(ctx, it.ReviewID, rev); err != nil {
				return d, cynllun.AsError(op, err)
			}
		}
		d.Title, d.Author, d.Date = r.pick(txtMeetingDoc), r.orgName(r.plans[rv.PlanID].MaintainerID), rv.HeldOn
		if d.Date.IsZero() && rv.Decision != nil {
			d.Date = rv.Decision.DecidedOn
		}
		d.ReviewID, d.Revision = it.ReviewID, rev
	case cynllun.RecordLedger:
		plan := r.plans[it.PlanID]
		if plan == nil {
			return notFound("plan")
		}
		lg, err := r.s.Ledger(ctx, LedgerQuery{PlanID: it.PlanID, From: it.From, To: it.To})
		if err != nil {
			return d, err
		}
		d.Title, d.Author, d.Date = r.pick(txtLedgerDoc)+", "+r.pick(docgen.PeriodText(lg.From, lg.To)), r.orgName(plan.MaintainerID), lg.To
		d.Table = ledgerTable(lg, r.l, r.s.now())
	case cynllun.RecordDeadlines:
		d.Title, d.Author, d.Date = r.pick(txtDeadlinesDoc), r.pick(txtFromRecord), cynllun.Today(r.s.now())
		d.Table = deadlinesTable(r.deadlines, it.PlanID, r.l, r.s.now())
	}
	return d, nil
}

// Columns and words of the tables from the record.
var (
	colProvision = form.Text{EN: "Provision (2B)", CY: "Darpariaeth (2B)"}
	colDelivery  = form.Text{EN: "Planned and delivered", CY: "Wedi'i gynllunio a'i ddarparu"}
	colShort     = form.Text{EN: "Periods short", CY: "Cyfnodau'n brin"}
	colRule      = form.Text{EN: "Rule", CY: "Rheol"}
	colDuty      = form.Text{EN: "Duty", CY: "Dyletswydd"}
	colStarted   = form.Text{EN: "Started", CY: "Dechreuwyd"}
	colDue       = form.Text{EN: "Due", CY: "Erbyn"}
	colStatus    = form.Text{EN: "Status", CY: "Statws"}
	colClosed    = form.Text{EN: "Closed", CY: "Caewyd"}
	txtNoRows    = form.Text{EN: "The plan has no provision rows.", CY: "Does dim rhesi darpariaeth yn y cynllun."}
	txtNoClocks  = form.Text{EN: "No statutory time limits recorded.", CY: "Dim terfynau amser statudol wedi'u cofnodi."}
	statusWords  = map[cynllun.DeadlineStatus]form.Text{
		cynllun.DeadlineOpen:          {EN: "Open", CY: "Ar agor"},
		cynllun.DeadlineMet:           {EN: "Met", CY: "Wedi'i fodloni"},
		cynllun.DeadlineMissed:        {EN: "Missed", CY: "Wedi'i fethu"},
		cynllun.DeadlineNotApplicable: {EN: "Not applicable", CY: "Ddim yn berthnasol"},
	}
	txtMetLate = form.Text{EN: "Met late", CY: "Wedi'i fodloni'n hwyr"}
)

func ledgerTable(lg *PlanLedger, l *cynllun.Learner, now time.Time) *docgen.TableDoc {
	t := &docgen.TableDoc{
		Title: txtLedgerDoc, Subtitle: docgen.PeriodText(lg.From, lg.To), Subject: l.FullName(), AsOf: now,
		Columns: []docgen.TableColumn{{Heading: colProvision, Width: 5}, {Heading: colDelivery, Width: 6}, {Heading: colShort, Width: 2}},
		Empty:   txtNoRows,
	}
	for i := range lg.Rows {
		row := &lg.Rows[i]
		lines := docgen.LedgerText(&row.RowSummary, lg.From, lg.To)
		delivery := form.Text{}
		for k, ln := range lines {
			if k > 0 {
				delivery.EN += "\n"
				delivery.CY += "\n"
			}
			delivery.EN += ln.EN
			delivery.CY += ln.CY
		}
		short := form.Text{EN: "–", CY: "–"}
		if row.PlannedKnown {
			short = form.Text{EN: fmt.Sprint(row.PeriodsShort), CY: fmt.Sprint(row.PeriodsShort)}
		}
		t.Rows = append(t.Rows, docgen.TableRow{
			Cells:    []form.Text{{EN: row.Row.Provision, CY: row.Row.Provision}, delivery, short},
			Emphasis: row.ShortfallSessions > 0 || row.ShortfallMinutes > 0,
		})
	}
	return t
}

// deadlinesTable lists the learner's clocks (of one plan, when planID is
// set) with how each ended.
func deadlinesTable(ds []*cynllun.Deadline, planID string, l *cynllun.Learner, now time.Time) *docgen.TableDoc {
	t := &docgen.TableDoc{
		Title: txtDeadlinesDoc, Subject: l.FullName(), AsOf: now, Empty: txtNoClocks,
		Columns: []docgen.TableColumn{{Heading: colRule, Width: 1}, {Heading: colDuty, Width: 5}, {Heading: colStarted, Width: 2},
			{Heading: colDue, Width: 2}, {Heading: colStatus, Width: 2}, {Heading: colClosed, Width: 2}},
	}
	today := cynllun.Today(now)
	sorted := slices.Clone(ds)
	slices.SortStableFunc(sorted, func(a, b *cynllun.Deadline) int {
		return cmp.Or(cmp.Compare(a.Start.String(), b.Start.String()), cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.ID, b.ID))
	})
	for _, d := range sorted {
		if planID != "" && d.PlanID != planID {
			continue
		}
		rule, _ := clock.RuleByID(d.RuleID)
		due := docgen.DateText(d.Due)
		if d.Due.IsZero() {
			due = clock.NoDueText(rule)
		}
		st := d.StatusOn(today)
		status := statusWords[st]
		if d.Late() {
			status = txtMetLate
		}
		closed := form.Text{}
		if d.Closure != nil {
			closed = docgen.DateText(d.Closure.On)
		}
		t.Rows = append(t.Rows, docgen.TableRow{
			Cells:    []form.Text{{EN: d.RuleID, CY: d.RuleID}, rule.Title, docgen.DateText(d.Start), due, status, closed},
			Emphasis: st == cynllun.DeadlineMissed || d.Late(),
		})
	}
	return t
}
