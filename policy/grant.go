package policy

import (
	"time"

	"github.com/cynllun/cynllun"
)

// Standing is what a granter is, with respect to what they grant: an
// administrator, or their relationship to the learner a learner-scoped
// grant is about (or, for a staff or officer grant, whichever role they
// hold anywhere). A principal may hold several (a teacher who is also a
// parent of the child); a grant is allowed when one of them allows it.
type Standing string

const (
	AsAdmin       Standing = "ADMIN"
	AsStaff       Standing = Standing(cynllun.RelStaffOf)    // staff of the learner's setting
	AsOfficer     Standing = Standing(cynllun.RelOfficerOf)  // officer of the learner's LA
	AsParent      Standing = Standing(cynllun.RelParentOf)   // parent of the learner
	AsYoungPerson Standing = Standing(cynllun.RelSelf)       // the learner themself
	AsAdvocate    Standing = Standing(cynllun.RelAdvocateOf) // advocate for the learner, with consent
	AsNone        Standing = "NONE"                          // none of these
)

// Standings lists every standing, in the order the grant table is kept.
var Standings = []Standing{AsAdmin, AsStaff, AsOfficer, AsParent, AsYoungPerson, AsAdvocate, AsNone}

// GrantKinds lists every relationship kind that can be granted.
var GrantKinds = []cynllun.RelKind{cynllun.RelStaffOf, cynllun.RelOfficerOf, cynllun.RelParentOf, cynllun.RelSelf, cynllun.RelAdvocateOf}

// Rule is one cell of the grant table: allowed or not, and why.
type Rule struct {
	Allow bool
	Why   string
}

// GrantRow is one line of the grant table: what a granter of one standing
// may grant of one kind, to someone else and to themself.
type GrantRow struct {
	As    Standing
	Kind  cynllun.RelKind
	Other Rule
	Self  Rule
}

// Why a self-grant is refused, whatever the standing: nobody vouches for
// their own access (issue 14: a teacher granted themselves PARENT_OF and
// kept reading the record after leaving the school).
const whySelf = "nobody grants themself access: someone else must vouch for it"

func may(allow bool, why string) Rule { return Rule{Allow: allow, Why: why} }

var selfRefused = Rule{Why: whySelf}

