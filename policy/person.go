package policy

import (
	"time"

	"github.com/cynllun/cynllun"
)

// Who did it: a record shows who saved, read or decided it by user id
// (createdBy, actorId …). Whether a reader may also know that person —
// their name, and how they are related to the learner — is decided in the
// context of the learner whose record it is, by PersonTable: the reader's
// standing with the learner against the person's. Someone who is not
// related to the learner is not shown to anyone, so that nobody learns
// from a name whether an unrelated user exists.
//
// A person is related to a learner by a relationship that reaches the
// learner (parent, the young person, advocate for it; staff of its
// setting; officer of its local authority), current or ended: records
// outlive roles, and "saved by Mrs Jones, ALNCo" stays true after she
// leaves. Self-granted relationships (refused, and never giving access),
// an advocate's relationship without recorded consent or end date, and
// anything an administrator's account holds count for nothing. A
// relationship with the learner's former school or local authority does
// not relate its holder to the learner any more.

// PersonRow is one cell of the people table: whether a reader of one
// standing with a learner may know a person of another standing with the
// same learner, and why.
type PersonRow struct {
	Reader Standing
	Person Standing
	Rule
}

// PersonTable is who may know whom, in the context of a learner they share.
// Every standing × every standing has a row. Knowing oneself is always
// allowed (SeePerson), whatever the table says.
var PersonTable = []PersonRow{
	// Those who maintain the record know everyone who acts on it.
	{AsStaff, AsStaff, may(true, "staff see who else at the learner's setting acts on the record")},
	{AsStaff, AsOfficer, may(true, "staff work with the learner's local authority")},
	{AsStaff, AsParent, may(true, "those who maintain the record know the learner's family")},
	{AsStaff, AsYoungPerson, may(true, "those who maintain the record know the young person")},
	{AsStaff, AsAdvocate, may(true, "those who maintain the record work with the learner's advocate")},
	{AsStaff, AsAdmin, may(false, "administrators act on organisations, not on learners' records")},
	{AsStaff, AsNone, may(false, "not related to the learner: nobody learns that such a user exists")},

	{AsOfficer, AsStaff, may(true, "officers work with the learner's setting")},
	{AsOfficer, AsOfficer, may(true, "officers see who else at the local authority acts on the record")},
	{AsOfficer, AsParent, may(true, "those who maintain the record know the learner's family")},
	{AsOfficer, AsYoungPerson, may(true, "those who maintain the record know the young person")},
	{AsOfficer, AsAdvocate, may(true, "those who maintain the record work with the learner's advocate")},
	{AsOfficer, AsAdmin, may(false, "administrators act on organisations, not on learners' records")},
	{AsOfficer, AsNone, may(false, "not related to the learner: nobody learns that such a user exists")},

	// A parent sees who acts on their child's record.
	{AsParent, AsStaff, may(true, "a family sees who at the setting acts on their child's record")},
	{AsParent, AsOfficer, may(true, "a family sees who at the local authority acts on their child's record")},
	{AsParent, AsParent, may(false, "another parent is not named to a parent: families may live apart, and safeguarding may require it")},
	{AsParent, AsYoungPerson, may(true, "the young person is their own child")},
	{AsParent, AsAdvocate, may(true, "a family sees the advocate acting for their child")},
	{AsParent, AsAdmin, may(false, "administrators act on organisations, not on learners' records")},
	{AsParent, AsNone, may(false, "not related to the learner: nobody learns that such a user exists")},

	// The young person sees everyone who acts on their own record.
	{AsYoungPerson, AsStaff, may(true, "the young person sees who at the setting acts on their record")},
	{AsYoungPerson, AsOfficer, may(true, "the young person sees who at the local authority acts on their record")},
	{AsYoungPerson, AsParent, may(true, "the young person sees which of their parents act on their record")},
	{AsYoungPerson, AsYoungPerson, may(true, "the young person themself")},
	{AsYoungPerson, AsAdvocate, may(true, "the young person sees the advocate acting for them")},
	{AsYoungPerson, AsAdmin, may(false, "administrators act on organisations, not on learners' records")},
	{AsYoungPerson, AsNone, may(false, "not related to the learner: nobody learns that such a user exists")},

	// An advocate sees those they deal with for the family.
	{AsAdvocate, AsStaff, may(true, "an advocate deals with the learner's setting")},
	{AsAdvocate, AsOfficer, may(true, "an advocate deals with the learner's local authority")},
	{AsAdvocate, AsParent, may(true, "an advocate acts for the learner's family")},
	{AsAdvocate, AsYoungPerson, may(true, "an advocate acts for the young person")},
	{AsAdvocate, AsAdvocate, may(false, "another advocate is not named to an advocate: each consent is given on its own")},
	{AsAdvocate, AsAdmin, may(false, "administrators act on organisations, not on learners' records")},
	{AsAdvocate, AsNone, may(false, "not related to the learner: nobody learns that such a user exists")},

	// Administrators reach no learner's record, and nor does anyone else.
	{AsAdmin, AsStaff, may(false, "administrators reach no learner's record")},
	{AsAdmin, AsOfficer, may(false, "administrators reach no learner's record")},
	{AsAdmin, AsParent, may(false, "administrators reach no learner's record")},
	{AsAdmin, AsYoungPerson, may(false, "administrators reach no learner's record")},
	{AsAdmin, AsAdvocate, may(false, "administrators reach no learner's record")},
	{AsAdmin, AsAdmin, may(false, "administrators reach no learner's record")},
	{AsAdmin, AsNone, may(false, "administrators reach no learner's record")},

	{AsNone, AsStaff, may(false, "no relationship to the learner")},
	{AsNone, AsOfficer, may(false, "no relationship to the learner")},
	{AsNone, AsParent, may(false, "no relationship to the learner")},
	{AsNone, AsYoungPerson, may(false, "no relationship to the learner")},
	{AsNone, AsAdvocate, may(false, "no relationship to the learner")},
	{AsNone, AsAdmin, may(false, "no relationship to the learner")},
	{AsNone, AsNone, may(false, "no relationship to the learner")},
}

