package service

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// Limits on a review record.
const (
	maxParticipants  = 60
	maxViews         = 50
	maxPoints        = 100 // points under each person-centred heading
	maxActions       = 100
	maxRowReviews    = form.MaxProvisionRows
	maxEvidence      = 100
	maxDisagreements = 100
	maxAttachments   = 20 // per view or evidence item
	maxMeetingMins   = 24 * 60
)

var (
	reviewTypes    = cynllun.ReviewTypes
	requesterRoles = []cynllun.RequesterRole{cynllun.RequesterChild, cynllun.RequesterParent, cynllun.RequesterYoungPerson, cynllun.RequesterNHSBody, cynllun.RequesterSchool, cynllun.RequesterLA, cynllun.RequesterOther, cynllun.RequesterAdvocate}
	roles          = []cynllun.ParticipantRole{cynllun.RoleChild, cynllun.RoleYoungPerson, cynllun.RoleParent, cynllun.RoleALNCo, cynllun.RoleTeacher, cynllun.RoleLAOfficer, cynllun.RoleHealth, cynllun.RoleSocialCare, cynllun.RoleAdvocate, cynllun.RoleEdPsych, cynllun.RoleOther}
	attendances    = []cynllun.Attendance{cynllun.AttendedInPerson, cynllun.AttendedRemotely, cynllun.ContributedInWriting, cynllun.ContributedViaOther, cynllun.DidNotContribute}
	viewFormats    = []cynllun.ViewFormat{cynllun.ViewOwnWords, cynllun.ViewDrawing, cynllun.ViewAudio, cynllun.ViewVideo, cynllun.ViewAAC, cynllun.ViewParentScribe, cynllun.ViewTrustedAdult}
	answers        = []cynllun.Answer{cynllun.AnswerYes, cynllun.AnswerPartly, cynllun.AnswerNo, cynllun.AnswerUnknown}
	changes        = []cynllun.ProvisionChange{cynllun.ChangeContinue, cynllun.ChangeIncrease, cynllun.ChangeReduce, cynllun.ChangeModify, cynllun.ChangeEnd}
	outcomeStates  = []cynllun.OutcomeStatus{cynllun.OutcomeAchieved, cynllun.OutcomePartly, cynllun.OutcomeNotYet}
	missedReasons  = []cynllun.MissedReason{cynllun.MissedLearnerAbsent, cynllun.MissedProviderAbsent, cynllun.MissedStaffUnavailable, cynllun.MissedSchoolEvent, cynllun.MissedSettingClosed, cynllun.MissedLearnerDeclined, cynllun.MissedOther}
)

// checker collects field errors; messages never echo submitted values.
type checker struct{ errs []cynllun.FieldError }

func (c *checker) add(field, msg string) {
	c.errs = append(c.errs, cynllun.FieldError{Field: field, Message: msg})
}

func (c *checker) text(field, s string, max int, multiline bool) {
	if fe := form.CheckText(field, s, max, multiline); fe != nil {
		c.errs = append(c.errs, *fe)
	}
}

func (c *checker) required(field, s string, max int, multiline bool) {
	if strings.TrimSpace(s) == "" {
		c.add(field, "is required")
		return
	}
	c.text(field, s, max, multiline)
}

// name checks a person's name (form.CheckName): not blank when required,
// and when given, no direction controls or marks.
func (c *checker) name(field, s string, required bool) {
	if fe := form.CheckName(field, s, form.MaxShort, required); fe != nil {
		c.errs = append(c.errs, *fe)
	}
}

func (c *checker) count(field string, n, max int) bool {
	if n > max {
		c.add(field, fmt.Sprintf("has more than %d items", max))
		return false
	}
	return true
}

func (c *checker) date(field string, d cynllun.Date) {
	if d.IsZero() {
		return
	}
	if _, err := cynllun.ParseDate(d.String()); err != nil {
		c.add(field, "must be a real date between 1900 and 2199")
	}
}

// past checks d is a real date (when set) and not after today.
func (c *checker) past(field string, d, today cynllun.Date) {
	c.date(field, d)
	if d.After(today) {
		c.add(field, "must not be in the future")
	}
}

