// Package stats holds the evaluation statistics MESH reports: comparison of two
// proportions, a random-intercept linear mixed model fitted by REML, run charts with
// the Anhøj and IHI rules, and p-charts. It is pure computation: no I/O beyond
// reading a CSV from an io.Reader, no database, no HTTP.
//
// Every method follows a published definition so that results agree with R to at
// least four significant digits; docs/statistics.md gives the formulas, references
// and the decisions taken on edge cases.
package stats

import (
	"fmt"
	"math"

	"mesh"
)

// finite returns a pointer to x, or nil when x is NaN or infinite, because JSON has
// no NaN: an undefined statistic is written as null.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// invalid returns an EINVALID error naming one field. The field's message does not
// repeat the field name, since every consumer prints the two side by side.
func invalid(field, format string, args ...any) error {
	fe := mesh.FieldError{Code: "invalid", Field: field, Message: fmt.Sprintf(format, args...)}
	return &mesh.Error{Code: mesh.EINVALID, Message: "invalid " + field, Fields: []mesh.FieldError{fe}}
}
