package service

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/policy"
)

// Subject access (UK GDPR Art. 15; issue 19). ExportSubjectAccess records
// the request (audited) and a job; the worker builds the archive with
// BuildSubjectAccess, as the requester, and stores it as a file of kind
// EXPORT that only those who may request an export may download (its
// download audited as subjectAccess.download). Who may ask is
// policy.SubjectAccess. Nothing of the learner's goes in the task payload
// or the logs: the job carries ids.

// SubjectAccessInput asks for the subject access export of a learner.
type SubjectAccessInput struct {
	LearnerID string
	// Language is the index's: EN, CY or BILINGUAL (default EN).
	Language cynllun.RenderLanguage
	Priority cynllun.JobPriority
	// IdempotencyKey, when set, makes a retry return the first request's
	// job (one export built, one request audited).
	IdempotencyKey string
}

// Audit parts of subject access.
const (
	AuditPartSubjectAccess         = "subjectAccess.export"
	AuditPartSubjectAccessDownload = "subjectAccess.download"
)

// ExportSubjectAccess starts building the subject access export of a
// learner's record: everything held about them, as one zip archive with
// an index in Language. The request is audited before the job is written.
// Those who may not read the learner get NOT_FOUND; those who may read
// but not export (parents, the young person, advocates) FORBIDDEN.
func (s *Service) ExportSubjectAccess(ctx context.Context, in SubjectAccessInput) (*cynllun.Job, error) {
	const op = "service.ExportSubjectAccess"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	lang, prio, errs := renderOptions(in.Language, in.Priority)
	if len(errs) > 0 {
		return nil, cynllun.Invalid(op, errs...)
	}
	l, err := s.learnerFor(ctx, p, op, in.LearnerID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	a := policy.SubjectAccess(p, l, now)
	if !a.OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not export this learner's record")
	}
	sent := SubjectAccessInput{LearnerID: l.ID, Language: lang, Priority: prio}
	return keyed(ctx, s, clientKey(op, "exportSubjectAccess", p, in.IdempotencyKey, cynllun.PrefixJob, sent),
		func(id string) (*cynllun.Job, error) {
			job := &cynllun.Job{
				ID: id, Kind: cynllun.JobSubjectAccess, Priority: prio, Status: cynllun.JobPending,
				LearnerID: l.ID, Language: lang, CreatedAt: now, CreatedBy: p.UserID, UpdatedAt: now,
			}
			ev := cynllun.AuditEvent{ID: cynllun.NewID(cynllun.PrefixAudit), At: now, ActorID: p.UserID, LearnerID: l.ID,
				Part: AuditPartSubjectAccess, Action: "request", Reason: string(a.Reason)}
			if err := s.audit(ctx, op, []cynllun.AuditEvent{ev}); err != nil {
				return nil, err
			}
			return s.startJob(ctx, op, job)
		}, func(id string) (*cynllun.Job, error) { return s.jobByID(ctx, op, id) })
}

// CanExportSubjectAccess says whether the principal may export l's record.
func (s *Service) CanExportSubjectAccess(ctx context.Context, l *cynllun.Learner) bool {
	p := cynllun.PrincipalFrom(ctx)
	return p != nil && policy.SubjectAccess(p, l, s.now()).OK
}

// PlanPDF renders a plan version to PDF in a language (the worker's
// renderer, with its rights contacts), for versions with no stored render.
type PlanPDF func(ctx context.Context, planID string, version int, lang cynllun.RenderLanguage) ([]byte, error)

// SubjectAccessExport is what BuildSubjectAccess wrote.
type SubjectAccessExport struct {
	// Name is the archive's download name (it names the learner: never
	// logged).
	Name string
	// Entries counts the archive's entries.
	Entries int
}

