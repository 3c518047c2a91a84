package cynllun

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// CaseKind is what a case is: a disagreement or an appeal about a
// learner's ALN or IDP (domain.md §4).
type CaseKind string

const (
	// CaseDisagreement is the LA's disagreement avoidance and resolution
	// arrangements (s.68), which may extend the time to appeal.
	CaseDisagreement CaseKind = "DISAGREEMENT"
	// CaseReconsideration is an LA reconsidering a school's decision or
	// IDP (ss.26, 27, 32): no appeal lies against a maintained school.
	CaseReconsideration CaseKind = "RECONSIDERATION"
	// CaseAppeal is an appeal to the Education Tribunal for Wales (s.70).
	CaseAppeal CaseKind = "APPEAL"
	// CaseDisabilityClaim is a disability discrimination claim to the
	// Tribunal; the responsible body prepares its bundle.
	CaseDisabilityClaim CaseKind = "DISABILITY_CLAIM"
)

// CaseKinds lists every case kind, in schema order.
var CaseKinds = []CaseKind{CaseDisagreement, CaseReconsideration, CaseAppeal, CaseDisabilityClaim}

// Tribunal reports whether cases of kind k go to the Tribunal.
func (k CaseKind) Tribunal() bool { return k == CaseAppeal || k == CaseDisabilityClaim }

// CaseStatus is where a case is in its life.
type CaseStatus string

const (
	CaseOpen CaseStatus = "OPEN" // being prepared
	// CaseLodged: the appeal or claim was made (LodgedOn): it meets T17.
	CaseLodged CaseStatus = "LODGED"
	// CaseRegistered: the Tribunal registered it and gave its case number.
	CaseRegistered    CaseStatus = "REGISTERED"
	CaseHearingListed CaseStatus = "HEARING_LISTED"
	// CaseDecided: the Tribunal's decision was sent (DecisionSentOn): it
	// starts T18, the time to ask for a review of the decision.
	CaseDecided   CaseStatus = "DECIDED"
	CaseResolved  CaseStatus = "RESOLVED" // settled by agreement
	CaseWithdrawn CaseStatus = "WITHDRAWN"
	CaseClosed    CaseStatus = "CLOSED"
)

// CaseStatuses lists every status, in schema order.
var CaseStatuses = []CaseStatus{CaseOpen, CaseLodged, CaseRegistered, CaseHearingListed, CaseDecided, CaseResolved, CaseWithdrawn, CaseClosed}

// Final reports whether a case in status s is over: it takes no more
// changes of status (its record may still be corrected).
func (s CaseStatus) Final() bool { return s == CaseResolved || s == CaseWithdrawn || s == CaseClosed }

// tribunalOnly are the statuses only a Tribunal case passes through.
func (s CaseStatus) tribunalOnly() bool {
	return s == CaseLodged || s == CaseRegistered || s == CaseHearingListed || s == CaseDecided
}

// caseStatusOrder ranks the statuses a case moves forward through.
var caseStatusOrder = map[CaseStatus]int{CaseOpen: 0, CaseLodged: 1, CaseRegistered: 2, CaseHearingListed: 3, CaseDecided: 4}

// CanMoveTo says whether a case of kind k may go from status s to next:
// forward through the Tribunal's stages (Tribunal cases only; a stage may
// be skipped when it was not recorded), and from any open status to
// RESOLVED, WITHDRAWN or CLOSED. A final status is final; staying put is
// allowed.
func (s CaseStatus) CanMoveTo(next CaseStatus, k CaseKind) bool {
	switch {
	case s == next:
		return true
	case s.Final():
		return false
	case next.Final():
		return true
	case next.tribunalOnly():
		return k.Tribunal() && caseStatusOrder[next] > caseStatusOrder[s]
	}
	return false
}

// DisputedKind is what the disputed decision decided (domain.md §4.2).
// Whether a decision is appealable is for the Tribunal; the kind is a
// label for the bundle and the chronology.
type DisputedKind string

const (
	DisputedHasALN             DisputedKind = "HAS_ALN"
	DisputedIDPNecessary       DisputedKind = "IDP_NECESSARY"
	DisputedALNDescription     DisputedKind = "ALN_DESCRIPTION"
	DisputedProvision          DisputedKind = "PROVISION"
	DisputedWelshProvision     DisputedKind = "WELSH_PROVISION"
	DisputedPlaceNamed         DisputedKind = "PLACE_NAMED"
	DisputedSchoolForAdmission DisputedKind = "SCHOOL_FOR_ADMISSION"
	DisputedRefusalToRevise    DisputedKind = "REFUSAL_TO_REVISE"
	DisputedRefusalToTakeOver  DisputedKind = "REFUSAL_TO_TAKE_OVER"
	DisputedCeaseToMaintain    DisputedKind = "CEASE_TO_MAINTAIN"
	DisputedDiscrimination     DisputedKind = "DISCRIMINATION"
	DisputedOther              DisputedKind = "OTHER"
)

