package seed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/service"
	"github.com/cynllun/cynllun/upload"
)

// generator makes the synthetic records. Everything it makes for an index
// comes from a random source seeded with (seed, kind, index) only.
type generator struct {
	svc     *service.Service
	st      cynllun.Store
	seed    uint64
	asOf    cynllun.Date
	ctx     context.Context
	clock   clock.Settings
	schoolM sync.Map // int → *schoolInfo

	calMu sync.Mutex
	cals  map[string]*calendar.Calendar
}

// calendar is the term calendar that counts for an organisation, as the
// service reads it when it starts a clock (service.TermCalendars), read
// once per organisation.
func (g *generator) calendar(orgID string) (*calendar.Calendar, error) {
	g.calMu.Lock()
	defer g.calMu.Unlock()
	if c, ok := g.cals[orgID]; ok {
		return c, nil
	}
	cs, err := service.TermCalendars(g.ctx, g.st, []string{orgID})
	if err != nil {
		return nil, err
	}
	if g.cals == nil {
		g.cals = map[string]*calendar.Calendar{}
	}
	g.cals[orgID] = cs[orgID]
	return cs[orgID], nil
}

func (g *generator) newRand(kind, i uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed, kind<<48^i))
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// between is a day from lo to hi inclusive (lo when hi is before it).
func between(r *rand.Rand, lo, hi cynllun.Date) cynllun.Date {
	n := int(hi.Time().Sub(lo.Time()).Hours() / 24)
	if n <= 0 {
		return lo
	}
	return lo.AddDays(r.IntN(n + 1))
}

type schoolInfo struct {
	org *cynllun.Organisation
	// cal is the calendar that counts for the school: its LA's.
	cal   *calendar.Calendar
	la    LocalAuthority
	welsh bool
	staff [StaffPerSchool]string
}

func (g *generator) schoolInfo(j int) *schoolInfo {
	if s, ok := g.schoolM.Load(j); ok {
		return s.(*schoolInfo)
	}
	r := g.newRand(kindSchool, uint64(j))
	laIdx := SyntheticSchoolLA(j)
	la := LocalAuthorities[laIdx]
	place := pick(r, schoolPlaces)
	s := &schoolInfo{la: la, welsh: r.IntN(10) < 3}
	name, nameCy := place+" Community School", "Ysgol Gymuned "+place
	if s.welsh {
		name, nameCy = "Ysgol Gymraeg "+place, "Ysgol Gymraeg "+place
	}
	name += " (" + la.Name + ")"
	nameCy += " (" + la.NameCy + ")"
	at := atTime(g.asOf.AddDays(-1000), 9)
	s.org = &cynllun.Organisation{ID: SyntheticSchoolID(j), Kind: cynllun.OrgSchool, Name: name, NameCy: nameCy, LAID: LAID(la.ONS),
		Code: fmt.Sprintf("%03d%04d", 660+laIdx, 5000+j%5000), CreatedAt: at, CreatedBy: "seed"}
	for k := range s.staff {
		s.staff[k] = pick(r, adultNames) + " " + pick(r, familyNames)
	}
	s.cal = calendar.Effective(calendar.ForLA(la.ONS), laCalendar(la, g.asOf))
	v, _ := g.schoolM.LoadOrStore(j, s)
	return v.(*schoolInfo)
}

// laCalendar is a made-up calendar of an LA's school terms, shaped like a
// Welsh school year, for the five school years that start in asOf's year
// and the four before, less the years the embedded LA data has (the
// stored calendar would replace them). In Wales the LA sets the term dates
// of its community schools, so one calendar per LA serves its schools.
func laCalendar(la LocalAuthority, asOf cynllun.Date) *calendar.Calendar {
	c := termsShapedLikeWales(la.Name, asOf)
	real := calendar.ForLA(la.ONS)
	if real == nil {
		return c
	}
	covered := func(from cynllun.Date) bool {
		year := from.Year
		if from.Month < time.August {
			year--
		}
		for _, t := range real.Terms {
			y := t.Start.Year
			if t.Start.Month < time.August {
				y--
			}
			if y == year {
				return true
			}
		}
		return false
	}
	c.Terms = slices.DeleteFunc(c.Terms, func(t calendar.Term) bool { return covered(t.Start) })
	c.Closures = slices.DeleteFunc(c.Closures, func(cl calendar.Closure) bool { return covered(cl.From) })
	return c
}