// GrantTable is who may grant what (issue 14). Every standing × every kind
// has a row; no Self cell allows. Conditions that are not about standing
// are checked by Grant and the service besides: an advocate's consent is
// given by the signed-in parent or young person and always has an end
// date; no relationship is granted to an administrator's account.
var GrantTable = []GrantRow{
	// Administrators manage organisations and who works in them; they never
	// reach learners' data, so they grant nothing about a learner.
	{AsAdmin, cynllun.RelStaffOf, may(true, "administrators manage who works for a school, FEI or health board"), selfRefused},
	{AsAdmin, cynllun.RelOfficerOf, may(true, "administrators manage who works for a local authority"), selfRefused},
	{AsAdmin, cynllun.RelParentOf, may(false, "administrators have no access to learners and vouch for no family"), selfRefused},
	{AsAdmin, cynllun.RelSelf, may(false, "administrators have no access to learners and vouch for no young person"), selfRefused},
	{AsAdmin, cynllun.RelAdvocateOf, may(false, "only the parent or the young person consents to an advocate"), selfRefused},

	// Staff of the learner's setting know the family: they record parents
	// and the young person's own account, for others only.
	{AsStaff, cynllun.RelStaffOf, may(false, "only administrators grant staff roles"), selfRefused},
	{AsStaff, cynllun.RelOfficerOf, may(false, "only administrators grant officer roles"), selfRefused},
	{AsStaff, cynllun.RelParentOf, may(true, "staff of the learner's setting record the learner's parents"), selfRefused},
	{AsStaff, cynllun.RelSelf, may(true, "staff of the learner's setting give the young person access to their own record"), selfRefused},
	{AsStaff, cynllun.RelAdvocateOf, may(false, "only the parent or the young person consents to an advocate"), selfRefused},

	// Officers of the learner's local authority: as staff.
	{AsOfficer, cynllun.RelStaffOf, may(false, "only administrators grant staff roles"), selfRefused},
	{AsOfficer, cynllun.RelOfficerOf, may(false, "only administrators grant officer roles"), selfRefused},
	{AsOfficer, cynllun.RelParentOf, may(true, "officers of the learner's local authority record the learner's parents"), selfRefused},
	{AsOfficer, cynllun.RelSelf, may(true, "officers of the learner's local authority give the young person access to their own record"), selfRefused},
	{AsOfficer, cynllun.RelAdvocateOf, may(false, "only the parent or the young person consents to an advocate"), selfRefused},

	// A parent consents to an advocate, and to nothing else.
	{AsParent, cynllun.RelStaffOf, may(false, "only administrators grant staff roles"), selfRefused},
	{AsParent, cynllun.RelOfficerOf, may(false, "only administrators grant officer roles"), selfRefused},
	{AsParent, cynllun.RelParentOf, may(false, "the learner's setting or local authority records parents"), selfRefused},
	{AsParent, cynllun.RelSelf, may(false, "the learner's setting or local authority records the young person's account"), selfRefused},
	{AsParent, cynllun.RelAdvocateOf, may(true, "a parent consents to an advocate, for a limited time"), selfRefused},

	// The young person consents to an advocate, and to nothing else.
	{AsYoungPerson, cynllun.RelStaffOf, may(false, "only administrators grant staff roles"), selfRefused},
	{AsYoungPerson, cynllun.RelOfficerOf, may(false, "only administrators grant officer roles"), selfRefused},
	{AsYoungPerson, cynllun.RelParentOf, may(false, "the learner's setting or local authority records parents"), selfRefused},
	{AsYoungPerson, cynllun.RelSelf, may(false, "the learner's setting or local authority records the young person's account"), selfRefused},
	{AsYoungPerson, cynllun.RelAdvocateOf, may(true, "the young person consents to an advocate, for a limited time"), selfRefused},

	// An advocate holds consent; they pass it on to nobody.
	{AsAdvocate, cynllun.RelStaffOf, may(false, "only administrators grant staff roles"), selfRefused},
	{AsAdvocate, cynllun.RelOfficerOf, may(false, "only administrators grant officer roles"), selfRefused},
	{AsAdvocate, cynllun.RelParentOf, may(false, "an advocate's consent cannot be passed on"), selfRefused},
	{AsAdvocate, cynllun.RelSelf, may(false, "an advocate's consent cannot be passed on"), selfRefused},
	{AsAdvocate, cynllun.RelAdvocateOf, may(false, "an advocate's consent cannot be passed on"), selfRefused},

	// Anyone else: nothing.
	{AsNone, cynllun.RelStaffOf, may(false, "only administrators grant staff roles"), selfRefused},
	{AsNone, cynllun.RelOfficerOf, may(false, "only administrators grant officer roles"), selfRefused},
	{AsNone, cynllun.RelParentOf, may(false, "no relationship to the learner"), selfRefused},
	{AsNone, cynllun.RelSelf, may(false, "no relationship to the learner"), selfRefused},
	{AsNone, cynllun.RelAdvocateOf, may(false, "no relationship to the learner"), selfRefused},
}

type grantKey struct {
	as   Standing
	kind cynllun.RelKind
}

var grantIndex = func() map[grantKey]GrantRow {
	m := make(map[grantKey]GrantRow, len(GrantTable))
	for _, row := range GrantTable {
		m[grantKey{row.As, row.Kind}] = row
	}
	return m
}()

// GrantRule returns the table's cell for a granter of standing as granting
// kind, to themself or to another. A combination not in the table is
// refused.
func GrantRule(as Standing, kind cynllun.RelKind, self bool) Rule {
	row, ok := grantIndex[grantKey{as, kind}]
	switch {
	case !ok:
		return Rule{Why: "not a grantable relationship"}
	case self:
		return row.Self
	default:
		return row.Other
	}
}

// Held is one standing a principal holds, with the relationship that gives
// it (empty for AsAdmin and AsNone).
type Held struct {
	As  Standing
	Via string
}

