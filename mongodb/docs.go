package mongodb

import (
	"fmt"
	"time"

	"github.com/cynllun/cynllun"
)

// The stored shapes. Field names are camelCase; every document type has a
// to-doc and a from-doc function, and nothing else crosses the boundary.
//
// Conventions:
//   - cynllun.Date is a "YYYY-MM-DD" string ("" for the zero date).
//   - Times are UTC BSON dates truncated to milliseconds (what BSON keeps),
//     so a round trip compares equal. Optional times (zero = unset) are
//     omitted.
//   - Empty slices are omitted and read back as nil.

type learnerDoc struct {
	ID            string    `bson:"_id"`
	GivenName     string    `bson:"givenName"`
	FamilyName    string    `bson:"familyName"`
	PreferredName string    `bson:"preferredName"`
	DateOfBirth   string    `bson:"dateOfBirth"`
	Language      string    `bson:"language"`
	LAID          string    `bson:"laId"`
	SettingKind   string    `bson:"settingKind"`
	SettingID     string    `bson:"settingId"`
	LookedAfter   bool      `bson:"lookedAfter"`
	CreatedAt     time.Time `bson:"createdAt"`
	CreatedBy     string    `bson:"createdBy"`
	UpdatedAt     time.Time `bson:"updatedAt"`

	// Derived search helpers (never read back into the domain).
	SortKey string   `bson:"sortKey"` // cynllun.LearnerSortKey
	Names   []string `bson:"names"`   // folded family, given and preferred names
	// Pending marks a copy in a lookup written before its learner
	// (learners.go); never set on the learner itself.
	Pending bool `bson:"pending,omitempty"`
}

type organisationDoc struct {
	ID        string    `bson:"_id"`
	Kind      string    `bson:"kind"`
	Name      string    `bson:"name"`
	NameCy    string    `bson:"nameCy"`
	LAID      string    `bson:"laId"`
	Code      string    `bson:"code"`
	CreatedAt time.Time `bson:"createdAt"`
	CreatedBy string    `bson:"createdBy"`

	NameFold string `bson:"nameFold"` // cynllun.Fold(Name): order and prefix search
}

type planDoc struct {
	ID           string    `bson:"_id"`
	LearnerID    string    `bson:"learnerId"`
	MaintainerID string    `bson:"maintainerId"`
	LAMaintained bool      `bson:"laMaintained"`
	CreatedAt    time.Time `bson:"createdAt"`
	CreatedBy    string    `bson:"createdBy"`
	// Latest and LatestFinal are the heads (plans.go): the numbers of the
	// newest version and of the newest FINAL version.
	Latest      int       `bson:"latest"`
	LatestFinal int       `bson:"latestFinal"`
	LatestAt    time.Time `bson:"latestAt"`
	// The lifecycle (lifecycle.go): changeCount guards its changes.
	Status      string           `bson:"status,omitempty"`
	ChangeCount int              `bson:"changeCount,omitempty"`
	Maintenance []maintenanceDoc `bson:"maintenance,omitempty"`
	Changes     []planChangeDoc  `bson:"changes,omitempty"`
	Cessation   *cessationDoc    `bson:"cessation,omitempty"`
	// Pending marks a copy in a learner's plansOfLearner lookup written
	// before its plan (plans.go); never set on the plan itself.
	Pending bool `bson:"pending,omitempty"`
}

type versionDoc struct {
	ID          string       `bson:"_id"` // cynllun.VersionID(planId, number)
	PlanID      string       `bson:"planId"`
	LearnerID   string       `bson:"learnerId"`
	Number      int          `bson:"number"`
	Status      string       `bson:"status"`
	FormVersion string       `bson:"formVersion"`
	Content     *contentDoc  `bson:"content,omitempty"`
	Comment     string       `bson:"comment"`
	ReviewID    string       `bson:"reviewId,omitempty"`
	Override    *overrideDoc `bson:"qualityOverride,omitempty"`
	CreatedAt   time.Time    `bson:"createdAt"`
	CreatedBy   string       `bson:"createdBy"`
	GivenOn     string       `bson:"givenOn,omitempty"`
}

type overrideDoc struct {
	Reason string    `bson:"reason"`
	By     string    `bson:"by"`
	At     time.Time `bson:"at"`
	Rules  []string  `bson:"rules"`
}

