package voice

import (
	"strings"
	"time"

	"mesh"
	"mesh/account"
)

// Query is a checked request for aggregated feedback.
type Query struct {
	Group      Group
	From, To   string // YYYY-MM, inclusive
	OpenMonth  string // the current month, never shown: it is still filling up
	AllPeriods bool
}

// Rwanda is the programme's clock for months; Rwanda keeps no summer time.
var Rwanda = time.FixedZone("CAT", 2*3600)

// ParseQuery reads group, from, to and period (get returns a parameter, "" when
// absent), defaulting to the twelve months before now's. To is clamped so the current
// month is never shown: a month's results appear once it is over and can no longer
// move, or a mentor could watch the total change after one nurse answered.
func ParseQuery(get func(string) string, now time.Time) (Query, error) {
	q := Query{Group: Group(strings.TrimSpace(get("group"))), From: strings.TrimSpace(get("from")), To: strings.TrimSpace(get("to")),
		OpenMonth: now.In(Rwanda).Format("2006-01"), AllPeriods: get("period") == "all"}
	if q.Group == "" {
		q.Group = ByMentor
	}
	var errs []mesh.FieldError
	if !q.Group.Valid() {
		errs = append(errs, mesh.FieldError{Code: "UNKNOWN_ENUM_VALUE", Field: "group", Message: "group must be mentor, facility or district"})
	}
	if p := get("period"); p != "" && p != "month" && p != "all" {
		errs = append(errs, mesh.FieldError{Code: "UNKNOWN_ENUM_VALUE", Field: "period", Message: "period must be month or all"})
	}
	if q.From != "" && !ValidMonth(q.From) {
		errs = append(errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: "from", Message: "from must be a month in YYYY-MM form"})
	}
	if q.To != "" && !ValidMonth(q.To) {
		errs = append(errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: "to", Message: "to must be a month in YYYY-MM form"})
	}
	if len(errs) > 0 {
		return q, mesh.Invalid(errs...)
	}
	open, _ := time.Parse("2006-01", q.OpenMonth)
	if last := open.AddDate(0, -1, 0).Format("2006-01"); q.To == "" || q.To > last {
		q.To = last
	}
	if q.From == "" {
		q.From = open.AddDate(0, -12, 0).Format("2006-01")
	}
	if q.From > q.To {
		return q, mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "from", Message: "from must not be after to (the current month is shown once it is over)"})
	}
	return q, nil
}

// FilterFor says which answers a user's results draw on: a mentor's own only (about
// themself, wherever given), everything in a supervisor's or manager's area. A
// facility in-charge sees none: they manage the nurses who answered.
func FilterFor(u *account.User, scope account.Scope, q Query) (ResponseFilter, error) {
	if u == nil {
		return ResponseFilter{}, mesh.Errorf(mesh.EUNAUTHORIZED, "log in first")
	}
	if !CanSeeResults(u) {
		return ResponseFilter{}, mesh.Errorf(mesh.EFORBIDDEN, "your role (%s) does not see mentees' feedback", u.Role)
	}
	f := ResponseFilter{From: q.From, To: q.To}
	if u.Role == account.Mentor {
		id := u.ID
		f.MentorID = &id
	} else {
		f.Under = scope.Under()
	}
	return f, nil
}