// eventDate checks the date of a statutory event (when set): a real date,
// not after today and not before the ALN Act began to apply
// (cynllun.ALNCommencement).
func (c *checker) eventDate(field string, d, today cynllun.Date) {
	if d.IsZero() {
		return
	}
	c.past(field, d, today)
	if d.Before(cynllun.ALNCommencement) {
		c.add(field, "must not be before "+cynllun.ALNCommencement.String()+", when the ALN Act began to apply")
	}
}

// maxYearsAhead bounds dates a case plans (a hearing, a case statement
// due): a date further ahead is a typing error.
const maxYearsAhead = 5

// plannedDate checks a date that may lie ahead (when set): a real date
// between the ALN Act's commencement and maxYearsAhead years after today.
func (c *checker) plannedDate(field string, d, today cynllun.Date) {
	if d.IsZero() {
		return
	}
	c.date(field, d)
	switch {
	case d.Before(cynllun.ALNCommencement):
		c.add(field, "must not be before "+cynllun.ALNCommencement.String()+", when the ALN Act began to apply")
	case d.After(today.AddYears(maxYearsAhead)):
		c.add(field, fmt.Sprintf("must not be more than %d years ahead", maxYearsAhead))
	}
}

func oneOf[T comparable](c *checker, field string, v T, allowed []T, optional bool) {
	var zero T
	if optional && v == zero {
		return
	}
	if !slices.Contains(allowed, v) {
		c.add(field, "is not one of the allowed values")
	}
}

