package account

// Permission is an action on a kind of record.
type Permission string

// The permissions of the places-and-people part of MESH.
const (
	ReadPlaces       Permission = "places.read"
	WritePlaces      Permission = "places.write"
	ReadWorkers      Permission = "workers.read"
	WriteWorkers     Permission = "workers.write"
	ReadUsers        Permission = "users.read"
	WriteUsers       Permission = "users.write"
	ReadAssignments  Permission = "assignments.read"
	WriteAssignments Permission = "assignments.write"
	ReadAudit        Permission = "audit.read"
	ReadVisits       Permission = "visits.read"
	WriteVisits      Permission = "visits.write"
	// Named per-worker results ("supporting, not policing"): only the worker's mentors
	// and their facility's in-charge; district and national users see aggregates.
	ReadObservations  Permission = "observations.read"
	WriteObservations Permission = "observations.write"
	ReadIndicators    Permission = "indicators.read"
	// Facility systems and QI: mentors, in-charges and supervisors record what they
	// find in their area; managers follow it everywhere.
	ReadReadiness  Permission = "readiness.read" // readiness checks and the stock-out log
	WriteReadiness Permission = "readiness.write"
	ReadIssues     Permission = "issues.read"
	WriteIssues    Permission = "issues.write"
	ReadQI         Permission = "qi.read"
	WriteQI        Permission = "qi.write"
	// The DHIS2 mapping and the scheduled monthly push to the national system.
	ManageDHIS2 Permission = "dhis2.manage"
)

// grants says which roles hold each permission. The place check (Scope.Contains)
// comes on top: a supervisor may write workers, but only in their district.
var grants = map[Permission][]Role{
	ReadPlaces:        {Admin, Manager, Supervisor, Mentor, FacilityIC},
	WritePlaces:       {Admin, Manager},
	ReadWorkers:       {Admin, Manager, Supervisor, Mentor, FacilityIC},
	WriteWorkers:      {Admin, Manager, Supervisor, FacilityIC},
	ReadUsers:         {Admin, Manager, Supervisor},
	WriteUsers:        {Admin},
	ReadAssignments:   {Admin, Manager, Supervisor, Mentor, FacilityIC},
	WriteAssignments:  {Admin, Manager, Supervisor},
	ReadAudit:         {Admin},
	ReadVisits:        {Admin, Manager, Supervisor, Mentor, FacilityIC},
	WriteVisits:       {Admin, Manager, Supervisor, Mentor},
	ReadObservations:  {Mentor, FacilityIC},
	WriteObservations: {Mentor},
	ReadIndicators:    {Admin, Manager, Supervisor, Mentor, FacilityIC},
	ReadReadiness:     {Admin, Manager, Supervisor, Mentor, FacilityIC},
	WriteReadiness:    {Admin, Supervisor, Mentor, FacilityIC},
	ReadIssues:        {Admin, Manager, Supervisor, Mentor, FacilityIC},
	WriteIssues:       {Admin, Supervisor, Mentor, FacilityIC},
	ReadQI:            {Admin, Manager, Supervisor, Mentor, FacilityIC},
	WriteQI:           {Admin, Supervisor, Mentor, FacilityIC},
	ManageDHIS2:       {Admin},
}

// Can reports whether the user's role holds the permission.
func Can(u *User, p Permission) bool {
	if u == nil || !u.Active {
		return false
	}
	for _, r := range grants[p] {
		if r == u.Role {
			return true
		}
	}
	return false
}
