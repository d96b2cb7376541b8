// Package imci is the IMCI rule engine of MESH: given the signs of one sick child it
// returns the WHO IMCI classifications, treatments with doses, referral and follow-up,
// exactly as spec/imci.md defines them. It is pure: no I/O, no clock, no randomness,
// so scoring can be re-run later with the same answer.
package imci

import (
	"math"
	"slices"
	"sync"

	"mesh"
)

// EngineVersion names this build of the rules; every result carries it.
const EngineVersion = "0.1.0"

// Age groups of Result.AgeGroup.
const (
	AgeGroupYoungInfant = "YOUNG_INFANT"
	AgeGroupChild       = "CHILD"
)

// daysPerMonth converts ages between days and months (spec §2).
const daysPerMonth = 30.4375

// Classify runs the default protocol on one input.
func Classify(in Input) (Result, error) { return defaultProtocol.Classify(in) }

// Classify runs the engine on one input. An input that does not come from Decode is
// validated first; an invalid one returns a mesh EINVALID error listing every problem.
func (p *Protocol) Classify(in Input) (Result, error) {
	if errs := Validate(in); len(errs) > 0 {
		return Result{}, mesh.Invalid(errs...)
	}
	return p.classifyValid(&in), nil
}

// evalPool recycles the working state (its treatment buffer is the largest
// allocation of a classification); results never alias it.
var evalPool = sync.Pool{New: func() any { return &eval{tx: make([]txItem, 0, 12)} }}

// classifyValid runs the engine on an input already validated.
func (p *Protocol) classifyValid(in *Input) Result {
	e := newEval(p, in)
	e.run()
	res := e.res
	tx := e.tx[:0]
	*e = eval{tx: tx}
	evalPool.Put(e)
	return res
}

// eval holds one classification in progress: the input, derived values and the
// result being built.
type eval struct {
	p   *Protocol
	in  *Input
	set effSetting
	yi  bool

	months float64 // age in months
	days   int     // age in days (floor)
	temp   float64 // axillary-equivalent temperature
	hasT   bool
	anyDS  bool // any general danger sign (child)

	res        Result
	tx         []txItem
	o2Low      bool // SpO2 below the referral threshold
	hivUnknown bool // HIV status could not be established: offer a test
	hivCIRef   bool // HIV-exposed child with chest indrawing: first dose and refer
	cs         coughState
	fs         feverState
	ns         nutritionState
	yf         yiFeedingState
}

// effSetting is the input's setting with protocol defaults filled in.
type effSetting struct {
	risk, hivPrevalence, edition, deworming, antimalarial string
	cholera, amox3                                        bool
}