// record checks a review record. rows are the 2B row ids of the plan
// version reviewed; files are the learner's uploads the record may attach.
// It returns the attachment ids named, for the caller to check.
func (c *checker) record(p string, r *cynllun.Review, rows map[string]bool) []string {
	var attachments []string
	attach := func(field string, ids []string) {
		if !c.count(field, len(ids), maxAttachments) {
			return
		}
		seen := map[string]bool{}
		for i, id := range ids {
			f := fmt.Sprintf("%s.%d", field, i)
			c.required(f, id, form.MaxShort, false)
			if seen[id] {
				c.add(f, "is listed twice")
			}
			seen[id] = true
			attachments = append(attachments, id)
		}
	}
	c.date(p+"heldOn", r.HeldOn)
	if r.DurationMinutes < 0 || r.DurationMinutes > maxMeetingMins {
		c.add(p+"durationMinutes", "must be between 0 and 1440")
	}
	if c.count(p+"participants", len(r.Participants), maxParticipants) {
		for i, x := range r.Participants {
			f := fmt.Sprintf("%sparticipants.%d.", p, i)
			c.name(f+"name", x.Name, true)
			oneOf(c, f+"role", x.Role, roles, false)
			c.text(f+"organisation", x.Organisation, form.MaxShort, false)
			oneOf(c, f+"attendance", x.Attendance, attendances, false)
		}
	}
	if c.count(p+"childViews", len(r.ChildViews), maxViews) {
		for i, v := range r.ChildViews {
			f := fmt.Sprintf("%schildViews.%d.", p, i)
			oneOf(c, f+"format", v.Format, viewFormats, false)
			c.text(f+"text", v.Text, form.MaxLong, true)
			c.name(f+"gatheredBy", v.GatheredBy, false)
			if strings.TrimSpace(v.Text) == "" && len(v.Attachments) == 0 {
				c.add(f+"text", "is required unless the view is an attachment")
			}
			attach(f+"attachments", v.Attachments)
		}
	}
	if c.count(p+"parentViews", len(r.ParentViews), maxViews) {
		for i, v := range r.ParentViews {
			f := fmt.Sprintf("%sparentViews.%d.", p, i)
			c.name(f+"name", v.Name, false)
			c.text(f+"text", v.Text, form.MaxLong, true)
			if strings.TrimSpace(v.Text) == "" && len(v.Attachments) == 0 {
				c.add(f+"text", "is required unless the view is an attachment")
			}
			attach(f+"attachments", v.Attachments)
		}
	}
	pc := r.PersonCentred
	for _, h := range []struct {
		key    string
		points []string
	}{{"importantTo", pc.ImportantTo}, {"importantFor", pc.ImportantFor}, {"working", pc.Working}, {"notWorking", pc.NotWorking}, {"questions", pc.Questions}} {
		f := p + "personCentred." + h.key
		if c.count(f, len(h.points), maxPoints) {
			for i, s := range h.points {
				c.required(fmt.Sprintf("%s.%d", f, i), s, form.MaxMedium, true)
			}
		}
	}
	if c.count(p+"personCentred.actionPlan", len(pc.ActionPlan), maxActions) {
		for i, a := range pc.ActionPlan {
			f := fmt.Sprintf("%spersonCentred.actionPlan.%d.", p, i)
			c.required(f+"action", a.Action, form.MaxMedium, true)
			c.text(f+"owner", a.Owner, form.MaxShort, false)
			c.date(f+"due", a.Due)
		}
	}
	q := r.FourPlusOne
	for _, x := range []struct{ key, s string }{{"tried", q.Tried}, {"learned", q.Learned}, {"pleased", q.Pleased}, {"concerned", q.Concerned}, {"next", q.Next}} {
		c.text(p+"fourPlusOne."+x.key, x.s, form.MaxLong, true)
	}
	c.text(p+"needsDiscussion", r.NeedsDiscussion, form.MaxLong, true)
	rowRef := func(field, id string, seen map[string]bool) {
		switch {
		case strings.TrimSpace(id) == "":
			c.add(field, "is required")
		case !rows[id]:
			c.add(field, "is not a 2B row of the plan version reviewed")
		case seen != nil && seen[id]:
			c.add(field, "is reviewed twice")
		}
		if seen != nil {
			seen[id] = true
		}
	}
	if c.count(p+"provision", len(r.Provision), maxRowReviews) {
		seen := map[string]bool{}
		for i, x := range r.Provision {
			f := fmt.Sprintf("%sprovision.%d.", p, i)
			rowRef(f+"rowId", x.RowID, seen)
			oneOf(c, f+"delivered", x.Delivered, answers, false)
			oneOf(c, f+"effective", x.Effective, answers, false)
			oneOf(c, f+"stillNeeded", x.StillNeeded, answers, false)
			oneOf(c, f+"change", x.Change, changes, true)
			c.text(f+"notes", x.Notes, form.MaxLong, true)
		}
	}
	if c.count(p+"outcomes", len(r.Outcomes), maxRowReviews) {
		seen := map[string]bool{}
		for i, x := range r.Outcomes {
			f := fmt.Sprintf("%soutcomes.%d.", p, i)
			rowRef(f+"rowId", x.RowID, seen)
			oneOf(c, f+"status", x.Status, outcomeStates, false)
			c.text(f+"notes", x.Notes, form.MaxLong, true)
		}
	}
	if c.count(p+"newEvidence", len(r.NewEvidence), maxEvidence) {
		for i, x := range r.NewEvidence {
			f := fmt.Sprintf("%snewEvidence.%d.", p, i)
			c.required(f+"title", x.Title, form.MaxShort, false)
			c.text(f+"source", x.Source, form.MaxShort, false)
			c.date(f+"date", x.Date)
			c.text(f+"summary", x.Summary, form.MaxLong, true)
			if x.Attachment != "" {
				attach(f+"attachment", []string{x.Attachment})
			}
		}
	}
	c.text(p+"capacityDiscussion", r.CapacityDiscussion, form.MaxLong, true)
	if c.count(p+"disagreements", len(r.Disagreements), maxDisagreements) {
		for i, x := range r.Disagreements {
			f := fmt.Sprintf("%sdisagreements.%d.", p, i)
			c.name(f+"who", x.Who, true)
			oneOf(c, f+"role", x.Role, roles, true)
			c.required(f+"about", x.About, form.MaxMedium, true)
			if x.RowID != "" {
				rowRef(f+"rowId", x.RowID, nil)
			}
			c.text(f+"details", x.Details, form.MaxLong, true)
			c.text(f+"resolution", x.Resolution, form.MaxLong, true)
		}
	}
	return attachments
}
