package indicator

// AllObservations is the records filter for every case observation (each counts 1), the
// records behind a count of observations rather than an indicator's numbers.
const AllObservations = "observations"

// RecordFilter selects the records behind one dashboard number: the observations,
// visits, readiness checks or PDSA cycles whose contributions were summed into the
// numerator and denominator of Indicator for the places under Under over From..To.
type RecordFilter struct {
	Indicator string
	Under     []string // places: nil everywhere, empty nowhere (as everywhere in the store)
	From, To  string   // months "YYYY-MM", inclusive
	// NamedUnder are the places whose health workers the caller may see named with
	// their results (spec/observation.md §5: the worker's mentors and the facility's
	// in-charge). Nil or empty: nobody is named; the store leaves the name out of the
	// query's answer, so no page can leak it by mistake.
	NamedUnder []string
	MentorID   *int64 // only records made by this mentor (the mentor page)
}

// Record is one record behind a number, with what it added to it.
type Record struct {
	Kind         string  `json:"kind"` // observation, visit, readiness_check, pdsa_cycle
	ID           string  `json:"id"`
	FacilityID   int64   `json:"facility_id"`
	FacilityName string  `json:"facility_name"`
	Date         string  `json:"date"` // YYYY-MM-DD
	Month        string  `json:"month"`
	Num          float64 `json:"num"`
	Den          float64 `json:"den"`
	Mentor       string  `json:"mentor,omitempty"`
	// WorkerID and Worker are set only where RecordFilter.NamedUnder allows.
	WorkerID int64  `json:"health_worker_id,omitempty"`
	Worker   string `json:"health_worker,omitempty"`
}

// InNumerator reports whether the record counts in the numerator.
func (r Record) InNumerator() bool { return r.Num != 0 }