func termsShapedLikeWales(name string, asOf cynllun.Date) *calendar.Calendar {
	c := &calendar.Calendar{Name: name, Source: "synthetic data: made-up dates shaped like a Welsh school year, not a school's published calendar"}
	onOrAfter := func(d cynllun.Date, wd time.Weekday) cynllun.Date {
		for d.Weekday() != wd {
			d = d.AddDays(1)
		}
		return d
	}
	onOrBefore := func(d cynllun.Date, wd time.Weekday) cynllun.Date {
		for d.Weekday() != wd {
			d = d.AddDays(-1)
		}
		return d
	}
	week := func(mon cynllun.Date, reason calendar.ClosureReason, note string) calendar.Closure {
		return calendar.Closure{From: mon, To: mon.AddDays(4), Reason: reason, Note: note}
	}
	for y := asOf.Year - 4; y <= asOf.Year; y++ {
		d := func(year int, m time.Month, day int) cynllun.Date {
			return cynllun.Date{Year: year, Month: m, Day: day}
		}
		autumn := onOrAfter(d(y, time.September, 1), time.Monday)
		spring := onOrAfter(d(y+1, time.January, 4), time.Monday)
		summer := onOrAfter(d(y+1, time.April, 12), time.Monday)
		c.Terms = append(c.Terms,
			calendar.Term{Name: fmt.Sprintf("Autumn term %d", y), NameCy: fmt.Sprintf("Tymor yr Hydref %d", y), Start: autumn, End: onOrBefore(d(y, time.December, 20), time.Friday)},
			calendar.Term{Name: fmt.Sprintf("Spring term %d", y+1), NameCy: fmt.Sprintf("Tymor y Gwanwyn %d", y+1), Start: spring, End: onOrBefore(d(y+1, time.March, 28), time.Friday)},
			calendar.Term{Name: fmt.Sprintf("Summer term %d", y+1), NameCy: fmt.Sprintf("Tymor yr Haf %d", y+1), Start: summer, End: onOrBefore(d(y+1, time.July, 21), time.Friday)},
		)
		c.Closures = append(c.Closures,
			week(onOrBefore(d(y, time.October, 31), time.Monday), calendar.ReasonHalfTerm, "Autumn half term"),
			week(onOrAfter(d(y+1, time.February, 15), time.Monday), calendar.ReasonHalfTerm, "Spring half term"),
			calendar.Closure{From: onOrAfter(d(y+1, time.May, 1), time.Monday), To: onOrAfter(d(y+1, time.May, 1), time.Monday), Reason: calendar.ReasonBankHoliday, Note: "Early May bank holiday"},
			week(onOrBefore(d(y+1, time.May, 31), time.Monday), calendar.ReasonHalfTerm, "Summer half term"),
		)
	}
	return c
}

// synLearner is one synthetic learner with every record made for it.
type synLearner struct {
	i        int
	r        *rand.Rand
	l        *cynllun.Learner
	school   *schoolInfo // the school of the learner's area
	inSchool bool
	la       LocalAuthority
	hb       string // health board key
	// staff writes the plan: the school's ALNCo, or the LA's officer for
	// a plan the LA maintains.
	staff, staffName, teacher string
	org                       *cynllun.Organisation // maintaining body
	givenOn, attention        cynllun.Date
	needs                     []need
	parentName                string

	parent    *cynllun.User
	parentRel *cynllun.Relationship
	file      *cynllun.File
	fileData  []byte
	plan      *cynllun.Plan
	versions  []*cynllun.Version
	reviews   []*cynllun.Review
	events    []*cynllun.StatutoryEvent
	deadlines []*cynllun.Deadline
	sessions  []cynllun.Session
}

func (l *synLearner) fileID() string {
	if l.file == nil {
		return ""
	}
	return l.file.ID
}

