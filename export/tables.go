package export

import (
	"io"
	"iter"
	"strconv"

	"mesh/indicator"
	"mesh/visit"
)

// Visit is one stored visit with the name of its facility.
type Visit struct {
	*visit.Visit
	Facility string
}

// VisitHeader is the visit table's header row.
var VisitHeader = []string{"id", "date", "facility_id", "facility", "mentor_id", "kind", "status", "activities",
	"teaching_topic", "teaching_attendees", "notes", "version", "created_at", "updated_at"}

var visitTable = table[Visit]{header: VisitHeader, row: func(v Visit, r []string) {
	copy(r, []string{v.ID, string(v.Date), strconv.FormatInt(v.FacilityID, 10), v.Facility, strconv.FormatInt(v.MentorID, 10),
		v.Kind, v.Status, list(v.Activities), v.TeachingTopic, strconv.Itoa(v.TeachingAttendees), v.Notes,
		strconv.Itoa(v.Version), timeCell(v.CreatedAt), timeCell(v.UpdatedAt)})
}, kinds: map[string]colKind{"date": kDate, "facility_id": kNum, "mentor_id": kNum, "teaching_attendees": kNum,
	"version": kNum, "created_at": kTime, "updated_at": kTime}}

// WriteVisitsCSV writes one row per visit.
func WriteVisitsCSV(w io.Writer, rows iter.Seq2[Visit, error], opt Options) (int, error) {
	if opt.Label == "" {
		opt.Label = "visits"
	}
	return visitTable.write(w, rows, opt)
}

// IndicatorCount is one facility-month count of one indicator.
type IndicatorCount struct {
	FacilityID int64
	Facility   string
	DHIS2UID   string
	Code       string
	Month      string
	Indicator  string
	Num, Den   float64
}

// IndicatorHeader is the indicator table's header row.
var IndicatorHeader = []string{"facility_id", "facility", "dhis2_uid", "code", "month", "indicator", "kind",
	"numerator", "denominator", "value", "too_few"}

var indicatorTable = table[IndicatorCount]{header: IndicatorHeader, row: func(c IndicatorCount, r []string) {
	kind, value, tooFew := "", "", ""
	if ind, ok := indicator.Find(c.Indicator); ok {
		v := ind.Compute(c.Month, c.Num, c.Den)
		kind, value = ind.Kind, optNum(v.Value)
		if ind.Kind != indicator.Count {
			tooFew = boolCell(v.TooFew)
		}
	}
	copy(r, []string{strconv.FormatInt(c.FacilityID, 10), c.Facility, c.DHIS2UID, c.Code, c.Month, c.Indicator, kind,
		num(c.Num), num(c.Den), value, tooFew})
}, kinds: map[string]colKind{"facility_id": kNum, "numerator": kNum, "denominator": kNum, "value": kNum, "too_few": kBool}}

// WriteIndicatorsCSV writes one row per facility, month and indicator kept on write,
// with the value computed the way dashboards compute it.
func WriteIndicatorsCSV(w io.Writer, rows iter.Seq2[IndicatorCount, error], opt Options) (int, error) {
	if opt.Label == "" {
		opt.Label = "indicator rows"
	}
	return indicatorTable.write(w, rows, opt)
}
