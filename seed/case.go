package seed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/service"
)

func init() {
	// pdfcpu must not create a config directory: it exits the process when
	// it cannot (as in worker and bundle).
	model.ConfigPath = "disable"
}

// Fixed ids of the sample tribunal case and its evidence.
const (
	CaseID           = cynllun.PrefixCase + "sample"
	DecisionLetterID = cynllun.PrefixEvidence + "sample_decision"
	EPReportID       = cynllun.PrefixEvidence + "sample_ep_report"
)

// SampleCase is the sample tribunal case: Siôn's mother appeals to the
// Education Tribunal for Wales against Cardiff's decision about his speech
// and language therapy, decided 12 days ago and notified 10 days ago, so
// the T17 clock (the time to appeal) is running. The case is being
// prepared (OPEN); its bundle is bilingual, with the default sections and
// the plan, the review's meeting record, the ledger and the deadlines from
// the record.
func SampleCase(now time.Time) *cynllun.Case {
	at := now.UTC()
	london := func(days int) cynllun.Date { return cynllun.DateOf(now.AddDate(0, 0, days).In(cynllun.London)) }
	d := service.DefaultBundleSections()
	c := &cynllun.Case{
		ID: CaseID, Revision: 1, LearnerID: Learner1ID, LAID: CardiffID, SettingID: SchoolID, Kind: cynllun.CaseAppeal, Status: cynllun.CaseOpen,
		Title: "Apêl ynghylch therapi lleferydd ac iaith / Appeal about speech and language therapy",
		Decision: cynllun.DisputedDecision{
			Kind: cynllun.DisputedProvision,
			Description: "Cardiff Council, reconsidering the school's IDP, decided that 45 minutes a week of 1:1 speech and language " +
				"therapy meets Siôn's needs and refused to add sessions to make up those missed.",
			MadeBy: CardiffID, DecidedOn: london(-12), NoticeGivenOn: london(-10),
		},
		Issues: []string{
			"Whether 45 minutes a week of 1:1 speech and language therapy is enough to meet Siôn's speech, language and communication needs.",
			"Whether the IDP should say how therapy sessions that are missed are made up.",
			"Whether the educational psychologist's recommendations should be specified as additional learning provision.",
		},
		Parties: []cynllun.Party{
			{Role: cynllun.PartyAppellant, Name: "Ceri Llywelyn", UserID: ParentID},
			{Role: cynllun.PartyRespondent, Name: "Cardiff Council", Organisation: "Cyngor Caerdydd / Cardiff Council", OrgID: CardiffID},
			{Role: cynllun.PartyAdvocate, Name: "Elin Morgan", Organisation: "Gwasanaeth eirioli annibynnol (enghraifft) / Independent advocacy service (sample)", Represents: cynllun.PartyAppellant},
		},
		Bundle: cynllun.BundleSpec{
			Language: cynllun.RenderBilingual, Sections: d.Sections, Chronology: true, ChronologyAfter: d.ChronologyAfter,
			Records: []cynllun.RecordItem{
				{Kind: cynllun.RecordPlanVersion, PlanID: PlanID, Version: 2},
				{Kind: cynllun.RecordMeetingRecord, ReviewID: ReviewID},
				{Kind: cynllun.RecordLedger, PlanID: PlanID},
				{Kind: cynllun.RecordDeadlines},
			},
		},
		CreatedAt: at, CreatedBy: OfficerID, UpdatedAt: at, UpdatedBy: OfficerID,
	}
	// The section each record goes in, as the service fills it in: the
	// first that takes its kind.
	for i := range c.Bundle.Records {
		c.Bundle.Records[i].Section = sectionFor(c.Bundle.Sections, string(c.Bundle.Records[i].Kind))
	}
	c.Events = map[cynllun.EventKind]string{
		cynllun.EventDecisionNoticeGiven: caseEventID(c.ID, cynllun.EventDecisionNoticeGiven, c.Decision.NoticeGivenOn),
	}
	return c
}

