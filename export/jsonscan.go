package export

import (
	"encoding/json"
	"strconv"
)

// jscan reads the few members an export needs from a stored JSON document in one
// pass, skipping the rest without building it. encoding/json validates the whole
// document and then decodes it by reflection; for the observation table that was
// most of the cost of a row (docs/benchmarks.md). The documents are ones this program
// wrote, so the reader handles what json.Marshal produces; anything it does not
// understand marks the scan bad and the caller falls back to encoding/json.
type jscan struct {
	b   []byte
	i   int
	bad bool
}

func (s *jscan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jscan) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		s.bad = true
		return 0
	}
	return s.b[s.i]
}

// null consumes a null and reports whether there was one.
func (s *jscan) null() bool {
	if s.peek() == 'n' && s.i+4 <= len(s.b) && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// object calls member for each member of the object at the cursor, with its key; a
// member that returns false has its value skipped. A null is an empty object.
func (s *jscan) object(member func(key []byte) bool) {
	if s.null() {
		return
	}
	if s.peek() != '{' {
		s.bad = true
		return
	}
	s.i++
	for !s.bad {
		switch s.peek() {
		case '}':
			s.i++
			return
		case ',':
			s.i++
			continue
		}
		key, escaped := s.rawString()
		if escaped {
			s.bad = true // keys we read never need escapes; let encoding/json decide
			return
		}
		if s.peek() != ':' {
			s.bad = true
			return
		}
		s.i++
		if !member(key) {
			s.skip()
		}
	}
}

// array calls elem for each element of the array at the cursor; elem must consume
// it. It reports whether there was an array (false for null), since encoding/json
// gives an empty slice for [] and nil for null.
func (s *jscan) array(elem func()) bool {
	if s.null() {
		return false
	}
	if s.peek() != '[' {
		s.bad = true
		return false
	}
	s.i++
	for !s.bad {
		switch s.peek() {
		case ']':
			s.i++
			return true
		case ',':
			s.i++
			continue
		}
		start := s.i
		elem()
		if s.i == start {
			s.bad = true // elem consumed nothing: stop rather than loop
		}
	}
	return false
}

// nonNil is xs, or an empty slice when there was an array with nothing in it.
func nonNil[T any](xs []T, was bool) []T {
	if was && xs == nil {
		return []T{}
	}
	return xs
}

// rawString consumes a string and returns its bytes between the quotes, and whether
// it holds an escape.
func (s *jscan) rawString() ([]byte, bool) {
	if s.peek() != '"' {
		s.bad = true
		return nil, false
	}
	start := s.i + 1
	escaped := false
	for j := start; j < len(s.b); j++ {
		switch s.b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			s.i = j + 1
			return s.b[start:j], escaped
		}
	}
	s.bad = true
	return nil, false
}

// str consumes a string (or null: "").
func (s *jscan) str() string {
	if s.null() {
		return ""
	}
	start := s.i
	raw, escaped := s.rawString()
	if !escaped {
		return string(raw)
	}
	var out string
	if err := json.Unmarshal(s.b[start:s.i], &out); err != nil {
		s.bad = true
	}
	return out
}

// strs consumes an array of strings.
func (s *jscan) strs() []string {
	var out []string
	was := s.array(func() { out = append(out, s.str()) })
	return nonNil(out, was)
}

// boolean consumes true, false or null (nil).
func (s *jscan) boolean() *bool {
	if s.null() {
		return nil
	}
	t, f := true, false
	switch {
	case s.i+4 <= len(s.b) && string(s.b[s.i:s.i+4]) == "true":
		s.i += 4
		return &t
	case s.i+5 <= len(s.b) && string(s.b[s.i:s.i+5]) == "false":
		s.i += 5
		return &f
	}
	s.bad = true
	return nil
}

func (s *jscan) flag() bool {
	b := s.boolean()
	return b != nil && *b
}

// number consumes a number (or null: nil).
func (s *jscan) number() *float64 {
	if s.null() {
		return nil
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.i++
			continue
		}
		break
	}
	x, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	if err != nil {
		s.bad = true
		return nil
	}
	return &x
}