// BuildSubjectAccess writes the subject access export of job's learner
// to w as a zip archive. It runs as the job's requester, whose right to
// the export is checked again now (a role that ended since the request
// ends it: FORBIDDEN, not retried). The archive's contents are ordered and
// dated by the request (job.CreatedAt), so a retry writes the same
// entries. renderPDF renders versions that have no stored PDF.
func (s *Service) BuildSubjectAccess(ctx context.Context, job *cynllun.Job, w io.Writer, renderPDF PlanPDF) (*SubjectAccessExport, error) {
	const op = "service.BuildSubjectAccess"
	p, err := s.Authenticate(ctx, job.CreatedBy)
	if err != nil {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not export this learner's record")
	}
	ctx = cynllun.WithPrincipal(ctx, p)
	ls, err := s.store.LearnersByID(ctx, []string{job.LearnerID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(ls) == 0 {
		return nil, cynllun.NotFound(op, "learner")
	}
	l := ls[0]
	if !policy.SubjectAccess(p, l, s.now()).OK {
		return nil, cynllun.E(cynllun.CodeForbidden, op, "you may not export this learner's record")
	}
	b := &sarBuilder{s: s, ctx: ctx, op: op, job: job, l: l, lang: docgen.Lang(job.Language), zw: zip.NewWriter(w),
		people: map[string]bool{job.CreatedBy: true}}
	if err := b.build(renderPDF); err != nil {
		return nil, err
	}
	if err := b.zw.Close(); err != nil {
		return nil, cynllun.Internal(op, err)
	}
	return &SubjectAccessExport{Name: SubjectAccessFileName(l, job), Entries: len(b.index) + 2}, nil
}

// SubjectAccessFileName is the archive's download name.
func SubjectAccessFileName(l *cynllun.Learner, job *cynllun.Job) string {
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return -1
		}
		return r
	}, l.FullName())
	return fmt.Sprintf("Subject access %s %s %s.zip", name, cynllun.DateOf(job.CreatedAt.In(cynllun.London)), job.Language)
}

// sarEntry is one line of the index: a path in the archive and what it is.
type sarEntry struct {
	Path    string
	What    string
	Section form.Text
}

// sarBuilder writes one export.
type sarBuilder struct {
	s      *Service
	ctx    context.Context
	op     string
	job    *cynllun.Job
	l      *cynllun.Learner
	lang   docgen.Lang
	zw     *zip.Writer
	index  []sarEntry
	people map[string]bool // user ids named in the export
}

// Sections of the index, in order.
var (
	sarSecLearner  = form.Text{EN: "The learner", CY: "Y dysgwr"}
	sarSecPlans    = form.Text{EN: "Plans and every version", CY: "Cynlluniau a phob fersiwn"}
	sarSecReviews  = form.Text{EN: "Reviews", CY: "Adolygiadau"}
	sarSecLedger   = form.Text{EN: "Provision delivery ledger", CY: "Cofnod darparu'r ddarpariaeth"}
	sarSecClocks   = form.Text{EN: "Statutory events, deadlines and notices", CY: "Digwyddiadau statudol, terfynau amser a hysbysiadau"}
	sarSecCases    = form.Text{EN: "Cases and tribunal bundles", CY: "Achosion a bwndeli tribiwnlys"}
	sarSecFiles    = form.Text{EN: "Files", CY: "Ffeiliau"}
	sarSecAccess   = form.Text{EN: "Access to the record", CY: "Mynediad at y cofnod"}
	sarSecAudit    = form.Text{EN: "Audit trail", CY: "Trywydd archwilio"}
	sarSectionList = []form.Text{sarSecLearner, sarSecPlans, sarSecReviews, sarSecLedger, sarSecClocks, sarSecCases, sarSecFiles, sarSecAccess, sarSecAudit}
)

// t is a text of the index in its language (docgen.Lang.Pick: bilingual
// is Welsh, then English), with args filled in (in each language).
func (b *sarBuilder) t(en, cy string, args ...any) string {
	return b.lang.Pick(form.Text{EN: fmt.Sprintf(en, args...), CY: fmt.Sprintf(cy, args...)})
}

// add writes an entry and lists it in the index.
func (b *sarBuilder) add(sec form.Text, path string, data []byte, what string) error {
	hdr := &zip.FileHeader{Name: path, Method: zip.Deflate, Modified: b.job.CreatedAt.UTC()}
	fw, err := b.zw.CreateHeader(hdr)
	if err != nil {
		return cynllun.Internal(b.op, err)
	}
	if _, err := fw.Write(data); err != nil {
		return cynllun.Internal(b.op, err)
	}
	b.index = append(b.index, sarEntry{Path: path, What: what, Section: sec})
	return nil
}

