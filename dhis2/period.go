package dhis2

import (
	"fmt"
	"strconv"

	"mesh"
)

// Period types MESH reports in: our counts are kept per facility-month, so only
// periods made of whole calendar months can be summed exactly.
const (
	Monthly   = "Monthly"
	Quarterly = "Quarterly"
	Yearly    = "Yearly"
)

// Period is a DHIS2 period: its id as DHIS2 writes it and the calendar months it
// covers ("YYYY-MM", inclusive), the form our facility-month counts use.
type Period struct {
	ID    string
	Type  string
	Start string // first month, YYYY-MM
	End   string // last month, YYYY-MM
}

// ParsePeriod reads a DHIS2 period id: 202603 (month), 2026Q1 (quarter) or 2026
// (year). Anything else is EINVALID naming the field "period".
func ParsePeriod(id string) (Period, error) {
	bad := mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "period",
		Message: fmt.Sprintf("period %q must be a DHIS2 period id: 202603 (a month), 2026Q1 (a quarter) or 2026 (a year)", id)})
	year := func(s string) (int, bool) {
		y, err := strconv.Atoi(s)
		return y, err == nil && len(s) == 4 && s[0] != '0' && s[0] != '+' && s[0] != '-'
	}
	month := func(y, m int) string { return fmt.Sprintf("%04d-%02d", y, m) }
	switch {
	case len(id) == 4:
		if y, ok := year(id); ok {
			return Period{ID: id, Type: Yearly, Start: month(y, 1), End: month(y, 12)}, nil
		}
	case len(id) == 6 && id[4] == 'Q':
		y, ok := year(id[:4])
		if q := id[5]; ok && q >= '1' && q <= '4' {
			n := int(q - '0')
			return Period{ID: id, Type: Quarterly, Start: month(y, 3*n-2), End: month(y, 3*n)}, nil
		}
	case len(id) == 6:
		y, ok := year(id[:4])
		m, err := strconv.Atoi(id[4:])
		if ok && err == nil && id[4] >= '0' && id[4] <= '1' && m >= 1 && m <= 12 {
			return Period{ID: id, Type: Monthly, Start: month(y, m), End: month(y, m)}, nil
		}
	}
	return Period{}, bad
}

// Months lists the months of p in order.
func (p Period) Months() []string {
	var out []string
	y, _ := strconv.Atoi(p.Start[:4])
	m, _ := strconv.Atoi(p.Start[5:])
	for {
		s := fmt.Sprintf("%04d-%02d", y, m)
		out = append(out, s)
		if s >= p.End {
			return out
		}
		if m++; m > 12 {
			y, m = y+1, 1
		}
	}
}