// sectionFor is the first section that takes documents of kind, else the
// last (service.sectionFor for a document that names no section).
func sectionFor(secs []cynllun.BundleSection, kind string) string {
	for _, s := range secs {
		if slices.Contains(s.Takes, kind) {
			return s.Key
		}
	}
	if len(secs) == 0 {
		return ""
	}
	return secs[len(secs)-1].Key
}

// caseEventID is the id the service gives the event a case's date is
// recorded as (service.caseEventID, unexported there): the first 12 bytes
// of the SHA-256 of "case/<case id>/<event kind>/<YYYY-MM-DD>", in hex,
// after "evt_c". The seed's tests check it against the service's.
func caseEventID(caseID string, kind cynllun.EventKind, on cynllun.Date) string {
	sum := sha256.Sum256([]byte("case/" + caseID + "/" + string(kind) + "/" + on.String()))
	return cynllun.PrefixEvent + "c" + hex.EncodeToString(sum[:12])
}

// sampleCase stores the sample case, its T17 clock and its evidence. When
// the case exists already (seeded on an earlier day, or changed since in
// the demo), the clock and the evidence are those of the stored case, so
// seeding again on another day starts no second clock and stores no file
// that no evidence points to.
func sampleCase(ctx context.Context, st cynllun.Store, now time.Time) error {
	c := SampleCase(now)
	if err := st.InsertCase(ctx, c); err != nil {
		if cynllun.ErrorCode(err) != cynllun.CodeConflict {
			return err
		}
		cs, err := st.CasesByID(ctx, []string{CaseID})
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return fmt.Errorf("seed: case %s conflicts but cannot be read", CaseID)
		}
		c = cs[0]
	}
	if err := caseClock(ctx, st, c); err != nil {
		return err
	}
	return caseEvidence(ctx, st, c)
}

// caseClock stores the DECISION_NOTICE_GIVEN event of the case and the T17
// clock it starts, as the service's OpenCase records them (the only rule
// that event starts; T17 counts calendar days and working days, so it
// needs no term calendar, only the bank holidays clock.Compute holds).
func caseClock(ctx context.Context, st cynllun.Store, c *cynllun.Case) error {
	id := c.Events[cynllun.EventDecisionNoticeGiven]
	if id == "" || c.Decision.NoticeGivenOn.IsZero() {
		return nil
	}
	ev := &cynllun.StatutoryEvent{ID: id, Kind: cynllun.EventDecisionNoticeGiven, LearnerID: c.LearnerID, CaseID: c.ID,
		OrgID: c.Decision.MadeBy, On: c.Decision.NoticeGivenOn, Decision: c.Decision.Kind, RecordedAt: c.CreatedAt, RecordedBy: c.CreatedBy, System: true}
	if err := ignoreConflict(st.InsertEvent(ctx, ev)); err != nil {
		return err
	}
	rule, ok := clock.RuleByID("T17")
	if !ok {
		return fmt.Errorf("seed: clock rule T17 is missing")
	}
	d := &cynllun.Deadline{ID: cynllun.DeadlineID(rule.ID, ev.ID), RuleID: rule.ID, LearnerID: c.LearnerID, CaseID: c.ID, OrgID: ev.OrgID,
		LAID: CardiffID, SettingID: SchoolID, StartEventID: ev.ID, Start: ev.On, CreatedAt: c.CreatedAt}
	if r, err := clock.Compute(rule, ev.On, nil, clock.DefaultSettings()); err == nil {
		d.Due = r.Due
	} else {
		// As the service: why there is no due date (the bank holiday data
		// not reaching that far).
		e := cynllun.AsError("seed.caseClock", err)
		d.Problem = e.Message
		if len(e.Fields) > 0 {
			d.Problem = e.Fields[0].Message
		}
	}
	return st.InsertDeadlines(ctx, []*cynllun.Deadline{d})
}

// EvidenceDoc is a sample evidence document: the PDF, its file and its
// evidence record, as service.AddEvidence stores them.
type EvidenceDoc struct {
	Evidence *cynllun.CaseEvidence
	File     *cynllun.File
	Data     []byte
}