// addJSON writes v as readable JSON (tidyJSON).
func (b *sarBuilder) addJSON(sec form.Text, path string, v any, what string) error {
	data, err := tidyJSON(v)
	if err != nil {
		return cynllun.Internal(b.op, err)
	}
	return b.add(sec, path, data, what)
}

func (b *sarBuilder) err(err error) error { return cynllun.AsError(b.op, err) }

func (b *sarBuilder) build(renderPDF PlanPDF) error {
	ctx, st, l := b.ctx, b.s.store, b.l
	// The learner, with their setting and LA by name, and any handover.
	orgIDs := []string{l.LAID}
	if l.SettingID != "" {
		orgIDs = append(orgIDs, l.SettingID)
	}
	orgs, err := st.OrganisationsByID(ctx, orgIDs)
	if err != nil {
		return b.err(err)
	}
	handovers, err := st.HandoversByLearner(ctx, []string{l.ID})
	if err != nil {
		return b.err(err)
	}
	if err := b.addJSON(sarSecLearner, "learner.json", map[string]any{"learner": l, "organisations": orgs, "handovers": handovers},
		b.t("The learner's record: names, date of birth, language, local authority, setting, looked-after status, and any handover to the young person",
			"Cofnod y dysgwr: enwau, dyddiad geni, iaith, awdurdod lleol, lleoliad, statws derbyn gofal, ac unrhyw drosglwyddo i'r person ifanc")); err != nil {
		return err
	}
	// Files first read (not written): the plans need to know which versions
	// have a stored PDF.
	files, err := st.FilesForLearner(ctx, l.ID)
	if err != nil {
		return b.err(err)
	}
	files = slices.DeleteFunc(files, func(f *cynllun.File) bool { return f.Kind == cynllun.FileExport })
	rendered := map[string]bool{}
	for _, f := range files {
		if f.PlanID != "" && f.ReviewID == "" && f.CaseID == "" && f.ContentType == "application/pdf" {
			rendered[cynllun.VersionID(f.PlanID, f.Version)] = true
		}
	}
	// Plans, every version with its content.
	plans, err := st.PlansByLearner(ctx, []string{l.ID})
	if err != nil {
		return b.err(err)
	}
	planIDs := make([]string, len(plans))
	for i, p := range plans {
		planIDs[i] = p.ID
		b.people[p.CreatedBy] = true
		if err := b.addJSON(sarSecPlans, "plans/"+p.ID+"/plan.json", p,
			b.t("Plan %s: who maintains it, its status and the history of its maintenance", "Cynllun %s: pwy sy'n ei gynnal, ei statws a hanes ei gynnal", p.ID)); err != nil {
			return err
		}
		list, err := st.ListVersions(ctx, p.ID, 0, 1<<20)
		if err != nil {
			return b.err(err)
		}
		ids := make([]string, len(list))
		for i, v := range list {
			ids[i] = v.ID
		}
		vs, err := st.VersionsByID(ctx, ids)
		if err != nil {
			return b.err(err)
		}
		slices.SortFunc(vs, func(a, c *cynllun.Version) int { return a.Number - c.Number })
		for _, v := range vs {
			b.people[v.CreatedBy] = true
			if err := b.addJSON(sarSecPlans, fmt.Sprintf("plans/%s/v%d.json", p.ID, v.Number), v,
				b.t("Plan %s, version %d (%s): its whole content as saved, and who saved it when", "Cynllun %s, fersiwn %d (%s): ei gynnwys cyfan fel y'i cadwyd, a phwy a'i cadwodd pryd", p.ID, v.Number, v.Status)); err != nil {
				return err
			}
			if rendered[v.ID] || renderPDF == nil {
				continue
			}
			pdf, err := renderPDF(ctx, p.ID, v.Number, b.job.Language)
			if err != nil {
				return b.err(err)
			}
			if err := b.add(sarSecPlans, fmt.Sprintf("plans/%s/v%d %s.pdf", p.ID, v.Number, b.job.Language), pdf,
				b.t("Plan %s, version %d as a PDF document, made for this export (no copy had been made before)", "Cynllun %s, fersiwn %d fel dogfen PDF, a wnaed ar gyfer yr allforio hwn (nid oedd copi wedi'i wneud o'r blaen)", p.ID, v.Number)); err != nil {
				return err
			}
		}
		// The ledger of the plan's provision.
		ss, err := st.Sessions(ctx, cynllun.SessionQuery{PlanID: p.ID})
		if err != nil {
			return b.err(err)
		}
		if len(ss) > 0 {
			for _, s := range ss {
				b.people[s.RecordedBy] = true
			}
			if err := b.addJSON(sarSecLedger, "ledger/"+p.ID+".json", ss,
				b.t("Provision delivery ledger of plan %s: %d sessions delivered or missed (voided ones too)", "Cofnod darparu darpariaeth cynllun %s: %d sesiwn a ddarparwyd neu a gollwyd (gan gynnwys rhai a ddilëwyd)", p.ID, len(ss))); err != nil {
				return err
			}
		}
	}
	// Reviews: every revision.
	reviews, err := st.ReviewsForPlans(ctx, planIDs)
	if err != nil {
		return b.err(err)
	}
	for _, r := range reviews {
		revs, err := st.ReviewRevisions(ctx, r.ID)
		if err != nil {
			return b.err(err)
		}
		for _, rv := range revs {
			if err := b.addJSON(sarSecReviews, fmt.Sprintf("reviews/%s/r%d.json", rv.ID, rv.Revision), rv,
				b.t("Review %s of plan %s, revision %d (%s, %s): the meeting, views, provision reviewed and decision", "Adolygiad %s o gynllun %s, diwygiad %d (%s, %s): y cyfarfod, safbwyntiau, y ddarpariaeth a adolygwyd a'r penderfyniad", rv.ID, rv.PlanID, rv.Revision, rv.Type, rv.Status)); err != nil {
				return err
			}
		}
	}
	if err := b.clocks(); err != nil {
		return err
	}
	if err := b.cases(); err != nil {
		return err
	}
	// Every file: uploads, rendered documents, evidence, bundles.
	for i, f := range files {
		data, err := st.ReadFile(ctx, f.ID)
		if err != nil {
			return b.err(err)
		}
		b.people[f.CreatedBy] = true
		if err := b.add(sarSecFiles, fmt.Sprintf("files/%03d %s", i+1, safeEntryName(f.Name)), data, b.fileWhat(f)); err != nil {
			return err
		}
	}
	if err := b.access(); err != nil {
		return err
	}
	if err := b.audit(); err != nil {
		return err
	}
	if err := b.peopleEntry(); err != nil {
		return err
	}
	return b.writeIndex()
}