func newEval(p *Protocol, in *Input) *eval {
	e := evalPool.Get().(*eval)
	e.p, e.in, e.yi = p, in, isYoungInfant(in)
	d := p.SettingDefaults
	s := in.Setting
	e.set = effSetting{
		risk: s.MalariaRisk, hivPrevalence: or(s.HIVPrevalence, d.HIVPrevalence),
		edition: or(s.YoungInfantEdition, d.YoungInfantEdition), deworming: or(s.DewormingDrug, d.DewormingDrug),
		antimalarial: or(s.PrereferralAntimalarial, d.PrereferralAntimalarial),
		cholera:      boolOr(s.CholeraInArea, d.CholeraInArea), amox3: boolOr(s.Amoxicillin3DaysLowHIV, d.Amoxicillin3DaysLowHIV),
	}
	if in.AgeDays != nil {
		e.days = *in.AgeDays
		e.months = float64(e.days) / daysPerMonth
	} else if in.AgeMonths != nil {
		e.months = *in.AgeMonths
		e.days = int(math.Floor(e.months * daysPerMonth))
	}
	if in.TemperatureC != nil {
		t := *in.TemperatureC
		if in.TemperatureSite == "rectal" {
			t -= 0.5 // rectal readings run about 0.5 °C higher (§2)
		}
		e.temp, e.hasT = math.Round(t*100)/100, true
	}
	if ds := in.DangerSigns; ds != nil {
		e.anyDS = isTrue(ds.NotAbleToDrinkOrBreastfeed) || isTrue(ds.VomitsEverything) ||
			isTrue(ds.ConvulsionsThisIllness) || isTrue(ds.LethargicOrUnconscious) || isTrue(ds.ConvulsingNow)
	}
	e.res = Result{
		SchemaVersion: SchemaVersion, Ruleset: p.Ruleset, Protocol: ProtocolRef{p.ID, p.Version},
		EngineVersion: EngineVersion, CaseID: in.CaseID, AgeGroup: AgeGroupChild,
		Classifications: make([]Classification, 0, 8), ReferralReasons: []string{}, Treatments: []Treatment{},
		DeferredTreatments: []Treatment{}, FollowUp: make([]FollowUp, 0, 4), Incomplete: []IncompleteBox{},
		Warnings: []string{}, Preventive: PreventiveResult{VaccinesDue: []string{}},
	}
	if e.yi {
		e.res.AgeGroup = AgeGroupYoungInfant
	}
	return e
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func boolOr(v *bool, def bool) bool {
	if v == nil {
		return def
	}
	return *v
}

// run applies spec §5.1: classify the boxes in order, then treatments, reconciliation,
// follow-up and preventive items.
func (e *eval) run() {
	if e.yi {
		e.youngInfant()
	} else {
		e.dangerSigns()
		e.cough()
		e.diarrhoea()
		e.fever()
		e.ear()
		e.hiv(BoxHIV)
		e.anaemia()
		e.nutrition() // last: other severe classifications are its complications
	}
	e.treatAll()
	e.preventive() // before reconcile: preventive items also wait for an urgent referral
	e.reconcile()
	e.finish()
}

// ageAtLeast reports age ≥ n months, using the day edges of §2 when age is in days.
func (e *eval) ageAtLeast(n float64) bool {
	if e.in.AgeDays != nil {
		return *e.in.AgeDays >= int(math.Floor(n*daysPerMonth))
	}
	return e.months >= n
}

// classify records a classification; its colour and box come from the catalogue.
func (e *eval) classify(code string, reasons ...string) {
	d := classes[code]
	if code == "CONFIRMED_HIV_INFECTION" {
		d.colour = e.p.Rules.ConfirmedHIVColour
	}
	if e.yi && (code == "VERY_SEVERE_DISEASE" || code == "PNEUMONIA") {
		d.box = BoxBacterialInfection
	}
	if reasons == nil {
		reasons = []string{}
	}
	e.res.Classifications = append(e.res.Classifications, Classification{Code: code, Colour: d.colour, Box: d.box, Reasons: reasons})
}

// has reports whether a classification was made this visit.
func (e *eval) has(code string) bool {
	for _, c := range e.res.Classifications {
		if c.Code == code {
			return true
		}
	}
	return false
}

// incomplete records that box could not be classified for lack of the given fields.
func (e *eval) incomplete(box string, missing ...string) {
	for i := range e.res.Incomplete {
		if e.res.Incomplete[i].Box == box {
			for _, m := range missing {
				if !slices.Contains(e.res.Incomplete[i].Missing, m) {
					e.res.Incomplete[i].Missing = append(e.res.Incomplete[i].Missing, m)
				}
			}
			return
		}
	}
	if missing == nil {
		missing = []string{}
	}
	e.res.Incomplete = append(e.res.Incomplete, IncompleteBox{Box: box, Missing: missing})
}

func (e *eval) warn(code string) {
	if !slices.Contains(e.res.Warnings, code) {
		e.res.Warnings = append(e.res.Warnings, code)
	}
}

// followUp asks the mother to return after days for a classification.
func (e *eval) followUp(days int, forCode, condition string) {
	e.res.FollowUp = append(e.res.FollowUp, FollowUp{Days: days, For: forCode, Condition: condition})
}
