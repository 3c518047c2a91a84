package service

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/docgen"
	"github.com/cynllun/cynllun/form"
	"github.com/cynllun/cynllun/routes"
)

// The words of the chronology. The Welsh needs checking by a Welsh
// speaker, as the rest of the generated wording does.
var (
	eventWords = map[cynllun.EventKind]form.Text{
		cynllun.EventALNBroughtToAttention:    {EN: "Possible ALN brought to the attention of %s", CY: "Tynnwyd sylw %s at ADY posibl"},
		cynllun.EventConsentGiven:             {EN: "Consent given to %s", CY: "Rhoddwyd caniatâd i %s"},
		cynllun.EventIDPGiven:                 {EN: "IDP given by %s", CY: "Rhoddwyd CDU gan %s"},
		cynllun.EventNoALNNoticeGiven:         {EN: "Notice given by %s that the learner has no ALN", CY: "Rhoddodd %s hysbysiad nad oes gan y dysgwr ADY"},
		cynllun.EventNHSReferralReceived:      {EN: "Referral received by the NHS body %s", CY: "Derbyniodd corff GIG %s atgyfeiriad"},
		cynllun.EventNHSResponseGiven:         {EN: "NHS body %s responded to the referral", CY: "Ymatebodd corff GIG %s i'r atgyfeiriad"},
		cynllun.EventCeaseNoticeGiven:         {EN: "Notice given by %s of a decision to cease to maintain the IDP", CY: "Rhoddodd %s hysbysiad o benderfyniad i beidio â chynnal y CDU"},
		cynllun.EventReconsiderALNRequested:   {EN: "%s asked to reconsider the school's decision on ALN (s.26)", CY: "Gofynnwyd i %s ailystyried penderfyniad yr ysgol ar ADY (a.26)"},
		cynllun.EventReconsiderALNDecided:     {EN: "%s decided on reconsidering the school's decision on ALN (s.26)", CY: "Penderfynodd %s ar ôl ailystyried penderfyniad yr ysgol ar ADY (a.26)"},
		cynllun.EventReconsiderIDPRequested:   {EN: "%s asked to reconsider the school's IDP (s.27)", CY: "Gofynnwyd i %s ailystyried CDU yr ysgol (a.27)"},
		cynllun.EventReconsiderIDPDecided:     {EN: "%s decided on reconsidering the school's IDP (s.27)", CY: "Penderfynodd %s ar ôl ailystyried CDU yr ysgol (a.27)"},
		cynllun.EventReconsiderCeaseRequested: {EN: "%s asked to reconsider the school's decision to cease to maintain the IDP (s.32)", CY: "Gofynnwyd i %s ailystyried penderfyniad yr ysgol i beidio â chynnal y CDU (a.32)"},
		cynllun.EventReconsiderCeaseDecided:   {EN: "%s decided on reconsidering the school's decision to cease to maintain the IDP (s.32)", CY: "Penderfynodd %s ar ôl ailystyried penderfyniad yr ysgol i beidio â chynnal y CDU (a.32)"},
		// Recorded before issue 16, when one kind stood for the three
		// requests: read as it was recorded.
		cynllun.EventLegacyReconsiderationRequested: {EN: "%s asked to reconsider", CY: "Gofynnwyd i %s ailystyried"},
		cynllun.EventLegacyReconsiderationDecided:   {EN: "%s decided on reconsideration", CY: "Penderfynodd %s ar ôl ailystyried"},
		cynllun.EventLastDayAtPreviousSchool:        {EN: "Last day at the previous school, at the end of the school year (recorded for %s)", CY: "Diwrnod olaf yn yr ysgol flaenorol, ar ddiwedd y flwyddyn ysgol (cofnodwyd ar gyfer %s)"},
		cynllun.EventLastDayAtSchool:                {EN: "Last day at school before further education (recorded for %s)", CY: "Diwrnod olaf yn yr ysgol cyn addysg bellach (cofnodwyd ar gyfer %s)"},
		cynllun.EventEnrolledAtFEI:                  {EN: "Enrolled at %s", CY: "Cofrestrwyd yn %s"},
		cynllun.EventIDPAdopted:                     {EN: "IDP adopted by %s", CY: "Mabwysiadwyd y CDU gan %s"},
		cynllun.EventIDPNoticeGiven:                 {EN: "Transitional IDP notice given by %s", CY: "Rhoddodd %s hysbysiad CDU trosiannol"},
		cynllun.EventCompulsorySchoolAgeEnded:       {EN: "Compulsory school age ended: the learner is a young person (recorded by %s)", CY: "Daeth oedran ysgol gorfodol i ben: mae'r dysgwr yn berson ifanc (cofnodwyd gan %s)"},
		cynllun.EventTakeoverRequested:              {EN: "%s asked to take over the IDP", CY: "Gofynnwyd i %s gymryd y CDU drosodd"},
		cynllun.EventTakeoverDecided:                {EN: "%s decided whether to take over the IDP", CY: "Penderfynodd %s a ddylai gymryd y CDU drosodd"},
		cynllun.EventFEITakeoverRequest:             {EN: "Request from a further education institution received by %s", CY: "Derbyniodd %s gais gan sefydliad addysg bellach"},
		cynllun.EventFEITakeoverAnswered:            {EN: "%s answered the further education institution's request", CY: "Atebodd %s gais y sefydliad addysg bellach"},
		cynllun.EventDecisionNoticeGiven:            {EN: "Decision notice, with the right of appeal, given by %s", CY: "Rhoddodd %s hysbysiad o'r penderfyniad, gyda'r hawl i apelio"},
		cynllun.EventAppealMade:                     {EN: "Appeal made to the Education Tribunal for Wales", CY: "Gwnaed apêl i Dribiwnlys Addysg Cymru"},
		cynllun.EventTribunalDecisionSent:           {EN: "Tribunal decision sent", CY: "Anfonwyd penderfyniad y Tribiwnlys"},
		cynllun.EventTribunalReviewRequested:        {EN: "Review of the Tribunal's decision requested", CY: "Gofynnwyd am adolygiad o benderfyniad y Tribiwnlys"},
		cynllun.EventRegisteredAtNewSchool:          {EN: "Registered at %s", CY: "Cofrestrwyd yn %s"},
		cynllun.EventDisagreementReferred:           {EN: "Referred to the disagreement resolution arrangements of %s", CY: "Cyfeiriwyd at drefniadau datrys anghytundeb %s"},
	}
	txtNoticeNoAppeal = form.Text{EN: "Decision notice given by %s; no appeal lies against it: next, %s", CY: "Rhoddodd %s hysbysiad o'r penderfyniad; nid oes apêl yn ei erbyn: nesaf, %s"}
	txtNoticeOnly     = form.Text{EN: "Decision notice given by %s", CY: "Rhoddodd %s hysbysiad o'r penderfyniad"}
	txtGiven          = form.Text{EN: "IDP finalised and given (version %d)", CY: "CDU wedi'i gwblhau a'i roi (fersiwn %d)"}
	txtRevisedVersion = form.Text{EN: "IDP revised (version %d)", CY: "CDU wedi'i ddiwygio (fersiwn %d)"}
	txtRequested      = form.Text{EN: "Review requested (%s)", CY: "Gofynnwyd am adolygiad (%s)"}
	txtRefused        = form.Text{EN: "Request for a review refused as unnecessary", CY: "Gwrthodwyd y cais am adolygiad fel un diangen"}
	txtAccepted       = form.Text{EN: "Request for a review accepted", CY: "Derbyniwyd y cais am adolygiad"}
	txtHeld           = form.Text{EN: "Review meeting held", CY: "Cynhaliwyd cyfarfod adolygu"}
	txtConcludedRev   = form.Text{EN: "Review concluded: the IDP was revised (version %d)", CY: "Daeth yr adolygiad i ben: diwygiwyd y CDU (fersiwn %d)"}
	txtConcludedNo    = form.Text{EN: "Review concluded: notice that the IDP will not be revised", CY: "Daeth yr adolygiad i ben: hysbysiad na fydd y CDU yn cael ei ddiwygio"}
	txtDeadlineMet    = form.Text{EN: "%s (%s): met", CY: "%s (%s): wedi'i fodloni"}
	txtDeadlineLate   = form.Text{EN: "%s (%s): met late (due %s)", CY: "%s (%s): wedi'i fodloni'n hwyr (erbyn %s)"}
	txtDeadlineMissed = form.Text{EN: "%s (%s): due, and missed", CY: "%s (%s): erbyn y dyddiad hwn, a methwyd"}
	txtDeadlineDue    = form.Text{EN: "%s (%s): due", CY: "%s (%s): erbyn y dyddiad hwn"}
	txtNoticeSent     = form.Text{EN: "Reminder sent to %s: %s (%s) due %s", CY: "Anfonwyd nodyn atgoffa at %s: %s (%s) erbyn %s"}
	txtDecisionMade   = form.Text{EN: "Decision made by %s: %s", CY: "Penderfyniad gan %s: %s"}
	txtReferred       = form.Text{EN: "Referred to disagreement resolution", CY: "Cyfeiriwyd at drefniadau datrys anghytundeb"}
	txtRegistered     = form.Text{EN: "Appeal registered by the Tribunal", CY: "Cofrestrwyd yr apêl gan y Tribiwnlys"}
	txtHearing        = form.Text{EN: "Tribunal hearing", CY: "Gwrandawiad y Tribiwnlys"}
	txtCaseStatement  = form.Text{EN: "Case statement due", CY: "Datganiad achos i'w gyflwyno"}
	requesterWords    = map[cynllun.RequesterRole]form.Text{
		cynllun.RequesterChild: {EN: "by the child", CY: "gan y plentyn"}, cynllun.RequesterParent: {EN: "by a parent", CY: "gan riant"},
		cynllun.RequesterYoungPerson: {EN: "by the young person", CY: "gan y person ifanc"}, cynllun.RequesterNHSBody: {EN: "by an NHS body", CY: "gan gorff GIG"},
		cynllun.RequesterSchool: {EN: "by the school", CY: "gan yr ysgol"}, cynllun.RequesterLA: {EN: "by the local authority", CY: "gan yr awdurdod lleol"},
		cynllun.RequesterOther: {EN: "by someone else", CY: "gan rywun arall"}, cynllun.RequesterAdvocate: {EN: "by an advocate", CY: "gan eiriolwr"},
	}
	disputedWords = map[cynllun.DisputedKind]form.Text{
		cynllun.DisputedHasALN:             {EN: "whether the learner has ALN", CY: "a oes gan y dysgwr ADY"},
		cynllun.DisputedIDPNecessary:       {EN: "whether an IDP is necessary", CY: "a oes angen CDU"},
		cynllun.DisputedALNDescription:     {EN: "the description of ALN in the IDP", CY: "y disgrifiad o ADY yn y CDU"},
		cynllun.DisputedProvision:          {EN: "the ALP in the IDP", CY: "y DDdY yn y CDU"},
		cynllun.DisputedWelshProvision:     {EN: "whether ALP is to be in Welsh", CY: "a ddylai DDdY fod yn Gymraeg"},
		cynllun.DisputedPlaceNamed:         {EN: "the school or other place named", CY: "yr ysgol neu'r lle arall a enwyd"},
		cynllun.DisputedSchoolForAdmission: {EN: "the school named for admission", CY: "yr ysgol a enwyd ar gyfer derbyn"},
		cynllun.DisputedRefusalToRevise:    {EN: "a refusal to revise the IDP", CY: "gwrthod diwygio'r CDU"},
		cynllun.DisputedRefusalToTakeOver:  {EN: "a refusal to take over the IDP", CY: "gwrthod cymryd y CDU drosodd"},
		cynllun.DisputedCeaseToMaintain:    {EN: "a decision to cease to maintain the IDP", CY: "penderfyniad i beidio â chynnal y CDU"},
		cynllun.DisputedDiscrimination:     {EN: "disability discrimination", CY: "gwahaniaethu ar sail anabledd"},
		cynllun.DisputedOther:              {EN: "another decision", CY: "penderfyniad arall"},
	}
)