// clocks writes the statutory events, the deadlines with their working and
// the notices with their deliveries.
func (b *sarBuilder) clocks() error {
	ctx, st, l := b.ctx, b.s.store, b.l
	evs, err := st.EventsForLearner(ctx, l.ID)
	if err != nil {
		return b.err(err)
	}
	for _, e := range evs {
		b.people[e.RecordedBy] = true
	}
	if err := b.addJSON(sarSecClocks, "events.json", evs,
		b.t("Statutory events recorded or derived (%d): each starts or ends statutory clocks", "Digwyddiadau statudol a gofnodwyd neu a ddeilliwyd (%d): mae pob un yn dechrau neu'n gorffen clociau statudol", len(evs))); err != nil {
		return err
	}
	ds, err := st.ListDeadlines(ctx, cynllun.DeadlineQuery{Scope: cynllun.Scope{LearnerIDs: []string{l.ID}}, LearnerID: l.ID})
	if err != nil {
		return b.err(err)
	}
	type deadlineOut struct {
		Deadline    *cynllun.Deadline
		StatusToday cynllun.DeadlineStatus
		Calculation any
	}
	today := cynllun.Today(b.job.CreatedAt)
	out := make([]deadlineOut, len(ds))
	var noticeList []*cynllun.Notice
	for i, d := range ds {
		out[i] = deadlineOut{Deadline: d, StatusToday: d.StatusOn(today)}
		if d.Closure != nil {
			b.people[d.Closure.By] = true
		}
		if w, err := b.s.DeadlineWorking(ctx, d); err == nil && w != nil {
			out[i].Calculation = w
		}
		ns, err := st.NoticesForDeadline(ctx, d.ID)
		if err != nil {
			return b.err(err)
		}
		noticeList = append(noticeList, ns...)
	}
	if err := b.addJSON(sarSecClocks, "deadlines.json", out,
		b.t("Statutory deadlines (%d): the rule, the event that started each, its due date with every day counted and skipped, and how it closed", "Terfynau amser statudol (%d): y rheol, y digwyddiad a ddechreuodd bob un, ei ddyddiad dyledus gyda phob diwrnod a gyfrifwyd ac a hepgorwyd, a sut y daeth i ben", len(ds))); err != nil {
		return err
	}
	ids := make([]string, len(noticeList))
	for i, n := range noticeList {
		ids[i] = n.ID
		if n.Channel == cynllun.ChannelEmail {
			b.people[n.Recipient] = true
		}
	}
	var dels []cynllun.Delivery
	if len(ids) > 0 {
		if dels, err = st.DeliveriesForNotices(ctx, ids); err != nil {
			return b.err(err)
		}
	}
	return b.addJSON(sarSecClocks, "notices.json", map[string]any{"notices": noticeList, "deliveries": dels},
		b.t("Deadline notices raised (%d), to whom and by which channel, with every delivery attempt (%d)", "Hysbysiadau terfyn amser a godwyd (%d), i bwy a thrwy ba sianel, gyda phob ymgais i'w danfon (%d)", len(noticeList), len(dels)))
}