type personKey struct{ reader, person Standing }

var personIndex = func() map[personKey]Rule {
	m := make(map[personKey]Rule, len(PersonTable))
	for _, row := range PersonTable {
		m[personKey{row.Reader, row.Person}] = row.Rule
	}
	return m
}()

// PersonRule returns the table's cell for a reader of standing reader and
// a person of standing person; a pair not in the table is refused.
func PersonRule(reader, person Standing) Rule {
	if r, ok := personIndex[personKey{reader, person}]; ok {
		return r
	}
	return Rule{Why: "not a standing with a learner"}
}

// readerStandings are the standings p holds with l now (its active
// relationships that reach l); AsAdmin alone for an administrator, AsNone
// when there is none.
func readerStandings(p *cynllun.Principal, l *cynllun.Learner, now time.Time) []Standing {
	if p == nil {
		return []Standing{AsNone}
	}
	if p.Admin {
		return []Standing{AsAdmin}
	}
	var out []Standing
	for _, r := range active(p, now) {
		if as := standingWith(&r, l); as != AsNone && !containsStanding(out, as) {
			out = append(out, as)
		}
	}
	if len(out) == 0 {
		return []Standing{AsNone}
	}
	return out
}

// standingWith is the standing relationship r gives its holder with l,
// whether or not it is active: AsNone when it does not reach l.
func standingWith(r *cynllun.Relationship, l *cynllun.Learner) Standing {
	if l == nil {
		return AsNone
	}
	switch r.Kind {
	case cynllun.RelParentOf, cynllun.RelSelf, cynllun.RelAdvocateOf:
		if r.LearnerID != "" && r.LearnerID == l.ID {
			return Standing(r.Kind)
		}
	case cynllun.RelStaffOf:
		if l.SettingID != "" && r.OrgID == l.SettingID {
			return AsStaff
		}
	case cynllun.RelOfficerOf:
		if l.LAID != "" && r.OrgID == l.LAID {
			return AsOfficer
		}
	}
	return AsNone
}

// everGave says whether r ever gave (or gives) access: not self-granted,
// and for an advocate with recorded consent and an end date.
func everGave(r *cynllun.Relationship) bool {
	if r.SelfGranted() {
		return false
	}
	return r.Kind != cynllun.RelAdvocateOf || (r.ConsentBy != "" && !r.EndsAt.IsZero())
}

func containsStanding(s []Standing, v Standing) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Seen is SeePerson's answer: whether the reader may know the person, and
// which of the person's relationships with the learner they may see (the
// person's roles, current and ended, oldest first as given).
type Seen struct {
	OK    bool
	Roles []cynllun.Relationship
}

// SeePerson decides whether reader may know person (a user, with every
// relationship of theirs, ended ones too) in the context of learner l —
// their name, and those of their relationships with l whose standing
// PersonTable lets the reader see. The reader must be able to read l; a
// person with no relationship to l that the reader may see is not shown
// (the same answer as for a user that does not exist). Readers always
// know themselves, with all their relationships with l.
func SeePerson(reader *cynllun.Principal, l *cynllun.Learner, person *cynllun.User, rels []cynllun.Relationship, now time.Time) Seen {
	if reader == nil || l == nil || person == nil || !ReadLearner(reader, l, now).OK {
		return Seen{}
	}
	self := person.ID == reader.UserID
	if person.Admin && !self {
		// An administrator's relationships count for nothing (active), and
		// administrators act on no learner's record.
		return Seen{}
	}
	standings := readerStandings(reader, l, now)
	var out Seen
	for _, r := range rels {
		if r.UserID != "" && r.UserID != person.ID {
			continue
		}
		as := standingWith(&r, l)
		if as == AsNone || !everGave(&r) {
			continue
		}
		allowed := self
		for _, rs := range standings {
			if PersonRule(rs, as).Allow {
				allowed = true
				break
			}
		}
		if allowed {
			out.Roles = append(out.Roles, r)
		}
	}
	out.OK = len(out.Roles) > 0
	return out
}