func (s *jscan) integer() *int {
	x := s.number()
	if x == nil {
		return nil
	}
	n := int(*x)
	if float64(n) != *x {
		s.bad = true // encoding/json refuses a fraction for an int
	}
	return &n
}

// skip consumes one value of any kind.
func (s *jscan) skip() {
	switch s.peek() {
	case '"':
		s.rawString()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				s.rawString()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return
				}
			}
			s.i++
		}
		s.bad = true
	default:
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if s.i == start {
					s.bad = true
				}
				return
			}
			s.i++
		}
	}
}

// present reads {"present": bool} (the box objects of an assessment).
func (s *jscan) present(key string) *present {
	p := &present{}
	s.object(func(k []byte) bool {
		if string(k) == key {
			p.Present = s.boolean()
			return true
		}
		return false
	})
	return p
}

// decodeBody fills b from a stored observation, as json.Unmarshal would.
func decodeBody(data []byte, b *exportBody) bool {
	s := &jscan{b: data}
	s.object(func(k []byte) bool {
		switch string(k) {
		case "recording_form_used":
			b.RecordingFormUsed = s.flag()
		case "assessment":
			s.assessment(&b.Assessment)
		case "worker":
			s.worker(b)
		default:
			return false
		}
		return true
	})
	return !s.bad
}

func (s *jscan) assessment(in *keyInputs) {
	s.object(func(k []byte) bool {
		switch string(k) {
		case "age_days":
			in.AgeDays = s.integer()
		case "age_months":
			in.AgeMonths = s.number()
		case "sex":
			in.Sex = s.str()
		case "weight_kg":
			in.WeightKg = s.number()
		case "temperature_c":
			in.TemperatureC = s.number()
		case "cough":
			if !s.null() {
				in.Cough = s.present("present")
			}
		case "diarrhoea":
			if !s.null() {
				in.Diarrhoea = s.present("present")
			}
		case "ear":
			if !s.null() {
				in.Ear = s.present("present")
			}
		case "fever":
			if !s.null() {
				p := s.present("reported")
				in.Fever = &struct {
					Reported *bool `json:"reported"`
				}{p.Present}
			}
		case "young_infant":
			start := s.i
			s.skip()
			in.YoungInfant = json.RawMessage(s.b[start:s.i])
		default:
			return false
		}
		return true
	})
}

func (s *jscan) worker(b *exportBody) {
	w := &b.Worker
	s.object(func(k []byte) bool {
		switch string(k) {
		case "tasks":
			s.object(func(task []byte) bool {
				v := s.boolean()
				if w.Tasks == nil {
					w.Tasks = map[string]bool{}
				}
				w.Tasks[string(task)] = v != nil && *v
				return true
			})
		case "classifications":
			w.Classifications = s.strs()
		case "treatments":
			was := s.array(func() { w.Treatments = append(w.Treatments, struct{ Code string }{s.code("code")}) })
			w.Treatments = nonNil(w.Treatments, was)
		case "referred":
			w.Referred = s.flag()
		case "follow_up_days":
			w.FollowUpDays = s.integer()
		case "counselling":
			c := &w.Counselling
			s.object(func(k []byte) bool {
				switch string(k) {
				case "advised_when_to_return_immediately":
					c.AdvisedWhenToReturnImmediately = s.flag()
				case "taught_how_to_give_oral_drugs":
					c.TaughtHowToGiveOralDrugs = s.flag()
				case "first_dose_given_at_facility":
					c.FirstDoseGivenAtFacility = s.flag()
				case "feeding_counselled":
					c.FeedingCounselled = s.flag()
				case "fluids_and_feeding_advised":
					c.FluidsAndFeedingAdvised = s.flag()
				default:
					return false
				}
				return true
			})
		default:
			return false
		}
		return true
	})
}

// code reads one string member of an object ({"code": "…", …}).
func (s *jscan) code(key string) string {
	var out string
	s.object(func(k []byte) bool {
		if string(k) == key {
			out = s.str()
			return true
		}
		return false
	})
	return out
}