// cases writes each case's revisions, evidence and bundles.
func (b *sarBuilder) cases() error {
	ctx, st := b.ctx, b.s.store
	cs, err := st.CasesForLearners(ctx, []string{b.l.ID})
	if err != nil {
		return b.err(err)
	}
	for _, c := range cs {
		revs, err := st.CaseRevisions(ctx, c.ID)
		if err != nil {
			return b.err(err)
		}
		if err := b.addJSON(sarSecCases, "cases/"+c.ID+"/case.json", revs,
			b.t("Case %s (%s): every revision (%d), with its parties, dates and outcome", "Achos %s (%s): pob diwygiad (%d), gyda'i bartïon, dyddiadau a chanlyniad", c.ID, c.Kind, len(revs))); err != nil {
			return err
		}
		ev, err := st.EvidenceForCase(ctx, c.ID)
		if err != nil {
			return b.err(err)
		}
		for _, e := range ev {
			b.people[e.CreatedBy] = true
		}
		if err := b.addJSON(sarSecCases, "cases/"+c.ID+"/evidence.json", ev,
			b.t("Evidence on case %s (%d documents, withdrawn ones too): who filed each, its side and disclosure; the documents are under files/", "Tystiolaeth ar achos %s (%d dogfen, gan gynnwys rhai a dynnwyd yn ôl): pwy a ffeiliodd bob un, ei ochr a'i datgelu; mae'r dogfennau o dan files/", c.ID, len(ev))); err != nil {
			return err
		}
		bs, err := st.BundlesForCase(ctx, c.ID)
		if err != nil {
			return b.err(err)
		}
		if err := b.addJSON(sarSecCases, "cases/"+c.ID+"/bundles.json", bs,
			b.t("Tribunal bundles of case %s (%d versions): their contents and pages; rendered bundles are under files/", "Bwndeli tribiwnlys achos %s (%d fersiwn): eu cynnwys a'u tudalennau; mae'r bwndeli a gynhyrchwyd o dan files/", c.ID, len(bs))); err != nil {
			return err
		}
	}
	return nil
}

