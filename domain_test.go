package cynllun

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2017-03-01", Date{2017, time.March, 1}, true},
		{"2024-02-29", Date{2024, time.February, 29}, true},
		{"2025-02-29", Date{}, false},
		{"2025-02-30", Date{}, false},
		{"1899-12-31", Date{}, false},
		{"2200-01-01", Date{}, false},
		{"2017-3-1", Date{}, false},
		{"01/03/2017", Date{}, false},
		{"2017-03-01T00:00:00Z", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2017-03-01", "2025-02-30", "0000-00-00", "9999-99-99", "2017-03-0\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.Year < 1900 || d.Year > 2199 {
			t.Fatalf("accepted year %d", d.Year)
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
	})
}

// Compulsory school age ends on the last Friday of June of the school year
// (1 September – 31 August) in which the learner turns 16.
func TestCompulsorySchoolAgeEnds(t *testing.T) {
	tests := []struct{ dob, want string }{
		{"2010-03-15", "2026-06-26"}, // turns 16 in March 2026: last Friday of June 2026
		{"2010-08-31", "2026-06-26"}, // turns 16 on 31 August: same school year
		{"2010-09-01", "2027-06-25"}, // turns 16 on 1 September: the next school year
		{"2009-12-25", "2026-06-26"},
		{"2014-06-30", "2030-06-28"},
	}
	for _, tt := range tests {
		if got := CompulsorySchoolAgeEnds(MustDate(tt.dob)); got.String() != tt.want {
			t.Errorf("CompulsorySchoolAgeEnds(%s) = %s, want %s", tt.dob, got, tt.want)
		}
	}
	dob := MustDate("2010-03-15")
	if s := StatusOn(dob, MustDate("2026-06-26")); s != StatusChild {
		t.Errorf("on the last day: %s", s)
	}
	if s := StatusOn(dob, MustDate("2026-06-27")); s != StatusYoungPerson {
		t.Errorf("the day after: %s", s)
	}
}

// TestEarliestDateOfBirth: the earliest date of birth of a learner aged at
// most 25 is the day after their 26th birthday's eve, 29 February included.
func TestEarliestDateOfBirth(t *testing.T) {
	for _, tt := range []struct{ today, want string }{
		{"2026-11-22", "2000-11-23"},
		{"2026-01-01", "2000-01-02"},
		{"2026-12-31", "2001-01-01"},
		{"2028-02-29", "2002-03-01"},
		{"2026-02-28", "2000-02-29"},
		{"2027-03-01", "2001-03-02"},
	} {
		today := MustDate(tt.today)
		got := EarliestDateOfBirth(today)
		if got.String() != tt.want {
			t.Errorf("EarliestDateOfBirth(%s) = %s, want %s", tt.today, got, tt.want)
		}
		if AgeOn(got, today) != MaxAge || AgeOn(got.AddDays(-1), today) != MaxAge+1 {
			t.Errorf("%s: %s is aged %d, the day before %d", tt.today, got, AgeOn(got, today), AgeOn(got.AddDays(-1), today))
		}
	}
}

func TestAgeOn(t *testing.T) {
	dob := MustDate("2008-02-29")
	for _, tt := range []struct {
		day  string
		want int
	}{{"2026-02-28", 17}, {"2026-03-01", 18}, {"2008-02-29", 0}} {
		if got := AgeOn(dob, MustDate(tt.day)); got != tt.want {
			t.Errorf("AgeOn(%s) = %d, want %d", tt.day, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Siôn": "sion", "Llŷr": "llyr", "Gwenllïan": "gwenllian", "ŴYN": "wyn", "Âp": "ap"} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestActiveAt(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		r    Relationship
		want bool
	}{
		{"open-ended parent", Relationship{Kind: RelParentOf}, true},
		{"ended", Relationship{Kind: RelParentOf, EndedAt: now}, false},
		{"ends later", Relationship{Kind: RelStaffOf, EndsAt: now.Add(time.Second)}, true},
		{"advocate with consent", Relationship{Kind: RelAdvocateOf, ConsentBy: "usr_p", EndsAt: now.Add(time.Hour)}, true},
		{"advocate at the end instant", Relationship{Kind: RelAdvocateOf, ConsentBy: "usr_p", EndsAt: now}, false},
		{"advocate without consent", Relationship{Kind: RelAdvocateOf, EndsAt: now.Add(time.Hour)}, false},
	}
	for _, tt := range tests {
		if got := tt.r.ActiveAt(now); got != tt.want {
			t.Errorf("%s: ActiveAt = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestCaseStatusMoves: Tribunal cases move forward through their stages
// (skipping is allowed); any open case may end; a final status is final;
// the Tribunal's stages are not for local cases.
func TestCaseStatusMoves(t *testing.T) {
	for _, tt := range []struct {
		from, to CaseStatus
		kind     CaseKind
		ok       bool
	}{
		{CaseOpen, CaseOpen, CaseAppeal, true},
		{CaseOpen, CaseLodged, CaseAppeal, true},
		{CaseOpen, CaseDecided, CaseAppeal, true},
		{CaseLodged, CaseRegistered, CaseDisabilityClaim, true},
		{CaseHearingListed, CaseDecided, CaseAppeal, true},
		{CaseRegistered, CaseLodged, CaseAppeal, false},
		{CaseDecided, CaseHearingListed, CaseAppeal, false},
		{CaseDecided, CaseClosed, CaseAppeal, true},
		{CaseLodged, CaseWithdrawn, CaseAppeal, true},
		{CaseOpen, CaseResolved, CaseDisagreement, true},
		{CaseOpen, CaseLodged, CaseDisagreement, false},
		{CaseOpen, CaseDecided, CaseReconsideration, false},
		{CaseClosed, CaseOpen, CaseAppeal, false},
		{CaseWithdrawn, CaseClosed, CaseAppeal, false},
		{CaseResolved, CaseResolved, CaseDisagreement, true},
		{CaseOpen, CaseStatus("LOST"), CaseAppeal, false},
	} {
		if got := tt.from.CanMoveTo(tt.to, tt.kind); got != tt.ok {
			t.Errorf("%s %s -> %s: %v, want %v", tt.kind, tt.from, tt.to, got, tt.ok)
		}
	}
}

// TestCaseIDs: ids are stable, distinct per case and never the learner's.
func TestCaseIDs(t *testing.T) {
	if BundleID("cas_a", 1) == BundleID("cas_a", 2) || BundleID("cas_a", 1) == BundleID("cas_b", 1) || BundleID("cas_a", 1) != BundleID("cas_a", 1) {
		t.Error("BundleID")
	}
	if BundleJobID("bdl_a", 1) == BundleJobID("bdl_a", 2) || !strings.HasPrefix(BundleJobID("bdl_a", 1), PrefixJob) {
		t.Error("BundleJobID")
	}
	sum := strings.Repeat("ab", 32)
	if CaseFileID("cas_a", sum) == CaseFileID("cas_b", sum) || CaseFileID("cas_a", sum) == UploadFileID("cas_a", sum) {
		t.Error("CaseFileID is shared")
	}
	if CaseRevisionID("cas_a", 3) != "cas_a/r3" {
		t.Error("CaseRevisionID")
	}
}
