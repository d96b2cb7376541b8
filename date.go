package mesh

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a calendar day "YYYY-MM-DD" with no time zone, as users write it on forms.
// The zero value "" means no date and is stored as NULL.
type Date string

// DateLayout is the one way MESH writes a Date.
const DateLayout = "2006-01-02"

// ParseDate checks that s is a real calendar day in YYYY-MM-DD form.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return "", fmt.Errorf("%q is not a date in YYYY-MM-DD form", s)
	}
	return Date(t.Format(DateLayout)), nil
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date { return Date(t.Format(DateLayout)) }

// Valid reports whether d is empty or a real YYYY-MM-DD day.
func (d Date) Valid() bool {
	if d == "" {
		return true
	}
	_, err := ParseDate(string(d))
	return err == nil
}

// Time returns midnight UTC of d (the zero time for an empty date).
func (d Date) Time() time.Time {
	t, _ := time.Parse(DateLayout, string(d))
	return t
}

// Value stores d as text (SQLite) or a DATE literal (PostgreSQL); empty becomes NULL.
func (d Date) Value() (driver.Value, error) {
	if d == "" {
		return nil, nil
	}
	return string(d), nil
}

// Scan reads a date from text or from a driver time value (PostgreSQL DATE).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = ""
	case time.Time:
		*d = Date(v.UTC().Format(DateLayout))
	case string:
		*d = Date(truncDate(v))
	case []byte:
		*d = Date(truncDate(string(v)))
	default:
		return fmt.Errorf("cannot scan %T into mesh.Date", src)
	}
	return nil
}

func truncDate(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}