// DisputedKinds lists every kind, in schema order.
var DisputedKinds = []DisputedKind{DisputedHasALN, DisputedIDPNecessary, DisputedALNDescription, DisputedProvision,
	DisputedWelshProvision, DisputedPlaceNamed, DisputedSchoolForAdmission, DisputedRefusalToRevise,
	DisputedRefusalToTakeOver, DisputedCeaseToMaintain, DisputedDiscrimination, DisputedOther}

// DisputedDecision is the decision a case is about.
type DisputedDecision struct {
	Kind        DisputedKind
	Description string
	// MadeBy is the organisation that decided (an LA, an FEI or a school).
	MadeBy    string
	DecidedOn Date
	// NoticeGivenOn is the day the decision notice (with the right of
	// appeal) was given: it starts T17, the time to appeal.
	NoticeGivenOn Date
}

// PartyRole is a party's part in a case.
type PartyRole string

const (
	PartyAppellant      PartyRole = "APPELLANT"
	PartyRespondent     PartyRole = "RESPONDENT"
	PartyCaseFriend     PartyRole = "CASE_FRIEND"
	PartyRepresentative PartyRole = "REPRESENTATIVE"
	PartyAdvocate       PartyRole = "ADVOCATE"
	PartyWitness        PartyRole = "WITNESS"
	PartyOther          PartyRole = "OTHER"
)

// PartyRoles lists every role, in schema order.
var PartyRoles = []PartyRole{PartyAppellant, PartyRespondent, PartyCaseFriend, PartyRepresentative, PartyAdvocate, PartyWitness, PartyOther}

// Party is a party to a case or someone acting for one.
type Party struct {
	Role         PartyRole
	Name         string
	Organisation string
	// OrgID and UserID link the party to Cynllun's records, when known.
	OrgID  string
	UserID string
	// Represents is the role of the party this one acts for
	// (representatives, advocates, case friends).
	Represents PartyRole
}

// Case is a disagreement or appeal about a learner. Cases are stored as
// immutable revisions, like reviews: every change is revision n+1 and a
// stale expected revision is a CONFLICT.
type Case struct {
	ID        string
	Revision  int
	LearnerID string
	Kind      CaseKind
	Status    CaseStatus
	// Title is a short description ("Appeal about Welsh-medium provision").
	Title string
	// Reference is the Tribunal's (or the LA's) case number.
	Reference string
	Decision  DisputedDecision
	Issues    []string
	Parties   []Party
	// Key dates, recorded as they happen. Lodging an appeal meets T17; the
	// decision being sent starts T18.
	DisagreementReferredOn Date
	LodgedOn               Date
	RegisteredOn           Date
	// CaseStatementDue is entered from the Tribunal's letter: the length of
	// the case statement period is unconfirmed (domain.md §4.3).
	CaseStatementDue Date
	HearingOn        Date
	DecisionSentOn   Date
	ClosedOn         Date
	Outcome          string
	// Bundle is how the case's bundle is put together.
	Bundle BundleSpec
	// Events are the statutory events the case's dates were recorded as,
	// by kind: the appeal deadline is the T17 clock its
	// DECISION_NOTICE_GIVEN event started.
	Events    map[EventKind]string
	CreatedAt time.Time
	CreatedBy string
	UpdatedAt time.Time
	UpdatedBy string
	// LAID and SettingID are the learner's LA and setting when this
	// revision was saved: the caseloads that list the case.
	LAID      string
	SettingID string
}

// CaseRevisionID is the stored id of one revision of a case.
func CaseRevisionID(caseID string, revision int) string {
	return fmt.Sprintf("%s/r%d", caseID, revision)
}

// SectionOrder is how documents are ordered within a bundle section.
type SectionOrder string

const (
	// OrderChronological: by date, undated documents last, then as listed.
	OrderChronological SectionOrder = "CHRONOLOGICAL"
	// OrderAsListed: in the order the documents were added or listed.
	OrderAsListed SectionOrder = "AS_LISTED"
)

// BundleSection is one section of a case's bundle.
type BundleSection struct {
	Key     string // "A"
	TitleEN string
	TitleCY string
	// PageLimit is the most pages its documents may have, 0 for none: over
	// it, a warning (the practice direction's limits are unconfirmed).
	PageLimit int
	Order     SectionOrder
	// Takes lists the kinds of document (evidence kinds and record kinds)
	// that go in this section unless they name another.
	Takes []string
}

// RecordKind is a kind of document Cynllun makes from the record itself.
type RecordKind string

const (
	RecordPlanVersion   RecordKind = "PLAN_VERSION"   // a plan version, rendered
	RecordMeetingRecord RecordKind = "MEETING_RECORD" // a review's meeting record, rendered
	RecordLedger        RecordKind = "LEDGER"         // provision planned and delivered
	RecordDeadlines     RecordKind = "DEADLINES"      // statutory deadlines met and missed
)