// learner makes learner i (the records that need no store reads).
func (g *generator) learner(i int) *synLearner {
	r := g.newRand(kindLearner, uint64(i))
	j := SyntheticSchool(i)
	s := g.schoolInfo(j)
	sl := &synLearner{i: i, r: r, school: s, la: s.la, hb: healthBoardOf[s.la.ONS]}
	asOf := g.asOf

	// Age on the as-of day: most of school age, some under 3, some 19–25.
	var lo, hi, minAge int
	switch u := r.IntN(100); {
	case u < 8:
		lo, hi, minAge = 200, 3*365, 120
	case u < 90:
		lo, hi, minAge = 3*365+1, 19*365-1, 3*365
		sl.inSchool = true
	default:
		lo, hi, minAge = 19*365, 26*365-2, 16*365
	}
	dob := asOf.AddDays(-(lo + r.IntN(hi-lo+1)))
	lookedAfter := r.IntN(100) < 5
	family := pick(r, familyNames)
	l := &cynllun.Learner{ID: SyntheticLearnerID(i), GivenName: pick(r, givenNames), FamilyName: family, DateOfBirth: dob,
		Language: cynllun.LanguageEN, LAID: LAID(s.la.ONS), LookedAfter: lookedAfter}
	l.PreferredName = preferred[l.GivenName]
	if s.welsh || r.IntN(100) < 30 {
		l.Language = cynllun.LanguageCY
	}
	sl.l = l
	la := LAID(s.la.ONS)
	if sl.inSchool {
		l.SettingKind, l.SettingID = cynllun.SettingSchool, s.org.ID
		sl.staff, sl.staffName = SyntheticStaffID(j, 0), s.staff[0]
		sl.teacher = s.staff[1]
		sl.org = s.org
	} else {
		l.SettingKind = cynllun.SettingNone
		if dob.AddYears(3).After(asOf) {
			l.SettingKind = cynllun.SettingEarlyYears
		}
		sl.staff, sl.staffName = SyntheticOfficerID(SyntheticSchoolLA(j)), "ALN officer"
		sl.teacher = "Key worker"
		sl.org = &cynllun.Organisation{ID: la, Kind: cynllun.OrgLocalAuthority, Name: s.la.Name, Code: s.la.ONS}
	}
	sl.parentName = pick(r, adultNames) + " " + family

	// The story: ALN brought to attention, a plan drafted twice and given
	// (FINAL) on givenOn, 40 to 540 days before the as-of day (so that,
	// with the default as-of day, every clock starts within the bank
	// holiday data the clock engine has).
	hiG := asOf.AddDays(-40)
	loG := asOf.AddDays(-540)
	if m := dob.AddDays(minAge); m.After(loG) {
		loG = m
		if loG.After(hiG) {
			loG = hiG
		}
	}
	sl.givenOn = between(r, loG, hiG)
	sl.attention = sl.givenOn.AddDays(-(25 + r.IntN(51)))
	l.CreatedAt = atTime(sl.attention, 9)
	l.UpdatedAt, l.CreatedBy = l.CreatedAt, sl.staff

	sl.needs = []need{pick(r, needs)}
	if r.IntN(100) < 35 {
		for {
			n := pick(r, needs)
			if n.Description != sl.needs[0].Description {
				sl.needs = append(sl.needs, n)
				break
			}
		}
	}

	if SyntheticHasParent(i) {
		at := atTime(sl.givenOn.AddDays(-7), 18)
		sl.parent = &cynllun.User{ID: SyntheticParentID(i), Name: sl.parentName + " (parent)", Email: fmt.Sprintf("parent-%d@example.invalid", i), CreatedAt: at}
		sl.parentRel = &cynllun.Relationship{ID: synID(cynllun.PrefixRelationship, kindRel, 3<<40|uint64(i)), UserID: sl.parent.ID,
			Kind: cynllun.RelParentOf, LearnerID: l.ID, CreatedAt: at, CreatedBy: sl.staff}
	}
	if i%FileEvery == 0 {
		sl.drawing()
	}
	sl.planVersions()
	return sl
}