// SampleEvidence renders the sample case's two documents, made up for the
// demo and marked as such: the council's decision letter (section A) and
// an educational psychologist's report the family commissioned (section
// D). Their text and dates come from c only, and they carry no "record as
// at" time (their dates are in their rows), so the same case gives the
// same bytes and the same file ids.
func SampleEvidence(c *cynllun.Case) ([]EvidenceDoc, error) {
	notice := c.Decision.NoticeGivenOn
	epDate := notice.AddDays(6)
	sampleNote := form.Text{
		EN: "Sample document: made-up content for the Cynllun demo. It is not a real decision or report.",
		CY: "Dogfen enghreifftiol: cynnwys ffug ar gyfer arddangosiad Cynllun. Nid yw'n benderfyniad nac yn adroddiad go iawn.",
	}
	en := func(s string) form.Text { return form.Text{EN: s} }
	docs := []struct {
		id, name, title, author, by string
		kind                        cynllun.EvidenceKind
		section                     string
		date                        cynllun.Date
		table                       docgen.TableDoc
	}{{
		id: DecisionLetterID, name: "decision-letter.pdf", title: "Llythyr penderfyniad / Decision letter",
		author: "Cardiff Council (ALN team)", by: OfficerID, kind: cynllun.EvidenceDecision, section: "A", date: notice,
		table: docgen.TableDoc{
			Title:    form.Text{EN: "Decision letter", CY: "Llythyr penderfyniad"},
			Subtitle: form.Text{EN: "Cardiff Council: decision about additional learning provision", CY: "Cyngor Caerdydd: penderfyniad am ddarpariaeth ddysgu ychwanegol"},
			Subject:  "Siôn Llywelyn",
			Columns:  []docgen.TableColumn{{Heading: form.Text{EN: "Item", CY: "Eitem"}, Width: 1}, {Heading: form.Text{EN: "Details", CY: "Manylion"}, Width: 3}},
			Rows: []docgen.TableRow{
				{Cells: []form.Text{{EN: "Date of decision", CY: "Dyddiad y penderfyniad"}, docgen.DateText(c.Decision.DecidedOn)}},
				{Cells: []form.Text{{EN: "Decision", CY: "Penderfyniad"}, en(c.Decision.Description)}},
				{Cells: []form.Text{{EN: "Reasons", CY: "Rhesymau"}, en("The speech and language therapist's assessment supports 45 minutes a week of 1:1 therapy. " +
					"The health board has agreed to arrange cover when the therapist is away, so no extra sessions are needed.")}},
				{Cells: []form.Text{{EN: "Date of this notice", CY: "Dyddiad yr hysbysiad hwn"}, docgen.DateText(notice)}},
				{Cells: []form.Text{{EN: "Right of appeal", CY: "Hawl i apelio"}, en("You may appeal against this decision to the Education Tribunal for Wales. " +
					"The Tribunal must receive your appeal by the first working day after the end of 8 weeks beginning on the date of this notice.\n" +
					"You may also ask for the council's arrangements for avoiding and resolving disagreements; this does not take away your right to appeal.")}},
				{Cells: []form.Text{{EN: "Contact", CY: "Cyswllt"}, {EN: "Dafydd ap Gwilym, ALN officer, Cardiff Council (sample)", CY: "Dafydd ap Gwilym, swyddog ADY, Cyngor Caerdydd (enghraifft)"}}},
			},
			Notes: []form.Text{sampleNote},
		},
	}, {
		id: EPReportID, name: "educational-psychology-report.pdf", title: "Adroddiad seicoleg addysg / Educational psychology report",
		author: "Dr Non Thomas, seicolegydd addysg (enghraifft) / educational psychologist (sample)", by: ParentID, kind: cynllun.EvidenceReport, section: "D", date: epDate,
		table: docgen.TableDoc{
			Title:    form.Text{EN: "Educational psychology report", CY: "Adroddiad seicoleg addysg"},
			Subtitle: form.Text{EN: "Independent assessment commissioned by the family", CY: "Asesiad annibynnol a gomisiynwyd gan y teulu"},
			Subject:  "Siôn Llywelyn",
			Columns:  []docgen.TableColumn{{Heading: form.Text{EN: "Section", CY: "Adran"}, Width: 1}, {Heading: form.Text{EN: "Findings", CY: "Canfyddiadau"}, Width: 3}},
			Rows: []docgen.TableRow{
				{Cells: []form.Text{{EN: "Date of report", CY: "Dyddiad yr adroddiad"}, docgen.DateText(epDate)}},
				{Cells: []form.Text{{EN: "Background", CY: "Cefndir"}, en("Siôn is 9 and attends Ysgol Gymraeg Glan Taf, a Welsh-medium primary school. " +
					"He was seen at school, and his mother and his class teacher were consulted.")}},
				{Cells: []form.Text{{EN: "Assessment", CY: "Asesiad"}, en("Receptive language is about two years below age expectations; non-verbal reasoning is in the average range. " +
					"Working memory for spoken information is a relative weakness.")}},
				{Cells: []form.Text{{EN: "Observation", CY: "Arsylwi"}, en("In a whole-class lesson Siôn followed one-step instructions but needed prompts for two-step instructions, " +
					"and did not offer answers. In small-group work he contributed when he was given time to answer.")}},
				{Cells: []form.Text{{EN: "Recommendations", CY: "Argymhellion"}, en("1. At least 45 minutes a week of 1:1 speech and language therapy, in Welsh.\n" +
					"2. Therapy sessions that are missed to be made up within four weeks.\n" +
					"3. Key vocabulary taught before each new topic.\n" +
					"4. A visual timetable and a now/next board in every lesson.")}},
			},
			Notes: []form.Text{sampleNote},
		},
	}}
	out := make([]EvidenceDoc, 0, len(docs))
	for _, d := range docs {
		pdf, err := docgen.RenderTable(d.table, docgen.LangBilingual)
		if err != nil {
			return nil, fmt.Errorf("seed: render %s: %w", d.name, err)
		}
		pages, err := api.PageCount(bytes.NewReader(pdf), model.NewDefaultConfiguration())
		if err != nil {
			return nil, fmt.Errorf("seed: count the pages of %s: %w", d.name, err)
		}
		sum := sha256.Sum256(pdf)
		hexSum := hex.EncodeToString(sum[:])
		at := c.CreatedAt
		f := &cynllun.File{ID: cynllun.CaseFileID(c.ID, hexSum), Name: d.name, ContentType: "application/pdf", Size: int64(len(pdf)),
			Pages: pages, SHA256: hexSum, LearnerID: c.LearnerID, CaseID: c.ID, Kind: cynllun.FileUpload, CreatedBy: d.by, CreatedAt: at}
		e := &cynllun.CaseEvidence{ID: d.id, CaseID: c.ID, LearnerID: c.LearnerID, FileID: f.ID, ContentType: f.ContentType,
			Pages: pages, SHA256: hexSum, Size: f.Size, Title: d.title, Date: d.date, Author: d.author, Kind: d.kind,
			Section: d.section, CreatedAt: at, CreatedBy: d.by}
		out = append(out, EvidenceDoc{Evidence: e, File: f, Data: pdf})
	}
	return out, nil
}

// caseEvidence stores the sample evidence the case does not have yet: the
// file first, as the service does, so evidence never names a missing file.
func caseEvidence(ctx context.Context, st cynllun.Store, c *cynllun.Case) error {
	have, err := st.EvidenceByID(ctx, []string{DecisionLetterID, EPReportID})
	if err != nil {
		return err
	}
	if len(have) == 2 {
		return nil
	}
	docs, err := SampleEvidence(c)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if slices.ContainsFunc(have, func(e *cynllun.CaseEvidence) bool { return e.ID == d.Evidence.ID }) {
			continue
		}
		if err := st.PutFile(ctx, d.File, d.Data); err != nil {
			return err
		}
		if err := ignoreConflict(st.InsertEvidence(ctx, d.Evidence)); err != nil {
			return err
		}
	}
	return nil
}
