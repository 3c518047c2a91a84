package cynllun

import "time"

// Language is a preferred language.
type Language string

const (
	LanguageCY Language = "cy"
	LanguageEN Language = "en"
)

// SettingKind is where a learner is educated now.
type SettingKind string

const (
	SettingSchool     SettingKind = "SCHOOL"
	SettingFEI        SettingKind = "FEI"
	SettingEarlyYears SettingKind = "EARLY_YEARS"
	SettingEOTAS      SettingKind = "EOTAS"
	SettingEHE        SettingKind = "EHE"
	SettingNone       SettingKind = "NONE"
)

// LearnerStatus is the legal status derived from the date of birth.
type LearnerStatus string

const (
	StatusChild       LearnerStatus = "CHILD"
	StatusYoungPerson LearnerStatus = "YOUNG_PERSON"
)

// MaxAge is the upper end of the ALN system (0–25).
const MaxAge = 25

// EarliestDateOfBirth is the earliest date of birth of someone aged at most
// MaxAge on today: born no more than 26 years (less a day) before today.
// With today, it bounds a learner's date of birth.
func EarliestDateOfBirth(today Date) Date {
	d := today.AddYears(-(MaxAge + 1))
	for AgeOn(d, today) > MaxAge {
		d = d.AddDays(1)
	}
	return d
}

// Learner is a child or young person.
type Learner struct {
	ID         string
	GivenName  string
	FamilyName string
	// PreferredName is optional ("known as").
	PreferredName string
	DateOfBirth   Date
	Language      Language
	// LAID is the responsible local authority's organisation id.
	LAID        string
	SettingKind SettingKind
	// SettingID is the school, FEI or early-years setting, when there is one.
	SettingID   string
	LookedAfter bool
	CreatedAt   time.Time
	CreatedBy   string
	UpdatedAt   time.Time
}

// FullName is given name then family name.
func (l *Learner) FullName() string { return l.GivenName + " " + l.FamilyName }

// CompulsorySchoolAgeEnds returns the last day of compulsory school age for
// someone born on dob: the last Friday in June of the school year in which
// they turn 16 (domain.md §2.1). The school year runs September to August,
// so a birthday in September–December falls in the school year that ends the
// following June.
func CompulsorySchoolAgeEnds(dob Date) Date {
	sixteenth := dob.AddYears(16)
	year := sixteenth.Year
	if sixteenth.Month >= time.September {
		year++
	}
	d := Date{year, time.June, 30}
	for d.Weekday() != time.Friday {
		d = d.AddDays(-1)
	}
	return d
}

// StatusOn says whether the learner is a child or a young person on day.
func StatusOn(dob, day Date) LearnerStatus {
	if day.After(CompulsorySchoolAgeEnds(dob)) {
		return StatusYoungPerson
	}
	return StatusChild
}

// AgeOn is the age in whole years on day.
func AgeOn(dob, day Date) int {
	age := day.Year - dob.Year
	if day.Month < dob.Month || (day.Month == dob.Month && day.Day < dob.Day) {
		age--
	}
	return age
}