// Standings returns the standings p holds for a grant of kind about learner
// (nil for staff and officer grants), most specific first. An
// administrator's standing is AsAdmin alone: an administrator's
// relationships count for nothing (see active).
func StandingsOf(p *cynllun.Principal, kind cynllun.RelKind, learner *cynllun.Learner, now time.Time) []Held {
	if p == nil {
		return nil
	}
	if p.Admin {
		return []Held{{As: AsAdmin}}
	}
	var out []Held
	seen := map[Standing]bool{}
	add := func(as Standing, via string) {
		if !seen[as] {
			seen[as] = true
			out = append(out, Held{As: as, Via: via})
		}
	}
	learnerScoped := kind != cynllun.RelStaffOf && kind != cynllun.RelOfficerOf
	for _, r := range active(p, now) {
		switch {
		case !learnerScoped && (r.Kind == cynllun.RelStaffOf || r.Kind == cynllun.RelOfficerOf):
			add(Standing(r.Kind), r.ID)
		case !learnerScoped || learner == nil:
		case (r.Kind == cynllun.RelParentOf || r.Kind == cynllun.RelSelf || r.Kind == cynllun.RelAdvocateOf) && r.LearnerID == learner.ID:
			add(Standing(r.Kind), r.ID)
		case r.Kind == cynllun.RelStaffOf && learner.SettingID != "" && r.OrgID == learner.SettingID:
			add(AsStaff, r.ID)
		case r.Kind == cynllun.RelOfficerOf && learner.LAID != "" && r.OrgID == learner.LAID:
			add(AsOfficer, r.ID)
		}
	}
	if len(out) == 0 {
		out = append(out, Held{As: AsNone})
	}
	return out
}

// GrantDecision is Grant's answer: allowed or not, why, and (when allowed)
// the standing it was granted under, to be recorded on the relationship.
type GrantDecision struct {
	OK bool
	// Self: the grant was to the granter themself (always refused, and
	// audited by the service).
	Self bool
	Why  string
	As   Standing
	Via  string
}

// Grant decides whether p may create relationship r (about learner, nil for
// staff and officer grants) by the grant table, and checks what the table
// does not: an advocate's consent is p's own and has an end date. Who the
// grantee is (an administrator's account may hold no relationship) is the
// service's check, so that an unknown user and an ineligible one answer
// alike.
func Grant(p *cynllun.Principal, r *cynllun.Relationship, learner *cynllun.Learner, now time.Time) GrantDecision {
	if p == nil || r == nil {
		return GrantDecision{Why: "sign in required"}
	}
	self := r.UserID == p.UserID
	if self {
		return GrantDecision{Self: true, Why: whySelf}
	}
	learnerScoped := r.Kind != cynllun.RelStaffOf && r.Kind != cynllun.RelOfficerOf
	if learnerScoped && (learner == nil || r.LearnerID != learner.ID) {
		return GrantDecision{Why: "no such learner"}
	}
	d := MayGrant(p, r.Kind, learner, now)
	if d.OK && r.Kind == cynllun.RelAdvocateOf && (r.ConsentBy != p.UserID || r.EndsAt.IsZero()) {
		return GrantDecision{Why: "an advocate's consent is the signed-in parent's or young person's, with an end date"}
	}
	return d
}

// MayGrant decides by the grant table whether p may grant a relationship
// of kind about learner (nil for staff and officer grants) to someone
// else, and under which standing: Grant's decision before the conditions
// that depend on the relationship itself (its holder, an advocate's
// consent and end date). A learner's viewerCanGrant lists the kinds it
// allows.
func MayGrant(p *cynllun.Principal, kind cynllun.RelKind, learner *cynllun.Learner, now time.Time) GrantDecision {
	var refused Rule
	for i, h := range StandingsOf(p, kind, learner, now) {
		rule := GrantRule(h.As, kind, false)
		if !rule.Allow {
			if i == 0 {
				refused = rule
			}
			continue
		}
		return GrantDecision{OK: true, Why: rule.Why, As: h.As, Via: h.Via}
	}
	if refused.Why == "" {
		refused = GrantRule(AsNone, kind, false)
	}
	return GrantDecision{Why: refused.Why}
}

// LearnerGrantKinds are the relationship kinds granted about a learner.
var LearnerGrantKinds = []cynllun.RelKind{cynllun.RelParentOf, cynllun.RelSelf, cynllun.RelAdvocateOf}

// GrantableKinds lists the kinds of relationship about learner l that p
// may grant to someone else (MayGrant), in the order of LearnerGrantKinds.
func GrantableKinds(p *cynllun.Principal, l *cynllun.Learner, now time.Time) []cynllun.RelKind {
	out := []cynllun.RelKind{}
	if l == nil {
		return out
	}
	for _, k := range LearnerGrantKinds {
		if MayGrant(p, k, l, now).OK {
			out = append(out, k)
		}
	}
	return out
}
