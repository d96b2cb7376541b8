package web

import (
	"encoding/json"
	"net/url"

	"mesh"
	"mesh/imciform"
)

// The IMCI form's field table and its converter live in package imciform, which is
// pure Go so the browser's WebAssembly build converts and scores an offline
// observation with the very same code. These names keep the web package's own code
// (drawing the form, placing errors) and its tests unchanged.

type (
	fieldKind   = imciform.Kind
	imciField   = imciform.Field
	imciSection = imciform.Section
)

const (
	kindTri    = imciform.KindTri
	kindInt    = imciform.KindInt
	kindNumber = imciform.KindNumber
	kindEnum   = imciform.KindEnum
	kindMulti  = imciform.KindMulti
	kindAge    = imciform.KindAge

	groupCommon      = imciform.GroupCommon
	groupChild       = imciform.GroupChild
	groupYoungInfant = imciform.GroupYoungInfant

	ageUnitDays   = imciform.AgeUnitDays
	ageUnitMonths = imciform.AgeUnitMonths
)

// imciSections is the whole form, in the chart booklet's order.
var imciSections = imciform.Sections

// imciFieldByPath finds a field of the table, for error messages and tests.
func imciFieldByPath(path string) (imciField, bool) { return imciform.FieldByPath(path) }

// formToInput builds the engine's input JSON from the posted form (imciform.ToInput).
func formToInput(v url.Values) (json.RawMessage, []mesh.FieldError) { return imciform.ToInput(v) }

// formField maps an engine error's field to the form field that shows it.
func formField(field string) string { return imciform.FormField(field) }

// converter keeps the number reading of growth.go (jsonNumber) on the form's rules.
type converter struct{}

func (converter) number(_, s string) (json.Number, bool) { return imciform.ParseNumber(s) }
