// Package account holds users, roles, scopes, assignments and the rules of who may do
// what. Every handler asks one question, Can(user, permission) plus a place check
// against the user's Scope, so access rules live here and nowhere else.
package account

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"mesh"
)

// Role is what a user does in the programme.
type Role string

// The roles, from the widest view to the narrowest.
const (
	Admin      Role = "admin"
	Manager    Role = "manager"
	Supervisor Role = "supervisor"
	Mentor     Role = "mentor"
	FacilityIC Role = "facility" // a facility in-charge
)

// Roles lists every role.
var Roles = []Role{Admin, Manager, Supervisor, Mentor, FacilityIC}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// User is an account. A mentor's area is their active assignments; every other role's
// area is the place ScopeID (an admin without ScopeID sees everything).
type User struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name,omitempty"`
	Role        Role      `json:"role"`
	ScopeID     *int64    `json:"scope_id"`
	Language    string    `json:"language,omitempty"`
	Active      bool      `json:"active"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	PasswordHash string `json:"-"`
	ScopePath    string `json:"-"` // path of ScopeID, filled by the store
}

// Actor returns the user as the actor of a write.
func (u *User) Actor() mesh.Actor {
	return mesh.Actor{UserID: u.ID, Username: u.Username, Role: string(u.Role)}
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// Languages a user can choose.
var Languages = []string{"en", "fr", "rw"}

// Normalize lower-cases the username and trims text before Validate.
func (u *User) Normalize() {
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	u.DisplayName = strings.TrimSpace(u.DisplayName)
}

// Validate returns every problem with u, each naming the field and the rule.
func (u *User) Validate() error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if u.Username == "" {
		add("username", "MISSING_REQUIRED", "username is required")
	} else if !usernameRE.MatchString(u.Username) {
		add("username", "INVALID_FORMAT", "username must be 2–63 lower-case letters, digits, '.', '_' or '-'")
	}
	if !u.Role.Valid() {
		add("role", "UNKNOWN_ENUM_VALUE", "role must be one of admin, manager, supervisor, mentor, facility")
	}
	if u.ScopeID == nil && (u.Role == Manager || u.Role == Supervisor || u.Role == FacilityIC) {
		add("scope_id", "MISSING_REQUIRED", "scope_id is required for a "+string(u.Role))
	}
	if len(u.DisplayName) > 200 {
		add("display_name", "OUT_OF_RANGE", "display_name must be at most 200 characters")
	}
	if u.Language != "" && !slices.Contains(Languages, u.Language) {
		add("language", "UNKNOWN_ENUM_VALUE", "language must be one of en, fr, rw")
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// ScopeType is the place type a role's scope must have ("" = any).
func (r Role) ScopeType() string {
	switch r {
	case Supervisor:
		return "district"
	case FacilityIC:
		return "facility"
	}
	return ""
}

// Assignment puts a mentor on a facility for a period.
type Assignment struct {
	ID         int64     `json:"id"`
	MentorID   int64     `json:"mentor_id"`
	FacilityID int64     `json:"facility_id"`
	StartOn    mesh.Date `json:"start_on"`
	EndOn      mesh.Date `json:"end_on,omitempty"`
	CreatedAt  time.Time `json:"created_at"`

	FacilityPath string `json:"-"`
}

// Validate returns every problem with a, each naming the field and the rule.
func (a *Assignment) Validate() error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if a.MentorID <= 0 {
		add("mentor_id", "MISSING_REQUIRED", "mentor_id is required")
	}
	if a.FacilityID <= 0 {
		add("facility_id", "MISSING_REQUIRED", "facility_id is required")
	}
	if a.StartOn == "" {
		add("start_on", "MISSING_REQUIRED", "start_on is required")
	} else if !a.StartOn.Valid() {
		add("start_on", "INVALID_FORMAT", "start_on must be a date in YYYY-MM-DD form")
	}
	if !a.EndOn.Valid() {
		add("end_on", "INVALID_FORMAT", "end_on must be a date in YYYY-MM-DD form")
	} else if a.EndOn != "" && a.StartOn.Valid() && a.EndOn < a.StartOn {
		add("end_on", "OUT_OF_RANGE", "end_on must not be before start_on")
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// UserFilter selects users; zero fields do not filter.
type UserFilter struct {
	ID       *int64
	Username *string
	Role     *Role
	Under    []string // users whose scope place is under one of these paths
	Limit    int
	Offset   int
}

// UserUpdate changes some fields of a user; nil fields stay.
type UserUpdate struct {
	DisplayName  *string
	Role         *Role
	ScopeID      *int64
	Language     *string
	Active       *bool
	PasswordHash *string
	Version      *int
}

// AssignmentFilter selects assignments.
type AssignmentFilter struct {
	ID         *int64
	MentorID   *int64
	FacilityID *int64
	Under      []string
	ActiveOn   mesh.Date
	Limit      int
	Offset     int
}

// Store keeps users, assignments and sessions.
type Store interface {
	CreateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByUsername(ctx context.Context, username string) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)

	CreateAssignment(ctx context.Context, a *Assignment) error
	FindAssignments(ctx context.Context, f AssignmentFilter) ([]*Assignment, int, error)
	EndAssignment(ctx context.Context, id int64, on mesh.Date) (*Assignment, error)

	// Scope resolves the places a user may see.
	ScopeOf(ctx context.Context, u *User) (Scope, error)

	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, tokenHash string) (*Session, *User, error)
	DeleteSession(ctx context.Context, tokenHash string) error

	RecordLogin(ctx context.Context, username, ip string, ok bool) error
	RecentLoginFailures(ctx context.Context, username, ip string, since time.Time) (byUser, byIP int, err error)
}