// access writes who has or had access through the learner, and the
// invitations to advocates (without addresses: another person's data).
func (b *sarBuilder) access() error {
	ctx, st := b.ctx, b.s.store
	rels, err := st.RelationshipsForLearner(ctx, b.l.ID)
	if err != nil {
		return b.err(err)
	}
	inviters := map[string]bool{}
	for _, r := range rels {
		b.people[r.UserID], b.people[r.CreatedBy], b.people[r.ConsentBy] = true, true, true
		if r.Kind == cynllun.RelParentOf || r.Kind == cynllun.RelSelf {
			inviters[r.UserID] = true
		}
	}
	if err := b.addJSON(sarSecAccess, "access/relationships.json", rels,
		b.t("Who has or had access to the record as parent, young person or advocate (%d), who granted it, with what consent and until when", "Pwy sydd neu a oedd â mynediad at y cofnod fel rhiant, person ifanc neu eiriolwr (%d), pwy a'i rhoddodd, gyda pha ganiatâd a than pryd", len(rels))); err != nil {
		return err
	}
	type invitationOut struct {
		ID, Kind, CaseID, CreatedBy, GrantedAs, Status string
		EndsAt, ExpiresAt, CreatedAt, AcceptedAt       time.Time
		AcceptedBy, CancelledBy                        string
		CancelledAt                                    time.Time
	}
	var invs []invitationOut
	for _, u := range slices.Sorted(mapsKeys(inviters)) {
		list, err := st.InvitationsBy(ctx, u)
		if err != nil {
			return b.err(err)
		}
		for _, i := range list {
			if i.LearnerID != b.l.ID {
				continue
			}
			b.people[i.AcceptedBy], b.people[i.CancelledBy] = true, true
			invs = append(invs, invitationOut{ID: i.ID, Kind: string(i.Kind), CaseID: i.CaseID, CreatedBy: i.CreatedBy, GrantedAs: i.GrantedAs,
				Status: string(i.StatusAt(b.job.CreatedAt)), EndsAt: i.EndsAt, ExpiresAt: i.ExpiresAt, CreatedAt: i.CreatedAt,
				AcceptedAt: i.AcceptedAt, AcceptedBy: i.AcceptedBy, CancelledBy: i.CancelledBy, CancelledAt: i.CancelledAt})
		}
	}
	slices.SortFunc(invs, func(a, c invitationOut) int { return cmpTimeID(a.CreatedAt, a.ID, c.CreatedAt, c.ID) })
	return b.addJSON(sarSecAccess, "access/invitations.json", invs,
		b.t("Invitations to advocates (%d) and what became of them; the invitees' email addresses are left out", "Gwahoddiadau i eiriolwyr (%d) a'r hyn a ddigwyddodd iddynt; mae cyfeiriadau e-bost y rhai a wahoddwyd wedi'u hepgor", len(invs)))
}

// audit writes the whole audit trail of the learner, oldest first.
func (b *sarBuilder) audit() error {
	var all []cynllun.AuditEvent
	q := cynllun.AuditQuery{LearnerID: b.l.ID, Limit: 500}
	for {
		page, err := b.s.store.ListAudit(b.ctx, q)
		if err != nil {
			return b.err(err)
		}
		all = append(all, page...)
		if len(page) < q.Limit {
			break
		}
		last := page[len(page)-1]
		q.BeforeAt, q.BeforeID = last.At, last.ID
	}
	slices.Reverse(all)
	for _, e := range all {
		b.people[e.ActorID] = true
	}
	return b.addJSON(sarSecAudit, "audit.json", all,
		b.t("Audit trail (%d events), oldest first: who read, downloaded, compared or changed access to what about the learner, when, and the relationship that allowed it", "Trywydd archwilio (%d digwyddiad), yr hynaf yn gyntaf: pwy a ddarllenodd, a lwythodd i lawr, a gymharodd neu a newidiodd fynediad at beth am y dysgwr, pryd, a'r berthynas a'i caniataodd", len(all)))
}