type contentDoc struct {
	Consent         consentDoc          `bson:"consent"`
	Dates           maintainerInfoDoc   `bson:"dates"`
	Profile         profileDoc          `bson:"profile"`
	Needs           []needDoc           `bson:"needs,omitempty"`
	Provision       []provisionRowDoc   `bson:"provision,omitempty"`
	Placement       *placementDoc       `bson:"placement,omitempty"`
	MeetingSummary  string              `bson:"meetingSummary"`
	FurtherSections []furtherSectionDoc `bson:"furtherSections,omitempty"`
	Appendices      []appendixDoc       `bson:"appendices,omitempty"`
}

type consentDoc struct {
	ConsentGiven    *bool  `bson:"consentGiven,omitempty"`
	ConsentDetails  string `bson:"consentDetails"`
	CapacityIssues  *bool  `bson:"capacityIssues,omitempty"`
	CapacityDetails string `bson:"capacityDetails"`
}

type maintainerInfoDoc struct {
	StartDate          string `bson:"startDate"`
	ReviewTargetDate   string `bson:"reviewTargetDate"`
	ProposedReviewDate string `bson:"proposedReviewDate"`
}

type profileDoc struct {
	LikeAndAdmire  []statementDoc `bson:"likeAndAdmire,omitempty"`
	ImportantToMe  []statementDoc `bson:"importantToMe,omitempty"`
	HowToSupportMe []statementDoc `bson:"howToSupportMe,omitempty"`
	Media          []string       `bson:"media,omitempty"`
}

type statementDoc struct {
	Text        string `bson:"text"`
	DirectQuote bool   `bson:"directQuote"`
}

type needDoc struct {
	Description      string `bson:"description"`
	ImpactOnLearning string `bson:"impactOnLearning"`
	Reasons          string `bson:"reasons"`
}

type provisionRowDoc struct {
	ID              string       `bson:"id"`
	IntendedOutcome string       `bson:"intendedOutcome"`
	Provision       string       `bson:"provision"`
	WelshMedium     *bool        `bson:"welshMedium,omitempty"`
	Provider        string       `bson:"provider"`
	ProviderType    string       `bson:"providerType"`
	StartDate       string       `bson:"startDate"`
	ReviewOrEndDate string       `bson:"reviewOrEndDate"`
	DateKind        string       `bson:"dateKind"`
	Rationale       string       `bson:"rationale"`
	Quantity        *quantityDoc `bson:"quantity,omitempty"`
	NHSSecured      bool         `bson:"nhsSecured"`
	NHSBody         string       `bson:"nhsBody"`
}

type quantityDoc struct {
	MinutesPerSession int    `bson:"minutesPerSession"`
	Sessions          int    `bson:"sessions"`
	Per               string `bson:"per"`
	GroupSize         int    `bson:"groupSize"`
}

type placementDoc struct {
	NamedSchool      string `bson:"namedSchool"`
	OtherInstitution string `bson:"otherInstitution"`
	BoardAndLodging  string `bson:"boardAndLodging"`
}

type furtherSectionDoc struct {
	Key  string `bson:"key"`
	Text string `bson:"text"`
}

type appendixDoc struct {
	Title        string `bson:"title"`
	Text         string `bson:"text"`
	AttachmentID string `bson:"attachmentId"`
}

type userDoc struct {
	ID        string    `bson:"_id"`
	Name      string    `bson:"name"`
	Email     string    `bson:"email"`
	Admin     bool      `bson:"admin"`
	CreatedAt time.Time `bson:"createdAt"`
}

type relationshipDoc struct {
	ID        string     `bson:"_id"`
	UserID    string     `bson:"userId"`
	Kind      string     `bson:"kind"`
	LearnerID string     `bson:"learnerId"`
	OrgID     string     `bson:"orgId"`
	StaffRole string     `bson:"staffRole"`
	ConsentBy string     `bson:"consentBy"`
	CaseID    string     `bson:"caseId,omitempty"`
	EndsAt    *time.Time `bson:"endsAt,omitempty"`
	EndedAt   *time.Time `bson:"endedAt,omitempty"`
	CreatedAt time.Time  `bson:"createdAt"`
	CreatedBy string     `bson:"createdBy"`
	// GrantedAs and GrantedVia: the grantor's standing (absent on
	// relationships recorded before they were kept).
	GrantedAs  string `bson:"grantedAs,omitempty"`
	GrantedVia string `bson:"grantedVia,omitempty"`
}