// RecordItem is a document from the record placed in a bundle.
type RecordItem struct {
	Kind    RecordKind
	Section string
	// PlanID and Version: PLAN_VERSION; PlanID: LEDGER (and optionally
	// DEADLINES, for one plan's clocks).
	PlanID  string
	Version int
	// ReviewID and Revision (0: the latest): MEETING_RECORD.
	ReviewID string
	Revision int
	// From and To bound a LEDGER (zero: the plan's current review period).
	From, To Date
}

// BundleSpec is how a case's bundle is put together: its sections, the
// documents from the record, the evidence left out. Evidence not left out
// goes into the section it names.
type BundleSpec struct {
	Language RenderLanguage
	Sections []BundleSection
	// Chronology says whether the bundle has a generated chronology, and
	// ChronologyAfter after which section it goes ("" for before the first).
	Chronology      bool
	ChronologyAfter string
	Records         []RecordItem
	// Excluded lists evidence ids left out of the bundle.
	Excluded []string
}

// EvidenceKind is what an evidence document is.
type EvidenceKind string

const (
	EvidenceReport         EvidenceKind = "REPORT"
	EvidenceCorrespondence EvidenceKind = "CORRESPONDENCE"
	EvidenceChildsViews    EvidenceKind = "CHILDS_VIEWS"
	EvidenceDecision       EvidenceKind = "DECISION"
	EvidenceCaseStatement  EvidenceKind = "CASE_STATEMENT"
	EvidenceOther          EvidenceKind = "OTHER"
)

// EvidenceKinds lists every kind, in schema order.
var EvidenceKinds = []EvidenceKind{EvidenceReport, EvidenceCorrespondence, EvidenceChildsViews, EvidenceDecision, EvidenceCaseStatement, EvidenceOther}

// CaseEvidence is an uploaded document (a PDF or an image) on a case. Its
// content is never changed (a correction is a new document); its state
// (FILED, DISCLOSED, WITHDRAWN) is changed by the side that filed it,
// every change recorded in History.
type CaseEvidence struct {
	ID        string
	CaseID    string
	LearnerID string
	// FileID is the upload (its bytes are checked before it is stored).
	FileID      string
	ContentType string
	Pages       int
	SHA256      string
	Size        int64
	Title       string
	Date        Date // zero when undated
	Author      string
	Kind        EvidenceKind
	// Section is the key of the bundle section it goes in.
	Section   string
	CreatedAt time.Time
	CreatedBy string
	// Side is the side of the case that filed it, FiledAs the filer's role:
	// the evidence is theirs (issue 17). Evidence stored before then reads
	// as filed by its creator's side, and disclosed.
	Side    CaseSide
	FiledAs CaseRole
	// DisclosedAt and DisclosedBy: when it was disclosed to the other side
	// (zero: filed, seen by its own side only).
	DisclosedAt time.Time
	DisclosedBy string
	// Withdrawn evidence stays listed and leaves later bundles; the fields
	// are those of the withdrawal in force (cleared by a reinstatement).
	WithdrawnAt     time.Time
	WithdrawnBy     string
	WithdrawnReason string
	// History is every change of state, oldest first; Seq counts them and
	// guards the next change (a stale one is a CONFLICT).
	History []EvidenceChange
	Seq     int
}

// Withdrawn reports whether e was withdrawn.
func (e *CaseEvidence) Withdrawn() bool { return !e.WithdrawnAt.IsZero() }

// Bundle is one version of a case's bundle: what went into it, frozen when
// it was asked for, and once rendered the PDF and its manifest. Versions
// are never replaced: a late addition makes version n+1.
type Bundle struct {
	ID        string
	CaseID    string
	LearnerID string
	Number    int
	Language  RenderLanguage
	// Contents is the frozen description the worker renders, as JSON (the
	// service's format; the store keeps it as it is). ContentsSHA256 is its
	// digest: asking again with nothing changed gives the same version.
	Contents       []byte
	ContentsSHA256 string
	JobID          string
	// Set once rendered.
	FileID         string
	ManifestFileID string
	Manifest       []byte // JSON
	Pages          int
	RenderedAt     time.Time
	CreatedAt      time.Time
	CreatedBy      string
}

// BundleID is the id of version n of a case's bundle.
func BundleID(caseID string, n int) string {
	return fmt.Sprintf("%s%s_%d", PrefixBundle, hashPart("bundle/"+caseID), n)
}

// BundleJobID is the id of the generation-th render of a bundle version.
func BundleJobID(bundleID string, generation int) string {
	return fmt.Sprintf("%s%s_%d", PrefixJob, hashPart("bundle-job/"+bundleID), generation)
}

func hashPart(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:10])
}

// CaseFileID is the id of a file of a case (evidence, a bundle, its
// manifest): its content address within the case, so the same bytes are
// stored once per case and never shared with another case or the
// learner's attachments.
func CaseFileID(caseID, sha256hex string) string {
	sum := sha256.Sum256([]byte("case/" + caseID + "/" + sha256hex))
	return PrefixFile + "c" + hex.EncodeToString(sum[:])
}