// drawing is the learner's picture of a good day: a small PNG, uploaded
// by the ALNCo before the plan was given.
func (l *synLearner) drawing() {
	img := image.NewPaletted(image.Rect(0, 0, 96, 64), color.Palette{
		color.White, color.RGBA{0xd3, 0x2f, 0x2f, 0xff}, color.RGBA{0x38, 0x8e, 0x3c, 0xff}, color.RGBA{0x19, 0x76, 0xd2, 0xff}, color.RGBA{0xfb, 0xc0, 0x2d, 0xff},
	})
	for k := 0; k < 6; k++ {
		x0, y0 := l.r.IntN(80), l.r.IntN(50)
		w, h, c := 4+l.r.IntN(20), 4+l.r.IntN(14), uint8(1+l.r.IntN(4))
		for y := y0; y < min(y0+h, 64); y++ {
			for x := x0; x < min(x0+w, 96); x++ {
				img.SetColorIndex(x, y, c)
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	data := buf.Bytes()
	res, err := upload.Inspect(data, "drawing.png", "image/png", 0)
	if err != nil {
		panic("seed: the synthetic drawing is not an acceptable upload: " + err.Error())
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	l.file = &cynllun.File{ID: cynllun.UploadFileID(l.l.ID, h), Name: "fy niwrnod da.png", ContentType: res.ContentType, Size: int64(len(data)),
		Pages: res.Pages, SHA256: h, LearnerID: l.l.ID, Kind: cynllun.FileUpload, CreatedBy: l.staff,
		CreatedAt: atTime(l.givenOn.AddDays(-14), 15)}
	l.fileData = data
}

func (l *synLearner) name() string {
	if l.l.PreferredName != "" {
		return l.l.PreferredName
	}
	return l.l.GivenName
}

// planVersions makes the plan: two drafts and the final version given on
// givenOn.
func (l *synLearner) planVersions() {
	planID := SyntheticPlanID(l.i)
	laMaintained := !l.inSchool
	drafted := atTime(l.givenOn.AddDays(-21), 10)
	l.plan = &cynllun.Plan{ID: planID, LearnerID: l.l.ID, MaintainerID: l.org.ID, LAMaintained: laMaintained, CreatedAt: drafted, CreatedBy: l.staff}
	times := []time.Time{drafted, atTime(l.givenOn.AddDays(-10), 14), atTime(l.givenOn, 11)}
	for n := 1; n <= 3; n++ {
		status := cynllun.VersionDraft
		if n == 3 {
			status = cynllun.VersionFinal
		}
		l.versions = append(l.versions, &cynllun.Version{ID: cynllun.VersionID(planID, n), PlanID: planID, LearnerID: l.l.ID, Number: n,
			Status: status, FormVersion: FormVersion, Content: l.content(n), Comment: versionComments[n-1], CreatedAt: times[n-1], CreatedBy: l.staff})
	}
}

// content is version n of the plan: the first draft has the first area of
// need only; the final version adds the consent details and the drawing.
func (l *synLearner) content(n int) *cynllun.Content {
	r := rand.New(rand.NewPCG(uint64(l.i), 0xc0de)) // the same choices in every version
	yes, no := true, false
	name := l.name()
	start := l.givenOn
	review := start.AddYears(1).AddDays(-7)
	by := review.Time().Format("January 2006")
	welsh := l.l.Language == cynllun.LanguageCY
	c := &cynllun.Content{
		Dates: cynllun.MaintainerInfo{StartDate: start, ReviewTargetDate: review, ProposedReviewDate: review.AddDays(-14)},
		Profile: cynllun.Profile{
			LikeAndAdmire:  []cynllun.Statement{{Text: fmt.Sprintf(pick(r, likeAndAdmire), name)}},
			ImportantToMe:  []cynllun.Statement{{Text: pick(r, importantQuotes), DirectQuote: true}, {Text: pick(r, importantOther)}},
			HowToSupportMe: []cynllun.Statement{{Text: pick(r, supportQuotes), DirectQuote: true}, {Text: pick(r, supportOther)}},
		},
		MeetingSummary: fmt.Sprintf("Person-centred meeting held with %s, %s, %s and %s. %s shared what matters most to them.",
			name, l.parentName, l.staffName, l.teacher, name),
	}
	if n == 3 {
		who := l.parentName
		if cynllun.StatusOn(l.l.DateOfBirth, l.givenOn) == cynllun.StatusYoungPerson {
			who = name
		}
		c.Consent = cynllun.Consent{ConsentGiven: &yes, ConsentDetails: "Consent given by " + who + " at the meeting.", CapacityIssues: &no}
		if l.file != nil {
			c.Profile.Media = []string{l.file.ID}
		}
	}
	areas := l.needs
	if n == 1 {
		areas = areas[:1]
	}
	row := 0
	for _, nd := range areas {
		c.Needs = append(c.Needs, cynllun.NeedEntry{Description: fmt.Sprintf(nd.Description, name), ImpactOnLearning: fmt.Sprintf(nd.Impact, name), Reasons: nd.Reasons})
		for _, t := range nd.Rows {
			q := t.Quantity
			pr := cynllun.ProvisionRow{
				ID:              synID("row_", kindRow, uint64(l.i)<<8|uint64(row)),
				IntendedOutcome: fmt.Sprintf(t.Outcome, name, by), Provision: t.Provision, WelshMedium: &welsh,
				StartDate: start, ReviewOrEndDate: review, DateKind: cynllun.DateReview, Rationale: t.Rationale, Quantity: &q,
			}
			switch provider := t.Provider; {
			case provider == "nhs":
				hb := l.healthBoard()
				pr.Provider, pr.ProviderType, pr.NHSSecured, pr.NHSBody = hb.Name+" "+t.Service, cynllun.ProviderNHSBody, true, hb.Name
				pr.StartDate = start.AddDays(14)
			case provider == "la":
				pr.Provider, pr.ProviderType = l.la.Name+" "+t.Service, cynllun.ProviderLA
				pr.StartDate = start.AddDays(7)
			case l.inSchool:
				pr.Provider, pr.ProviderType = l.school.org.Name, cynllun.ProviderSchool
			default:
				pr.Provider, pr.ProviderType = l.la.Name+" ALN Service", cynllun.ProviderLA
			}
			c.Provision = append(c.Provision, pr)
			row++
		}
	}
	if !l.inSchool {
		c.Placement = &cynllun.Placement{BoardAndLodging: "None needed"}
		if l.l.SettingKind == cynllun.SettingEarlyYears {
			c.Placement.OtherInstitution = "Cylch Meithrin " + l.school.org.Name
		} else {
			c.Placement.OtherInstitution = "Coleg " + l.la.NameCy + " (independent living skills course)"
		}
	}
	return c
}

func (l *synLearner) healthBoard() struct{ Key, Name, NameCy string } {
	for _, hb := range HealthBoards {
		if hb.Key == l.hb {
			return hb
		}
	}
	return HealthBoards[0]
}

func (l *synLearner) hasNHSRow() bool {
	for _, nd := range l.needs {
		for _, t := range nd.Rows {
			if t.Provider == "nhs" {
				return true
			}
		}
	}
	return false
}

// timeline makes the reviews, statutory events, deadlines and ledger
// entries.
func (l *synLearner) timeline(g *generator) error {
	asOf := g.asOf
	r := l.r
	run := &clocks{g: g, l: l}

	// The event that starts the clock to decide and give a plan.
	startKind, startOrg := cynllun.EventALNBroughtToAttention, l.org
	if l.inSchool && cynllun.StatusOn(l.l.DateOfBirth, l.attention) == cynllun.StatusYoungPerson {
		startKind = cynllun.EventConsentGiven
	}
	notes := []string{"Raised by the class teacher", "Raised by the parent at parents' evening", "Referred by the health visitor", "Raised after a specialist assessment"}
	if err := run.apply(&cynllun.StatutoryEvent{ID: synID(cynllun.PrefixEvent, kindEvent, uint64(l.i)<<4|0), Kind: startKind, LearnerID: l.l.ID,
		OrgID: startOrg.ID, On: l.attention, Note: pick(r, notes), RecordedAt: atTime(l.attention, 16), RecordedBy: l.staff}, startOrg.Kind); err != nil {
		return err
	}
	// Half of those with NHS provision were referred to the health board.
	if l.hasNHSRow() && r.IntN(2) == 0 {
		hb := l.healthBoard()
		hbOrg := cynllun.PrefixOrganisation + "hb_" + hb.Key
		ref := l.attention.AddDays(3 + r.IntN(8))
		if err := run.apply(&cynllun.StatutoryEvent{ID: synID(cynllun.PrefixEvent, kindEvent, uint64(l.i)<<4|1), Kind: cynllun.EventNHSReferralReceived,
			LearnerID: l.l.ID, OrgID: hbOrg, On: ref, RecordedAt: atTime(ref, 16), RecordedBy: l.staff}, cynllun.OrgHealthBoard); err != nil {
			return err
		}
		if resp := ref.AddDays(20 + r.IntN(35)); !resp.After(asOf) {
			if err := run.apply(&cynllun.StatutoryEvent{ID: synID(cynllun.PrefixEvent, kindEvent, uint64(l.i)<<4|2), Kind: cynllun.EventNHSResponseGiven,
				LearnerID: l.l.ID, OrgID: hbOrg, On: resp, Note: "Health board confirmed the therapy it will secure", RecordedAt: atTime(resp, 16), RecordedBy: l.staff}, cynllun.OrgHealthBoard); err != nil {
				return err
			}
		}
	}
	// The plan given: the service derives IDP_GIVEN from the first FINAL
	// version (same id as the service would give it).
	v3 := l.versions[2]
	if err := run.apply(l.systemEvent(cynllun.EventIDPGiven, v3.ID, "", l.givenOn, v3.CreatedAt), l.org.Kind); err != nil {
		return err
	}
	if err := l.makeReviews(run); err != nil {
		return err
	}
	l.deadlines = run.all
	l.ledger(g)
	return nil
}

// systemEvent is an event the service derives, with the id it gives it.
func (l *synLearner) systemEvent(kind cynllun.EventKind, cause, reviewID string, on cynllun.Date, at time.Time) *cynllun.StatutoryEvent {
	sum := sha256.Sum256([]byte(string(kind) + "/" + cause))
	return &cynllun.StatutoryEvent{ID: cynllun.PrefixEvent + "s" + hex.EncodeToString(sum[:12]), Kind: kind, LearnerID: l.l.ID, PlanID: l.plan.ID,
		ReviewID: reviewID, OrgID: l.org.ID, On: on, RecordedAt: at.UTC(), RecordedBy: l.staff, System: true}
}

// clocks applies events as the service does when it records one: an event
// closes the open clocks whose rule it ends or restarts, and starts the
// clocks of the rules it starts, their due dates computed as the service
// computes them (clock.Compute on service.TermCalendars' calendar of the
// responsible body, with the deployment's clock settings). The service
// itself is not asked: RecordEvent gives events random ids, and asking it
// for each clock would read the calendars every time.
type clocks struct {
	g    *generator
	l    *synLearner
	all  []*cynllun.Deadline
	open []*cynllun.Deadline
}

func (c *clocks) apply(ev *cynllun.StatutoryEvent, orgKind cynllun.OrgKind) error {
	c.l.events = append(c.l.events, ev)
	var still []*cynllun.Deadline
	for _, d := range c.open {
		rule, _ := clock.RuleByID(d.RuleID)
		ends := slices.Contains(rule.EndEvents, string(ev.Kind)) || slices.Contains(rule.RestartEvents, string(ev.Kind))
		if ends && !(d.PlanID != "" && ev.PlanID != "" && d.PlanID != ev.PlanID) {
			d.Closure = &cynllun.Closure{Status: cynllun.DeadlineMet, On: ev.On, EventID: ev.ID, By: ev.RecordedBy, At: ev.RecordedAt}
			continue
		}
		still = append(still, d)
	}
	c.open = still
	for _, rule := range service.RulesStartedBy(ev.Kind, orgKind, cynllun.StatusOn(c.l.l.DateOfBirth, ev.On)) {
		d := &cynllun.Deadline{ID: cynllun.DeadlineID(rule.ID, ev.ID), RuleID: rule.ID, LearnerID: ev.LearnerID, PlanID: ev.PlanID, ReviewID: ev.ReviewID,
			OrgID: ev.OrgID, LAID: c.l.l.LAID, SettingID: c.l.l.SettingID, StartEventID: ev.ID, Start: ev.On, CreatedAt: ev.RecordedAt}
		var cal *calendar.Calendar
		if rule.Calendar == clock.CalendarMaintainer {
			var err error
			if cal, err = c.g.calendar(ev.OrgID); err != nil {
				return err
			}
		}
		res, err := clock.Compute(rule, ev.On, cal, c.g.clock)
		if err != nil {
			e := cynllun.AsError("seed.Synthetic", err)
			if e.Code != cynllun.CodeInvalid {
				return e
			}
			d.Problem = e.Message
			if len(e.Fields) > 0 {
				d.Problem = e.Fields[0].Message
			}
		} else {
			d.Due = res.Due
		}
		c.all = append(c.all, d)
		c.open = append(c.open, d)
	}
	return nil
}

// makeReviews makes one or two reviews. A plan given long enough ago had
// its annual review concluded (no revision), and for half of them a review
// has been asked for since; a recent plan has a review asked for.
func (l *synLearner) makeReviews(run *clocks) error {
	asOf, r := run.g.asOf, l.r
	held := l.givenOn.AddDays(320 + r.IntN(36))
	decided := held.AddDays(3 + r.IntN(10))
	if decided.After(asOf.AddDays(-5)) {
		return l.requested(run, 0, l.givenOn.AddDays(10))
	}
	id := SyntheticReviewID(l.i, 0)
	rec := l.meeting(id, cynllun.ReviewAnnual, held, atTime(held.AddDays(-28), 10))
	rec.Revision, rec.Status, rec.Comment, rec.CreatedAt = 1, cynllun.ReviewOpen, "Meeting recorded", atTime(held, 16)
	done := *rec
	done.Revision, done.Status, done.Comment, done.CreatedAt = 2, cynllun.ReviewConcluded, "Review concluded", atTime(decided, 15)
	done.Decision = &cynllun.Decision{Kind: cynllun.DecisionNoRevision, DecidedOn: decided, DecidedBy: l.staff,
		Reasons: "The plan still describes " + l.name() + "'s needs and the provision that meets them; the review period starts again."}
	l.reviews = append(l.reviews, rec, &done)
	if err := run.apply(l.systemEvent(cynllun.EventReviewConcluded, id, id, decided, done.CreatedAt), l.org.Kind); err != nil {
		return err
	}
	if r.IntN(2) == 0 && !decided.AddDays(10).After(asOf.AddDays(-8)) {
		return l.requested(run, 1, decided.AddDays(10))
	}
	return nil
}

// requested is review n, asked for on or after from by the parent (or the
// school), agreed and opened, its meeting not yet held.
func (l *synLearner) requested(run *clocks, n int, from cynllun.Date) error {
	asOf, r := run.g.asOf, l.r
	id := SyntheticReviewID(l.i, n)
	requested := between(r, from, asOf.AddDays(-8))
	decided := requested.AddDays(1 + r.IntN(5))
	by, role := l.parentName, cynllun.RequesterParent
	if !SyntheticHasParent(l.i) {
		by, role = l.teacher, cynllun.RequesterSchool
	}
	rv := &cynllun.Review{ID: id, Revision: 1, PlanID: l.plan.ID, LearnerID: l.l.ID, Type: cynllun.ReviewOnRequest, Status: cynllun.ReviewOpen,
		Request: &cynllun.ReviewRequest{By: role, ByName: by, RequestedOn: requested, Reason: "Concerned that the provision in section 2B is not making a difference.",
			DecidedOn: decided, DecidedBy: l.staff},
		PlanVersion: 3, Comment: "Review agreed", CreatedAt: atTime(decided, 12), CreatedBy: l.staff, OpenedAt: atTime(decided, 12), OpenedBy: l.staff}
	l.reviews = append(l.reviews, rv)
	return run.apply(l.systemEvent(cynllun.EventReviewRequested, id, id, requested, atTime(requested, 12)), l.org.Kind)
}

// meeting is a review record with its meeting held on day held.
func (l *synLearner) meeting(id string, typ cynllun.ReviewType, held cynllun.Date, opened time.Time) *cynllun.Review {
	r := l.r
	yes := true
	name := l.name()
	childRole := cynllun.RoleChild
	if cynllun.StatusOn(l.l.DateOfBirth, held) == cynllun.StatusYoungPerson {
		childRole = cynllun.RoleYoungPerson
	}
	rv := &cynllun.Review{ID: id, PlanID: l.plan.ID, LearnerID: l.l.ID, Type: typ, PlanVersion: 3, HeldOn: held, DurationMinutes: 40 + r.IntN(40),
		Participants: []cynllun.Participant{
			{Name: l.l.FullName(), Role: childRole, Attendance: cynllun.AttendedInPerson, Agreed: &yes},
			{Name: l.parentName, Role: cynllun.RoleParent, Attendance: pick(r, []cynllun.Attendance{cynllun.AttendedInPerson, cynllun.AttendedRemotely}), Agreed: &yes},
			{Name: l.staffName, Role: cynllun.RoleALNCo, Organisation: l.org.Name, Attendance: cynllun.AttendedInPerson, Agreed: &yes},
			{Name: l.teacher, Role: cynllun.RoleTeacher, Organisation: l.org.Name, Attendance: cynllun.ContributedInWriting},
		},
		ChildViews:  []cynllun.ChildView{{Format: cynllun.ViewOwnWords, Text: pick(r, importantQuotes), GatheredBy: l.staffName}},
		ParentViews: []cynllun.ParentView{{Name: l.parentName, Text: name + " is more settled this year; we would like the therapy to carry on."}},
		PersonCentred: cynllun.PersonCentred{
			ImportantTo: []string{pick(r, importantOther)}, ImportantFor: []string{pick(r, supportOther)},
			Working: []string{"The small-group sessions"}, NotWorking: []string{"Sessions missed when staff are away"},
			ActionPlan: []cynllun.Action{{Action: "Share the updated one-page profile with every teacher", Owner: "ALNCo", Due: held.AddDays(14)}},
		},
		FourPlusOne: cynllun.FourPlusOne{Tried: "The provision in 2B", Learned: name + " responds well to short, regular sessions",
			Pleased: "Good progress towards most outcomes", Concerned: "A few missed sessions", Next: "Continue the provision; review again in a year"},
		NeedsDiscussion:    "The description of needs in 2A is still right.",
		CapacityDiscussion: "The maintaining body can continue to maintain the plan.", CanMaintain: &yes,
		CreatedBy: l.staff, OpenedAt: opened, OpenedBy: l.staff,
	}
	if l.file != nil {
		rv.ChildViews[0] = cynllun.ChildView{Format: cynllun.ViewDrawing, Text: "A drawing of a good day at school", GatheredBy: l.staffName, Attachments: []string{l.file.ID}}
	}
	for _, row := range l.versions[2].Content.Provision {
		rv.Provision = append(rv.Provision, cynllun.ProvisionReview{RowID: row.ID, Delivered: pick(r, []cynllun.Answer{cynllun.AnswerYes, cynllun.AnswerYes, cynllun.AnswerPartly}),
			Effective: pick(r, []cynllun.Answer{cynllun.AnswerYes, cynllun.AnswerPartly}), StillNeeded: cynllun.AnswerYes, Change: cynllun.ChangeContinue})
		rv.Outcomes = append(rv.Outcomes, cynllun.OutcomeReview{RowID: row.ID,
			Status: pick(r, []cynllun.OutcomeStatus{cynllun.OutcomeAchieved, cynllun.OutcomePartly, cynllun.OutcomePartly, cynllun.OutcomeNotYet})})
	}
	return rv
}

// ledger records the last three school weeks of sessions of the plan's
// first two rows with a weekly or daily amount (one in ten missed).
func (l *synLearner) ledger(g *generator) {
	r := l.r
	var cal *calendar.Calendar
	if l.inSchool {
		cal = l.school.cal
	}
	schoolDay := func(d cynllun.Date) bool {
		if cal != nil {
			return cal.SchoolDay(d)
		}
		wd := d.Weekday()
		return wd != time.Saturday && wd != time.Sunday
	}
	var days []cynllun.Date
	for d := g.asOf.AddDays(-1); len(days) < 15 && d.After(g.asOf.AddDays(-60)); d = d.AddDays(-1) {
		if schoolDay(d) {
			days = append(days, d)
		}
	}
	slices.Reverse(days)
	weekdays := map[int][]time.Weekday{
		1: {time.Tuesday}, 2: {time.Monday, time.Thursday}, 3: {time.Monday, time.Wednesday, time.Friday},
		4: {time.Monday, time.Tuesday, time.Wednesday, time.Thursday},
	}
	reasons := []cynllun.MissedReason{cynllun.MissedLearnerAbsent, cynllun.MissedProviderAbsent, cynllun.MissedStaffUnavailable, cynllun.MissedSchoolEvent}
	n, rows := 0, 0
	for _, row := range l.versions[2].Content.Provision {
		q := row.Quantity
		if q == nil || q.Per != cynllun.PerWeek && q.Per != cynllun.PerDay || rows == 2 {
			continue
		}
		rows++
		for k, d := range days {
			if d.Before(row.StartDate) {
				continue
			}
			times := 0
			switch {
			case q.Per == cynllun.PerDay && k >= len(days)-5:
				times = q.Sessions
			case q.Per == cynllun.PerWeek && slices.Contains(weekdays[min(q.Sessions, 4)], d.Weekday()):
				times = 1
			}
			for range times {
				s := cynllun.Session{ID: synID(cynllun.PrefixSession, kindSession, uint64(l.i)<<16|uint64(n)), PlanID: l.plan.ID, LearnerID: l.l.ID, RowID: row.ID,
					Date: d, Minutes: q.MinutesPerSession, Status: cynllun.SessionDelivered, DeliveredBy: row.Provider,
					RecordedAt: atTime(d, 16), RecordedBy: l.staff}
				if r.IntN(10) == 0 {
					s.Status, s.Reason, s.DeliveredBy = cynllun.SessionMissed, pick(r, reasons), ""
				}
				l.sessions = append(l.sessions, s)
				n++
			}
		}
	}
}