type auditDoc struct {
	ID        string    `bson:"_id"`
	At        time.Time `bson:"at"`
	ActorID   string    `bson:"actorId"`
	LearnerID string    `bson:"learnerId"`
	Part      string    `bson:"part"`
	PlanID    string    `bson:"planId"`
	Version   int       `bson:"version"`
	Action    string    `bson:"action"`
	Reason    string    `bson:"reason"`
	// OrgID and RelationshipID are set on events about access only.
	OrgID          string `bson:"orgId,omitempty"`
	RelationshipID string `bson:"relationshipId,omitempty"`
	InvitationID   string `bson:"invitationId,omitempty"`
}

// --- scalars ---

// bsonTime is t as BSON keeps it: UTC, whole milliseconds.
func bsonTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := bsonTime(t)
	return &u
}

func fromOptTime(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

func fromTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func dateString(d cynllun.Date) string { return d.String() }

// parseDate reads a stored date. It does not apply ParseDate's range check:
// whatever was stored is read back.
func parseDate(s string) (cynllun.Date, error) {
	if s == "" {
		return cynllun.Date{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return cynllun.Date{}, fmt.Errorf("stored date is malformed")
	}
	return cynllun.DateOf(t), nil
}

// dates parses several stored dates, keeping the first error.
type dates struct{ err error }

func (p *dates) parse(s string) cynllun.Date {
	d, err := parseDate(s)
	if err != nil && p.err == nil {
		p.err = err
	}
	return d
}

// mapSlice converts each element, returning nil for an empty slice.
func mapSlice[T, U any](in []T, f func(T) U) []U {
	if len(in) == 0 {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func nonEmpty(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	return append([]string(nil), in...)
}

func boolPtr(p *bool) *bool {
	if p == nil {
		return nil
	}
	b := *p
	return &b
}

// --- learners ---

// learnerNames are the folded names NamePrefix matches against.
func learnerNames(l *cynllun.Learner) []string {
	var out []string
	for _, n := range []string{l.FamilyName, l.GivenName, l.PreferredName} {
		f := cynllun.Fold(n)
		if f == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == f
		}
		if !dup {
			out = append(out, f)
		}
	}
	return out
}

func toLearnerDoc(l *cynllun.Learner) *learnerDoc {
	return &learnerDoc{
		ID:            l.ID,
		GivenName:     l.GivenName,
		FamilyName:    l.FamilyName,
		PreferredName: l.PreferredName,
		DateOfBirth:   dateString(l.DateOfBirth),
		Language:      string(l.Language),
		LAID:          l.LAID,
		SettingKind:   string(l.SettingKind),
		SettingID:     l.SettingID,
		LookedAfter:   l.LookedAfter,
		CreatedAt:     bsonTime(l.CreatedAt),
		CreatedBy:     l.CreatedBy,
		UpdatedAt:     bsonTime(l.UpdatedAt),
		SortKey:       cynllun.LearnerSortKey(l),
		Names:         learnerNames(l),
	}
}

func fromLearnerDoc(d *learnerDoc) (*cynllun.Learner, error) {
	dob, err := parseDate(d.DateOfBirth)
	if err != nil {
		return nil, err
	}
	return &cynllun.Learner{
		ID:            d.ID,
		GivenName:     d.GivenName,
		FamilyName:    d.FamilyName,
		PreferredName: d.PreferredName,
		DateOfBirth:   dob,
		Language:      cynllun.Language(d.Language),
		LAID:          d.LAID,
		SettingKind:   cynllun.SettingKind(d.SettingKind),
		SettingID:     d.SettingID,
		LookedAfter:   d.LookedAfter,
		CreatedAt:     fromTime(d.CreatedAt),
		CreatedBy:     d.CreatedBy,
		UpdatedAt:     fromTime(d.UpdatedAt),
	}, nil
}

// --- organisations ---

func toOrganisationDoc(o *cynllun.Organisation) *organisationDoc {
	return &organisationDoc{
		ID:        o.ID,
		Kind:      string(o.Kind),
		Name:      o.Name,
		NameCy:    o.NameCy,
		LAID:      o.LAID,
		Code:      o.Code,
		CreatedAt: bsonTime(o.CreatedAt),
		CreatedBy: o.CreatedBy,
		NameFold:  cynllun.Fold(o.Name),
	}
}

func fromOrganisationDoc(d *organisationDoc) (*cynllun.Organisation, error) {
	return &cynllun.Organisation{
		ID:        d.ID,
		Kind:      cynllun.OrgKind(d.Kind),
		Name:      d.Name,
		NameCy:    d.NameCy,
		LAID:      d.LAID,
		Code:      d.Code,
		CreatedAt: fromTime(d.CreatedAt),
		CreatedBy: d.CreatedBy,
	}, nil
}

// --- plans and versions ---

func toPlanDoc(p *cynllun.Plan) *planDoc {
	d := &planDoc{
		ID:           p.ID,
		LearnerID:    p.LearnerID,
		MaintainerID: p.MaintainerID,
		LAMaintained: p.LAMaintained,
		CreatedAt:    bsonTime(p.CreatedAt),
		CreatedBy:    p.CreatedBy,
		Latest:       p.Latest,
		LatestFinal:  p.LatestFinal,
		LatestAt:     bsonTime(p.LatestAt),
	}
	setLifecycle(d, p)
	return d
}

func fromPlanDoc(d *planDoc) (*cynllun.Plan, error) {
	p := &cynllun.Plan{
		ID:           d.ID,
		LearnerID:    d.LearnerID,
		MaintainerID: d.MaintainerID,
		LAMaintained: d.LAMaintained,
		CreatedAt:    fromTime(d.CreatedAt),
		CreatedBy:    d.CreatedBy,
		Latest:       d.Latest,
		LatestFinal:  d.LatestFinal,
		LatestAt:     fromOptTimeValue(d.LatestAt),
	}
	if err := getLifecycle(p, d); err != nil {
		return nil, err
	}
	return p, nil
}

// toVersionDoc stores v under its deterministic id, whatever v.ID says.
func toVersionDoc(v *cynllun.Version) *versionDoc {
	return &versionDoc{
		ID:          cynllun.VersionID(v.PlanID, v.Number),
		PlanID:      v.PlanID,
		LearnerID:   v.LearnerID,
		Number:      v.Number,
		Status:      string(v.Status),
		FormVersion: v.FormVersion,
		Content:     toContentDoc(v.Content),
		Comment:     v.Comment,
		ReviewID:    v.ReviewID,
		Override:    toOverrideDoc(v.QualityOverride),
		CreatedAt:   bsonTime(v.CreatedAt),
		CreatedBy:   v.CreatedBy,
		GivenOn:     dateString(v.GivenOn),
	}
}

func fromVersionDoc(d *versionDoc) (*cynllun.Version, error) {
	c, err := fromContentDoc(d.Content)
	if err != nil {
		return nil, err
	}
	given, err := parseDate(d.GivenOn)
	if err != nil {
		return nil, err
	}
	return &cynllun.Version{
		ID:              d.ID,
		PlanID:          d.PlanID,
		LearnerID:       d.LearnerID,
		Number:          d.Number,
		Status:          cynllun.VersionStatus(d.Status),
		FormVersion:     d.FormVersion,
		Content:         c,
		Comment:         d.Comment,
		ReviewID:        d.ReviewID,
		QualityOverride: fromOverrideDoc(d.Override),
		CreatedAt:       fromTime(d.CreatedAt),
		CreatedBy:       d.CreatedBy,
		GivenOn:         given,
	}, nil
}

func toContentDoc(c *cynllun.Content) *contentDoc {
	if c == nil {
		return nil
	}
	d := &contentDoc{
		Consent: consentDoc{
			ConsentGiven:    boolPtr(c.Consent.ConsentGiven),
			ConsentDetails:  c.Consent.ConsentDetails,
			CapacityIssues:  boolPtr(c.Consent.CapacityIssues),
			CapacityDetails: c.Consent.CapacityDetails,
		},
		Dates: maintainerInfoDoc{
			StartDate:          dateString(c.Dates.StartDate),
			ReviewTargetDate:   dateString(c.Dates.ReviewTargetDate),
			ProposedReviewDate: dateString(c.Dates.ProposedReviewDate),
		},
		Profile: profileDoc{
			LikeAndAdmire:  mapSlice(c.Profile.LikeAndAdmire, toStatementDoc),
			ImportantToMe:  mapSlice(c.Profile.ImportantToMe, toStatementDoc),
			HowToSupportMe: mapSlice(c.Profile.HowToSupportMe, toStatementDoc),
			Media:          nonEmpty(c.Profile.Media),
		},
		Needs: mapSlice(c.Needs, func(n cynllun.NeedEntry) needDoc {
			return needDoc{Description: n.Description, ImpactOnLearning: n.ImpactOnLearning, Reasons: n.Reasons}
		}),
		Provision:      mapSlice(c.Provision, toProvisionRowDoc),
		MeetingSummary: c.MeetingSummary,
		FurtherSections: mapSlice(c.FurtherSections, func(s cynllun.FurtherSection) furtherSectionDoc {
			return furtherSectionDoc{Key: s.Key, Text: s.Text}
		}),
		Appendices: mapSlice(c.Appendices, func(a cynllun.Appendix) appendixDoc {
			return appendixDoc{Title: a.Title, Text: a.Text, AttachmentID: a.AttachmentID}
		}),
	}
	if p := c.Placement; p != nil {
		d.Placement = &placementDoc{NamedSchool: p.NamedSchool, OtherInstitution: p.OtherInstitution, BoardAndLodging: p.BoardAndLodging}
	}
	return d
}

func toStatementDoc(s cynllun.Statement) statementDoc {
	return statementDoc{Text: s.Text, DirectQuote: s.DirectQuote}
}

func fromStatementDoc(s statementDoc) cynllun.Statement {
	return cynllun.Statement{Text: s.Text, DirectQuote: s.DirectQuote}
}

func toProvisionRowDoc(r cynllun.ProvisionRow) provisionRowDoc {
	d := provisionRowDoc{
		ID:              r.ID,
		IntendedOutcome: r.IntendedOutcome,
		Provision:       r.Provision,
		WelshMedium:     r.WelshMedium,
		Provider:        r.Provider,
		ProviderType:    string(r.ProviderType),
		StartDate:       dateString(r.StartDate),
		ReviewOrEndDate: dateString(r.ReviewOrEndDate),
		DateKind:        string(r.DateKind),
		Rationale:       r.Rationale,
		NHSSecured:      r.NHSSecured,
		NHSBody:         r.NHSBody,
	}
	if q := r.Quantity; q != nil {
		d.Quantity = &quantityDoc{MinutesPerSession: q.MinutesPerSession, Sessions: q.Sessions, Per: string(q.Per), GroupSize: q.GroupSize}
	}
	return d
}

func fromContentDoc(d *contentDoc) (*cynllun.Content, error) {
	if d == nil {
		return nil, nil
	}
	var p dates
	c := &cynllun.Content{
		Consent: cynllun.Consent{
			ConsentGiven:    boolPtr(d.Consent.ConsentGiven),
			ConsentDetails:  d.Consent.ConsentDetails,
			CapacityIssues:  boolPtr(d.Consent.CapacityIssues),
			CapacityDetails: d.Consent.CapacityDetails,
		},
		Dates: cynllun.MaintainerInfo{
			StartDate:          p.parse(d.Dates.StartDate),
			ReviewTargetDate:   p.parse(d.Dates.ReviewTargetDate),
			ProposedReviewDate: p.parse(d.Dates.ProposedReviewDate),
		},
		Profile: cynllun.Profile{
			LikeAndAdmire:  mapSlice(d.Profile.LikeAndAdmire, fromStatementDoc),
			ImportantToMe:  mapSlice(d.Profile.ImportantToMe, fromStatementDoc),
			HowToSupportMe: mapSlice(d.Profile.HowToSupportMe, fromStatementDoc),
			Media:          nonEmpty(d.Profile.Media),
		},
		Needs: mapSlice(d.Needs, func(n needDoc) cynllun.NeedEntry {
			return cynllun.NeedEntry{Description: n.Description, ImpactOnLearning: n.ImpactOnLearning, Reasons: n.Reasons}
		}),
		Provision: mapSlice(d.Provision, func(r provisionRowDoc) cynllun.ProvisionRow {
			row := cynllun.ProvisionRow{
				ID:              r.ID,
				IntendedOutcome: r.IntendedOutcome,
				Provision:       r.Provision,
				WelshMedium:     r.WelshMedium,
				Provider:        r.Provider,
				ProviderType:    cynllun.ProviderType(r.ProviderType),
				StartDate:       p.parse(r.StartDate),
				ReviewOrEndDate: p.parse(r.ReviewOrEndDate),
				DateKind:        cynllun.DateKind(r.DateKind),
				Rationale:       r.Rationale,
				NHSSecured:      r.NHSSecured,
				NHSBody:         r.NHSBody,
			}
			if q := r.Quantity; q != nil {
				row.Quantity = &cynllun.Quantity{MinutesPerSession: q.MinutesPerSession, Sessions: q.Sessions, Per: cynllun.Period(q.Per), GroupSize: q.GroupSize}
			}
			return row
		}),
		MeetingSummary: d.MeetingSummary,
		FurtherSections: mapSlice(d.FurtherSections, func(s furtherSectionDoc) cynllun.FurtherSection {
			return cynllun.FurtherSection{Key: s.Key, Text: s.Text}
		}),
		Appendices: mapSlice(d.Appendices, func(a appendixDoc) cynllun.Appendix {
			return cynllun.Appendix{Title: a.Title, Text: a.Text, AttachmentID: a.AttachmentID}
		}),
	}
	if pl := d.Placement; pl != nil {
		c.Placement = &cynllun.Placement{NamedSchool: pl.NamedSchool, OtherInstitution: pl.OtherInstitution, BoardAndLodging: pl.BoardAndLodging}
	}
	if p.err != nil {
		return nil, p.err
	}
	return c, nil
}

// --- users and relationships ---

func toUserDoc(u *cynllun.User) *userDoc {
	return &userDoc{ID: u.ID, Name: u.Name, Email: u.Email, Admin: u.Admin, CreatedAt: bsonTime(u.CreatedAt)}
}

func fromUserDoc(d *userDoc) (*cynllun.User, error) {
	return &cynllun.User{ID: d.ID, Name: d.Name, Email: d.Email, Admin: d.Admin, CreatedAt: fromTime(d.CreatedAt)}, nil
}

func toRelationshipDoc(r *cynllun.Relationship) *relationshipDoc {
	return &relationshipDoc{
		ID:        r.ID,
		UserID:    r.UserID,
		Kind:      string(r.Kind),
		LearnerID: r.LearnerID,
		OrgID:     r.OrgID,
		StaffRole: r.StaffRole,
		ConsentBy: r.ConsentBy,
		CaseID:    r.CaseID,
		EndsAt:    optTime(r.EndsAt),
		EndedAt:   optTime(r.EndedAt),
		CreatedAt: bsonTime(r.CreatedAt),
		CreatedBy: r.CreatedBy,
		GrantedAs: r.GrantedAs, GrantedVia: r.GrantedVia,
	}
}

func fromRelationshipDoc(d *relationshipDoc) (cynllun.Relationship, error) {
	return cynllun.Relationship{
		ID:        d.ID,
		UserID:    d.UserID,
		Kind:      cynllun.RelKind(d.Kind),
		LearnerID: d.LearnerID,
		OrgID:     d.OrgID,
		StaffRole: d.StaffRole,
		ConsentBy: d.ConsentBy,
		CaseID:    d.CaseID,
		EndsAt:    fromOptTime(d.EndsAt),
		EndedAt:   fromOptTime(d.EndedAt),
		CreatedAt: fromTime(d.CreatedAt),
		CreatedBy: d.CreatedBy,
		GrantedAs: d.GrantedAs, GrantedVia: d.GrantedVia,
	}, nil
}

// --- audit ---

func toAuditDoc(e *cynllun.AuditEvent) *auditDoc {
	return &auditDoc{
		ID:        e.ID,
		At:        bsonTime(e.At),
		ActorID:   e.ActorID,
		LearnerID: e.LearnerID,
		Part:      e.Part,
		PlanID:    e.PlanID,
		Version:   e.Version,
		Action:    e.Action,
		Reason:    e.Reason,
		OrgID:     e.OrgID, RelationshipID: e.RelationshipID, InvitationID: e.InvitationID,
	}
}

func fromAuditDoc(d *auditDoc) (cynllun.AuditEvent, error) {
	return cynllun.AuditEvent{
		ID:        d.ID,
		At:        fromTime(d.At),
		ActorID:   d.ActorID,
		LearnerID: d.LearnerID,
		Part:      d.Part,
		PlanID:    d.PlanID,
		Version:   d.Version,
		Action:    d.Action,
		Reason:    d.Reason,
		OrgID:     d.OrgID, RelationshipID: d.RelationshipID, InvitationID: d.InvitationID,
	}, nil
}

func toOverrideDoc(o *cynllun.QualityOverride) *overrideDoc {
	if o == nil {
		return nil
	}
	return &overrideDoc{Reason: o.Reason, By: o.By, At: o.At, Rules: o.Rules}
}

func fromOverrideDoc(d *overrideDoc) *cynllun.QualityOverride {
	if d == nil {
		return nil
	}
	return &cynllun.QualityOverride{Reason: d.Reason, By: d.By, At: d.At.UTC(), Rules: d.Rules}
}

// fromOptTimeValue is fromTime, keeping the zero time zero.
func fromOptTimeValue(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return fromTime(t)
}