// peopleEntry names the people the export refers to by id: names only,
// no contact details.
func (b *sarBuilder) peopleEntry() error {
	delete(b.people, "")
	delete(b.people, "seed")
	ids := slices.Sorted(mapsKeys(b.people))
	us, err := b.s.store.UsersByID(b.ctx, ids)
	if err != nil {
		return b.err(err)
	}
	type person struct{ ID, Name string }
	out := make([]person, 0, len(us))
	for _, u := range us {
		out = append(out, person{ID: u.ID, Name: u.Name})
	}
	slices.SortFunc(out, func(a, c person) int { return strings.Compare(a.ID, c.ID) })
	return b.addJSON(sarSecAccess, "people.json", out,
		b.t("The people this export names by their ids (usr_…): names only, no contact details", "Y bobl a enwir yn yr allforio hwn yn ôl eu dynodwyr (usr_…): enwau yn unig, dim manylion cyswllt"))
}

// fileWhat says what a stored file is.
func (b *sarBuilder) fileWhat(f *cynllun.File) string {
	var what string
	switch {
	case f.Kind == cynllun.FileUpload && f.CaseID != "":
		what = b.t("Evidence document filed on case %s", "Dogfen dystiolaeth a ffeiliwyd ar achos %s", f.CaseID)
	case f.Kind == cynllun.FileUpload:
		what = b.t("Attachment uploaded to the record", "Atodiad a uwchlwythwyd i'r cofnod")
	case f.CaseID != "":
		what = b.t("Tribunal bundle of case %s, or its manifest", "Bwndel tribiwnlys achos %s, neu ei faniffest", f.CaseID)
	case f.ReviewID != "":
		what = b.t("Meeting record of review %s, as rendered", "Cofnod cyfarfod adolygiad %s, fel y'i cynhyrchwyd", f.ReviewID)
	default:
		what = b.t("Plan %s, version %d, as rendered", "Cynllun %s, fersiwn %d, fel y'i cynhyrchwyd", f.PlanID, f.Version)
	}
	return what + fmt.Sprintf(" — %s, %s, %d B, SHA-256 %s", f.Name, f.ContentType, f.Size, f.SHA256)
}

// writeIndex writes index.txt and index.html in the job's language.
func (b *sarBuilder) writeIndex() error {
	l := b.l
	title := b.t("Subject access request: a copy of the record held", "Cais gwrthrych am wybodaeth: copi o'r cofnod a gedwir")
	head := [][2]string{
		{b.t("Learner", "Dysgwr"), l.FullName() + " (" + l.ID + ")"},
		{b.t("Date of birth", "Dyddiad geni"), l.DateOfBirth.String()},
		{b.t("Record as held on", "Y cofnod fel yr oedd ar"), b.job.CreatedAt.In(cynllun.London).Format("2006-01-02 15:04 MST")},
		{b.t("Requested by", "Gofynnwyd amdano gan"), b.requester()},
		{b.t("Export", "Allforio"), b.job.ID},
	}
	intro := b.t("This archive holds everything Cynllun holds about the learner: each item below is a file in the archive, with what it is. Records are JSON files (readable in any text editor); documents are as they were stored. People are named by their ids: people.json gives their names.",
		"Mae'r archif hon yn cynnwys popeth y mae Cynllun yn ei gadw am y dysgwr: mae pob eitem isod yn ffeil yn yr archif, gyda'r hyn ydyw. Ffeiliau JSON yw'r cofnodion (gellir eu darllen mewn unrhyw olygydd testun); mae'r dogfennau fel y'u cadwyd. Enwir pobl yn ôl eu dynodwyr: mae people.json yn rhoi eu henwau.")
	type section struct {
		Title   string
		Entries []sarEntry
	}
	var secs []section
	for _, s := range sarSectionList {
		var es []sarEntry
		for _, e := range b.index {
			if e.Section == s {
				es = append(es, e)
			}
		}
		if len(es) > 0 {
			secs = append(secs, section{Title: b.lang.Pick(s), Entries: es})
		}
	}
	var txt strings.Builder
	fmt.Fprintf(&txt, "%s\n%s\n\n", title, strings.Repeat("=", len([]rune(title))))
	for _, h := range head {
		fmt.Fprintf(&txt, "%s: %s\n", h[0], h[1])
	}
	fmt.Fprintf(&txt, "\n%s\n", intro)
	for _, s := range secs {
		fmt.Fprintf(&txt, "\n%s\n%s\n", s.Title, strings.Repeat("-", len([]rune(s.Title))))
		for _, e := range s.Entries {
			fmt.Fprintf(&txt, "%s\n    %s\n", e.Path, e.What)
		}
	}
	htmlLang := map[docgen.Lang]string{docgen.LangEN: "en", docgen.LangCY: "cy", docgen.LangBilingual: "cy"}[b.lang]
	var page bytes.Buffer
	if err := sarIndexHTML.Execute(&page, map[string]any{"Lang": htmlLang, "Title": title, "Head": head, "Intro": intro, "Sections": secs}); err != nil {
		return cynllun.Internal(b.op, err)
	}
	// The index entries come first in the archive's directory listing of
	// most tools only by name; they are written last, when all is known.
	if err := b.addRaw("index.txt", []byte(txt.String())); err != nil {
		return err
	}
	return b.addRaw("index.html", page.Bytes())
}