// chronology is the learner's history as dated rows: statutory events
// recorded, plan versions given and revised, reviews (requests, decisions,
// meetings, conclusions), reminders sent, clocks met and missed, and the
// case's own dates. Sources are the bundle's document numbers where the
// bundle holds the document: the plan versions and meeting records from
// the record, and the evidence that is the event's document (cite).
func (r *recordReader) chronology(c *cynllun.Case, numbers map[string]string, evidence []FrozenDoc) ([]FrozenEntry, error) {
	if err := r.load(); err != nil {
		return nil, err
	}
	ctx, op, st := r.ctx, r.op, r.s.store
	type entry struct {
		FrozenEntry
		seq int
	}
	var out []entry
	add := func(d cynllun.Date, t form.Text, source string) {
		if d.IsZero() {
			return
		}
		out = append(out, entry{FrozenEntry{Date: d, Event: t, Source: source}, len(out)})
	}
	name := func(orgID string) form.Text {
		o := r.orgs[orgID]
		if o == nil {
			return form.Text{EN: "the responsible body", CY: "y corff cyfrifol"}
		}
		return form.Text{EN: o.Name, CY: cmp.Or(o.NameCy, o.Name)}
	}
	fill := func(t form.Text, args ...form.Text) form.Text {
		en, cy := make([]any, len(args)), make([]any, len(args))
		for i, a := range args {
			en[i], cy[i] = a.EN, a.CY
		}
		return sprintfTextEach(t, en, cy)
	}
	cite := func(d cynllun.Date, kinds ...cynllun.EvidenceKind) string { return citeEvidence(evidence, d, kinds...) }
	letters := []cynllun.EvidenceKind{cynllun.EvidenceDecision, cynllun.EvidenceCorrespondence}
	// Statutory events people recorded (those Cynllun derived are the plan
	// versions, reviews and case dates below).
	events, err := st.EventsForLearner(ctx, r.l.ID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	for _, ev := range events {
		if ev.System {
			continue
		}
		if ev.Kind == cynllun.EventDecisionNoticeGiven {
			add(ev.On, r.noticeWords(ev, name(ev.OrgID)), cite(ev.On, letters...))
			continue
		}
		if t, ok := eventWords[ev.Kind]; ok {
			add(ev.On, fill(t, name(ev.OrgID)), cite(ev.On, letters...))
		}
	}
	// Plan versions: the first FINAL version of a plan is the IDP given;
	// later FINAL versions are revisions.
	planIDs := make([]string, 0, len(r.plans))
	for id := range r.plans {
		planIDs = append(planIDs, id)
	}
	slices.Sort(planIDs)
	for _, id := range planIDs {
		vs, err := st.ListVersions(ctx, id, 0, 1000)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		given := false
		for _, v := range vs {
			if v.Status != cynllun.VersionFinal {
				continue
			}
			t := txtRevisedVersion
			if !given {
				t, given = txtGiven, true
			}
			add(cynllun.DateOf(v.CreatedAt.In(cynllun.London)), sprintfText(t, v.Number), numbers[recordItemID(&cynllun.RecordItem{Kind: cynllun.RecordPlanVersion, PlanID: id, Version: v.Number})])
		}
	}
	// Reviews.
	for _, rv := range r.reviews {
		if rv.Status == cynllun.ReviewCancelled {
			// Opened or recorded in error: not part of the history.
			continue
		}
		src := numbers["review:"+rv.ID]
		if q := rv.Request; q != nil {
			add(q.RequestedOn, fill(txtRequested, requesterWords[q.By]), cite(q.RequestedOn, cynllun.EvidenceCorrespondence))
			switch {
			case rv.Status == cynllun.ReviewRefused:
				add(q.DecidedOn, txtRefused, "")
			case !q.DecidedOn.IsZero():
				add(q.DecidedOn, txtAccepted, "")
			}
		}
		if !rv.HeldOn.IsZero() {
			add(rv.HeldOn, txtHeld, src)
		}
		if d := rv.Decision; d != nil {
			if d.Kind == cynllun.DecisionRevised {
				add(d.DecidedOn, sprintfText(txtConcludedRev, d.Version), src)
			} else {
				add(d.DecidedOn, txtConcludedNo, src)
			}
		}
	}
	// Clocks and the reminders sent about them.
	today := cynllun.Today(r.s.now())
	dlIDs := make([]string, 0, len(r.deadlines))
	byID := map[string]*cynllun.Deadline{}
	for _, d := range r.deadlines {
		rule, _ := clock.RuleByID(d.RuleID)
		id := form.Text{EN: d.RuleID, CY: d.RuleID}
		dlIDs = append(dlIDs, d.ID)
		byID[d.ID] = d
		switch st := d.StatusOn(today); {
		case st == cynllun.DeadlineNotApplicable:
		case d.Late():
			add(d.Closure.On, fill(txtDeadlineLate, rule.Title, id, docgen.DateText(d.Due)), "")
		case st == cynllun.DeadlineMet:
			add(d.Closure.On, fill(txtDeadlineMet, rule.Title, id), "")
		case st == cynllun.DeadlineMissed:
			add(d.Due, fill(txtDeadlineMissed, rule.Title, id), "")
		case !d.Due.IsZero():
			add(d.Due, fill(txtDeadlineDue, rule.Title, id), "")
		}
	}
	// One row per reminder (deadline, offset and channel), however many
	// people it went to.
	type key struct {
		deadline string
		offset   int
		kind     cynllun.NoticeKind
	}
	first := map[key]*cynllun.Notice{}
	for _, id := range dlIDs {
		ns, err := st.NoticesForDeadline(ctx, id)
		if err != nil {
			return nil, cynllun.AsError(op, err)
		}
		for _, n := range ns {
			if n.Status != cynllun.NoticeSent {
				continue
			}
			k := key{n.DeadlineID, n.Offset, n.Kind}
			if f := first[k]; f == nil || n.SentAt.Before(f.SentAt) {
				first[k] = n
			}
		}
	}
	keys := make([]key, 0, len(first))
	for k := range first {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(first[a].SentAt.Compare(first[b].SentAt), cmp.Compare(a.deadline, b.deadline), cmp.Compare(a.offset, b.offset))
	})
	for _, k := range keys {
		n := first[k]
		d := byID[n.DeadlineID]
		rule, _ := clock.RuleByID(n.RuleID)
		add(cynllun.DateOf(n.SentAt.In(cynllun.London)), fill(txtNoticeSent, name(d.OrgID), rule.Title,
			form.Text{EN: n.RuleID, CY: n.RuleID}, docgen.DateText(n.Due)), "")
	}
	// The case's own dates.
	// The decision disputed cites the letter that is it: the DECISION
	// evidence dated the day of the notice or of the decision, or the
	// case's only DECISION document.
	dec := c.Decision
	letter := cmp.Or(cite(dec.NoticeGivenOn, cynllun.EvidenceDecision), cite(dec.DecidedOn, cynllun.EvidenceDecision), onlyOfKind(evidence, cynllun.EvidenceDecision))
	if !dec.DecidedOn.IsZero() {
		add(dec.DecidedOn, fill(txtDecisionMade, name(dec.MadeBy), disputedWords[dec.Kind]), letter)
	}
	if !dec.NoticeGivenOn.IsZero() && c.Events[cynllun.EventDecisionNoticeGiven] != "" {
		add(dec.NoticeGivenOn, fill(eventWords[cynllun.EventDecisionNoticeGiven], name(dec.MadeBy)), letter)
	}
	for _, x := range []struct {
		d   cynllun.Date
		t   form.Text
		src string
	}{{c.DisagreementReferredOn, txtReferred, cite(c.DisagreementReferredOn, letters...)},
		{c.LodgedOn, eventWords[cynllun.EventAppealMade], cite(c.LodgedOn, cynllun.EvidenceCorrespondence, cynllun.EvidenceOther)},
		{c.RegisteredOn, txtRegistered, cite(c.RegisteredOn, cynllun.EvidenceCorrespondence)},
		{c.CaseStatementDue, txtCaseStatement, onlyOfKind(evidence, cynllun.EvidenceCaseStatement)},
		{c.HearingOn, txtHearing, ""},
		{c.DecisionSentOn, eventWords[cynllun.EventTribunalDecisionSent], cite(c.DecisionSentOn, cynllun.EvidenceDecision)}} {
		if !x.d.IsZero() {
			add(x.d, x.t, x.src)
		}
	}
	slices.SortStableFunc(out, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.Date.String(), b.Date.String()), cmp.Compare(a.seq, b.seq))
	})
	res := make([]FrozenEntry, len(out))
	for i, e := range out {
		res[i] = e.FrozenEntry
	}
	return res, nil
}

