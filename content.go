package cynllun

// Content is the whole statutory content of an IDP version, in the order of
// the form (Annex A of the ALN Code; see the form definition for headings).
type Content struct {
	// Part 1: profile.
	Consent Consent        // 1A
	Dates   MaintainerInfo // 1B
	Profile Profile        // 1C one-page profile
	// Part 2: ALN and ALP.
	Needs     []NeedEntry    // 2A description of ALN
	Provision []ProvisionRow // 2B one row per element of ALP
	Placement *Placement     // 2D (LA-maintained plans only)
	// Part 3: information and review.
	MeetingSummary  string           // 3A
	FurtherSections []FurtherSection // further Part 3 sections, as the form definition lists them
	Appendices      []Appendix
}

// Consent is section 1A: consent and capacity.
type Consent struct {
	// ConsentGiven is nil when not recorded.
	ConsentGiven    *bool
	ConsentDetails  string
	CapacityIssues  *bool
	CapacityDetails string
}

// MaintainerInfo is section 1B: who maintains the plan and its key dates.
type MaintainerInfo struct {
	StartDate          Date
	ReviewTargetDate   Date
	ProposedReviewDate Date
}

// Profile is section 1C, the one-page profile, under its three headings.
type Profile struct {
	LikeAndAdmire  []Statement // What people like and admire about me
	ImportantToMe  []Statement // What's important to me
	HowToSupportMe []Statement // How best to support me
	// Media lists attachment ids (drawings, audio, video) for the profile.
	Media []string
}

// Statement is a line of the one-page profile. DirectQuote marks the child's
// or young person's own words.
type Statement struct {
	Text        string
	DirectQuote bool
}

// NeedEntry is one description of ALN (2A).
type NeedEntry struct {
	Description      string
	ImpactOnLearning string
	// Reasons for deciding there is ALN where not obvious or disputed.
	Reasons string
}

// ProviderType classifies who delivers a 2B row.
type ProviderType string

const (
	ProviderSchool  ProviderType = "SCHOOL"
	ProviderLA      ProviderType = "LA"
	ProviderFEI     ProviderType = "FEI"
	ProviderNHSBody ProviderType = "NHS_BODY"
	ProviderOther   ProviderType = "OTHER"
)

// DateKind says whether 2B.6 is the review date of the IDP or the end date of
// the ALP.
type DateKind string

const (
	DateReview DateKind = "REVIEW"
	DateEnd    DateKind = "END"
)

// Period is the period a structured quantity's sessions are counted over.
type Period string

const (
	PerDay       Period = "DAY"
	PerWeek      Period = "WEEK"
	PerFortnight Period = "FORTNIGHT"
	PerMonth     Period = "MONTH"
	PerTerm      Period = "TERM"
)

// Quantity is an optional structured reading of how much provision a 2B row
// promises: so many sessions of so many minutes per period, in a group of
// GroupSize (1 = one-to-one).
type Quantity struct {
	MinutesPerSession int
	Sessions          int
	Per               Period
	GroupSize         int
}

// ProvisionRow is one element of ALP (2B) with its seven sub-fields.
type ProvisionRow struct {
	// ID is stable across versions so diffs follow a row when rows move.
	ID              string
	IntendedOutcome string // 2B.1
	Provision       string // 2B.2
	WelshMedium     *bool  // 2B.3: whether the ALP is to be in Welsh; nil when not stated
	Provider        string // 2B.4
	ProviderType    ProviderType
	StartDate       Date     // 2B.5
	ReviewOrEndDate Date     // 2B.6
	DateKind        DateKind // what 2B.6 is
	Rationale       string   // 2B.7
	Quantity        *Quantity
	// NHSSecured marks ALP to be secured by an NHS body (Act s.21(3));
	// NHSBody names it.
	NHSSecured bool
	NHSBody    string
}

// Placement is section 2D of an LA-maintained plan.
type Placement struct {
	NamedSchool      string // 2D.1 school named for admission (s.48)
	OtherInstitution string // 2D.2 school or other institution (s.14(6))
	BoardAndLodging  string // 2D.3 board and lodging (s.14(6))
}

// FurtherSection is a Part 3 section beyond 3A, keyed by the form definition.
type FurtherSection struct {
	Key  string
	Text string
}

// Appendix is material outside Annex A (interim targets, reports, an IHP).
type Appendix struct {
	Title        string
	Text         string
	AttachmentID string
}