// requester names who asked for the export.
func (b *sarBuilder) requester() string {
	us, err := b.s.store.UsersByID(b.ctx, []string{b.job.CreatedBy})
	if err != nil || len(us) == 0 || us[0].Name == "" {
		return b.job.CreatedBy
	}
	return us[0].Name + " (" + b.job.CreatedBy + ")"
}

// addRaw writes an entry that is not listed in the index.
func (b *sarBuilder) addRaw(path string, data []byte) error {
	fw, err := b.zw.CreateHeader(&zip.FileHeader{Name: path, Method: zip.Deflate, Modified: b.job.CreatedAt.UTC()})
	if err != nil {
		return cynllun.Internal(b.op, err)
	}
	if _, err := fw.Write(data); err != nil {
		return cynllun.Internal(b.op, err)
	}
	return nil
}

var sarIndexHTML = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}dt{font-family:monospace;margin-top:.6em}td,th{text-align:left;padding:.2em .6em}</style>
</head>
<body>
<h1>{{.Title}}</h1>
<table>{{range .Head}}<tr><th scope="row">{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>
<p>{{.Intro}}</p>
{{range .Sections}}<h2>{{.Title}}</h2>
<dl>{{range .Entries}}<dt><a href="{{.Path}}">{{.Path}}</a></dt><dd>{{.What}}</dd>{{end}}</dl>
{{end}}</body>
</html>
`))

// safeEntryName keeps a stored file's name usable as one archive entry.
func safeEntryName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
	if strings.Trim(s, ". ") == "" {
		return "file"
	}
	return s
}

func mapsKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func cmpTimeID(a time.Time, aid string, c time.Time, cid string) int {
	if n := a.Compare(c); n != 0 {
		return n
	}
	return strings.Compare(aid, cid)
}

// tidyJSON is v as indented JSON made for reading: dates as YYYY-MM-DD,
// and empty fields (null, "", zero times, empty lists and objects) left
// out. Object keys come in alphabetical order.
func tidyJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	tree, _ = tidy(tree)
	if tree == nil {
		tree = []any{}
	}
	return json.MarshalIndent(tree, "", "  ")
}

// tidy returns v tidied, and false when it is empty and should be left out.
func tidy(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case string:
		return x, x != "" && x != "0001-01-01T00:00:00Z"
	case map[string]any:
		if len(x) == 3 {
			y, ok1 := x["Year"].(json.Number)
			m, ok2 := x["Month"].(json.Number)
			d, ok3 := x["Day"].(json.Number)
			if ok1 && ok2 && ok3 {
				if y == "0" && m == "0" && d == "0" {
					return nil, false
				}
				yi, _ := y.Int64()
				mi, _ := m.Int64()
				di, _ := d.Int64()
				return fmt.Sprintf("%04d-%02d-%02d", yi, mi, di), true
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			if t, ok := tidy(e); ok {
				out[k] = t
			}
		}
		return out, len(out) > 0
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			t, ok := tidy(e)
			if !ok {
				t = nil
			}
			out = append(out, t)
		}
		return out, len(out) > 0
	}
	return v, true
}