// decodeScore fills sc from a stored score, as json.Unmarshal would (feedback points
// are only counted).
func decodeScore(data []byte, sc *exportScore) bool {
	s := &jscan{b: data}
	s.object(func(k []byte) bool {
		switch string(k) {
		case "scoring_version":
			sc.ScoringVersion = s.str()
		case "engine_version":
			sc.EngineVersion = s.str()
		case "protocol":
			s.object(func(k []byte) bool {
				switch string(k) {
				case "id":
					sc.Protocol.ID = s.str()
				case "version":
					sc.Protocol.Version = s.str()
				default:
					return false
				}
				return true
			})
		case "age_group":
			sc.AgeGroup = s.str()
		case "assessment_index":
			if x := s.number(); x != nil {
				sc.AssessmentIndex = *x
			}
		case "tasks_required":
			sc.TasksRequired = s.strs()
		case "tasks_missed":
			sc.TasksMissed = s.strs()
		case "classification_correct":
			sc.ClassificationCorrect = s.flag()
		case "classifications_missed":
			sc.ClassificationsMissed = s.strs()
		case "classifications_extra":
			sc.ClassificationsExtra = s.strs()
		case "under_classified":
			sc.UnderClassified = s.pairs()
		case "over_classified":
			sc.OverClassified = s.pairs()
		case "treatment_correct":
			sc.TreatmentCorrect = s.flag()
		case "treatments_missed":
			sc.TreatmentsMissed = s.strs()
		case "treatments_extra":
			sc.TreatmentsExtra = s.strs()
		case "dose_errors":
			was := s.array(func() {
				var d doseError
				s.object(func(k []byte) bool {
					switch string(k) {
					case "code":
						d.Code = s.str()
					case "problem":
						d.Problem = s.str()
					case "measure":
						d.Measure = s.str()
					default:
						return false
					}
					return true
				})
				sc.DoseErrors = append(sc.DoseErrors, d)
			})
			sc.DoseErrors = nonNil(sc.DoseErrors, was)
		case "antibiotic_not_indicated":
			sc.AntibioticNotIndicated = s.flag()
		case "referral_correct":
			sc.ReferralCorrect = s.flag()
		case "follow_up_correct":
			sc.FollowUpCorrect = s.flag()
		case "counselling_complete":
			sc.CounsellingComplete = s.flag()
		case "correctly_managed":
			sc.CorrectlyManaged = s.flag()
		case "feedback":
			was := s.array(func() { s.skip(); sc.Feedback = append(sc.Feedback, struct{}{}) })
			sc.Feedback = nonNil(sc.Feedback, was)
		case "warnings":
			was := s.array(func() { sc.Warnings = append(sc.Warnings, struct{ Code string }{s.code("code")}) })
			sc.Warnings = nonNil(sc.Warnings, was)
		case "facts":
			s.facts(sc)
		default:
			return false
		}
		return true
	})
	return !s.bad
}

func (s *jscan) pairs() []classificationPair {
	var out []classificationPair
	was := s.array(func() {
		var p classificationPair
		s.object(func(k []byte) bool {
			switch string(k) {
			case "given":
				p.Given = s.str()
			case "expected":
				p.Expected = s.str()
			default:
				return false
			}
			return true
		})
		out = append(out, p)
	})
	return nonNil(out, was)
}

func (s *jscan) facts(sc *exportScore) {
	f := &sc.Facts
	s.object(func(k []byte) bool {
		var p *bool
		switch string(k) {
		case "recording_form_used":
			p = &f.RecordingFormUsed
		case "provider_trained":
			p = &f.ProviderTrained
		case "urgent_referral_expected":
			p = &f.UrgentReferralExpected
		case "referred":
			p = &f.Referred
		case "follow_up_expected":
			p = &f.FollowUpExpected
		case "antimicrobial_indicated":
			p = &f.AntimicrobialIndicated
		case "antimicrobial_given":
			p = &f.AntimicrobialGiven
		case "drug_given":
			p = &f.DrugGiven
		case "return_advised":
			p = &f.ReturnAdvised
		case "oral_drug_expected":
			p = &f.OralDrugExpected
		case "feeding_counselling_required":
			p = &f.FeedingCounsellingRequired
		default:
			return false
		}
		*p = s.flag()
		return true
	})
}
