package policy

import (
	"time"

	"github.com/cynllun/cynllun"
)

// Who sees the list of relationships on a learner's record (Learner.access,
// issue 17): those who maintain the record see every row, as before; the
// family — a parent, and the young person on their own record — see the
// rows whose holder PersonTable lets them know (so one parent is not shown
// the other's relationship), their own, and every consent they gave, so
// that they can withdraw it. Within a row the family sees who granted it
// and who consented only when PersonTable lets them know that person too;
// otherwise those ids are withheld (the row says only the grantor's
// standing). Advocates and everyone else see no list.

// ReadAccessList decides whether p may list the relationships on l's
// record: those who maintain it (ManageAccess), a parent of l, and l
// themself.
func ReadAccessList(p *cynllun.Principal, l *cynllun.Learner, now time.Time) Access {
	if a := ManageAccess(p, l, now); a.OK {
		return a
	}
	for _, as := range familyStandings(p, l, now) {
		return Access{OK: true, Reason: cynllun.RelKind(as)}
	}
	return Access{}
}

// familyStandings are p's current standings with l as its parent or as the
// young person (most specific first).
func familyStandings(p *cynllun.Principal, l *cynllun.Learner, now time.Time) []Standing {
	if l == nil {
		return nil
	}
	var out []Standing
	for _, as := range readerStandings(p, l, now) {
		if as == AsParent || as == AsYoungPerson {
			out = append(out, as)
		}
	}
	return out
}

// AccessRow is what a reader of the access list sees of one relationship:
// whether the row is shown at all, and whether its grantor and consenter
// (CreatedBy, ConsentBy, GrantedVia) may be named.
type AccessRow struct {
	Show    bool
	Grantor bool
}

// SeeAccessRow decides what p, who may read l's access list, sees of
// relationship r of l's (see the comment at the top of this file).
func SeeAccessRow(p *cynllun.Principal, l *cynllun.Learner, r *cynllun.Relationship, now time.Time) AccessRow {
	if p == nil || l == nil || r == nil || r.LearnerID != l.ID {
		return AccessRow{}
	}
	if ManageAccess(p, l, now).OK {
		return AccessRow{Show: true, Grantor: true}
	}
	family := familyStandings(p, l, now)
	if len(family) == 0 {
		return AccessRow{}
	}
	mine := r.UserID == p.UserID
	gave := r.CreatedBy == p.UserID || r.ConsentBy == p.UserID
	knows := func(as Standing) bool {
		for _, rs := range family {
			if PersonRule(rs, as).Allow {
				return true
			}
		}
		return false
	}
	show := mine || gave || (everGave(r) && knows(standingWith(r, l)))
	if !show {
		return AccessRow{}
	}
	grantor := gave
	if !grantor && r.GrantedAs != "" && r.GrantedAs != string(AsAdmin) {
		grantor = knows(Standing(r.GrantedAs))
	}
	return AccessRow{Show: true, Grantor: grantor}
}