// sprintfTextEach formats t's English with en and its Welsh with cy.
func sprintfTextEach(t form.Text, en, cy []any) form.Text {
	return form.Text{EN: fmt.Sprintf(t.EN, en...), CY: fmt.Sprintf(t.CY, cy...)}
}

// noticeWords are the chronology's words for a decision notice, naming the
// next step its route gives: the right of appeal only where one lies (a
// maintained school's decision goes to the local authority to reconsider).
func (r *recordReader) noticeWords(ev cynllun.StatutoryEvent, body form.Text) form.Text {
	route, ok := routes.Route{}, false
	if o := r.orgs[ev.OrgID]; o != nil {
		route, ok = routes.For(ev.Decision, o.Kind)
	}
	switch next, has := route.NextStep(); {
	case ok && route.AppealLies():
		return sprintfTextEach(eventWords[cynllun.EventDecisionNoticeGiven], []any{body.EN}, []any{body.CY})
	case ok && has:
		return sprintfTextEach(txtNoticeNoAppeal, []any{body.EN, next.EN}, []any{body.CY, next.CY})
	}
	return sprintfTextEach(txtNoticeOnly, []any{body.EN}, []any{body.CY})
}

// bundled is the evidence a frozen bundle holds (uploads), in bundle order.
func bundled(secs []FrozenSection) []FrozenDoc {
	var out []FrozenDoc
	for _, sec := range secs {
		for _, d := range sec.Documents {
			if d.FileID != "" {
				out = append(out, d)
			}
		}
	}
	return out
}

// citeEvidence is the number of the first bundled document of one of kinds
// dated d ("" when none, or d is zero).
func citeEvidence(docs []FrozenDoc, d cynllun.Date, kinds ...cynllun.EvidenceKind) string {
	if d.IsZero() {
		return ""
	}
	for _, doc := range docs {
		if doc.Date == d && slices.Contains(kinds, cynllun.EvidenceKind(doc.Kind)) {
			return doc.Number
		}
	}
	return ""
}

// onlyOfKind is the number of the bundle's one document of kind ("" when
// there are none or several).
func onlyOfKind(docs []FrozenDoc, kind cynllun.EvidenceKind) string {
	found := ""
	for _, doc := range docs {
		if cynllun.EvidenceKind(doc.Kind) == kind {
			if found != "" {
				return ""
			}
			found = doc.Number
		}
	}
	return found
}
