package cynllun

import "time"

// OrgKind is the kind of organisation.
type OrgKind string

const (
	OrgLocalAuthority OrgKind = "LOCAL_AUTHORITY"
	OrgSchool         OrgKind = "SCHOOL"
	OrgFEI            OrgKind = "FEI"
	OrgHealthBoard    OrgKind = "HEALTH_BOARD"
)

// Organisation is a local authority, school, FEI or local health board.
type Organisation struct {
	ID     string
	Kind   OrgKind
	Name   string
	NameCy string
	// LAID is the local authority a school or FEI sits in ("" for LAs and
	// health boards).
	LAID string
	// Code is an external reference: the ONS code of an LA, the school's
	// LA/establishment number, and so on.
	Code      string
	CreatedAt time.Time
	CreatedBy string
}
