package imci

import "fmt"

// feverState keeps what the fever box decided for its treatments.
type feverState struct {
	risk string // effective malaria risk: high, low, none, or "" when travel is unknown
}

// fever classifies fever (spec §6.4) and, inside it, measles (table F-M).
func (e *eval) fever() {
	f := e.in.Fever
	if f == nil {
		e.incomplete(BoxFever, "fever")
		return
	}
	if !isTrue(f.Reported) && !(e.hasT && e.temp >= 37.5) {
		return
	}
	risk := e.set.risk
	if risk == "none" {
		switch triOf(f.TravelToMalariaAreaLast15Days) {
		case yes:
			risk = "high" // test every febrile traveller (§6.4 [ADAPT])
		case unknown:
			risk = ""
		}
	}
	e.fs = feverState{risk: risk}
	switch triB(e.anyDS).or(triOf(f.StiffNeck)) {
	case yes:
		e.classify("VERY_SEVERE_FEBRILE_DISEASE", feverPinkReasons(e.anyDS, f)...)
	case unknown:
		e.incomplete(BoxFever, "fever.stiff_neck")
	default:
		e.malaria(f, risk)
	}
	e.measles(f)
}

func feverPinkReasons(ds bool, f *Fever) []string {
	var r []string
	if ds {
		r = append(r, "general danger sign")
	}
	if isTrue(f.StiffNeck) {
		r = append(r, "stiff_neck")
	}
	return r
}

// measlesNow is a generalized rash with cough, runny nose or red eyes.
func (e *eval) measlesNow(f *Fever) tri {
	cough := unknown
	if e.in.Cough != nil {
		cough = triOf(e.in.Cough.Present)
	}
	return triOf(f.GeneralizedRash).and(anyOf(cough, triOf(f.RunnyNose), triOf(f.RedEyes)))
}

// malaria applies rows 2–3 of table F-A or F-N.
func (e *eval) malaria(f *Fever, risk string) {
	switch risk {
	case "":
		e.incomplete(BoxFever, "fever.travel_to_malaria_area_last_15_days")
		return
	case "none":
		e.classify("FEVER", "no malaria risk and no travel")
		return
	}
	obvious := anyOf(triOf(f.RunnyNose), triOf(f.OtherObviousCause), e.measlesNow(f))
	obviousPaths := unknownPaths(field{"fever.runny_nose", triOf(f.RunnyNose)},
		field{"fever.other_obvious_cause", triOf(f.OtherObviousCause)}, field{"fever.generalized_rash", triOf(f.GeneralizedRash)})
	testNeeded := yes
	if risk == "low" {
		testNeeded = obvious.not() // low risk: test only when there is no obvious cause
	}
	switch f.MalariaTest {
	case "positive":
		e.classify("MALARIA", "malaria test positive")
	case "negative":
		e.classify("FEVER_NO_MALARIA", "malaria test negative")
	case "not_available":
		switch testNeeded {
		case yes:
			e.classify("MALARIA", fmt.Sprintf("no test available, %s malaria risk", risk))
		case no:
			e.classify("FEVER_NO_MALARIA", "low malaria risk with an obvious cause of fever")
		default:
			e.incomplete(BoxFever, obviousPaths...)
		}
	default: // not_done or not recorded
		switch testNeeded {
		case no:
			e.classify("FEVER_NO_MALARIA", "low malaria risk with an obvious cause of fever")
		case yes:
			if f.MalariaTest == "not_done" {
				e.warn("MALARIA_TEST_REQUIRED")
			}
			e.incomplete(BoxFever, "fever.malaria_test")
		default:
			e.incomplete(BoxFever, append(obviousPaths, "fever.malaria_test")...)
		}
	}
}

// measles applies table F-M when measles is present now or in the last 3 months.
func (e *eval) measles(f *Fever) {
	switch e.measlesNow(f).or(triOf(f.MeaslesLast3Months)) {
	case no:
		return
	case unknown:
		e.incomplete(BoxMeasles, unknownPaths(field{"fever.generalized_rash", triOf(f.GeneralizedRash)},
			field{"fever.measles_last_3_months", triOf(f.MeaslesLast3Months)},
			field{"fever.runny_nose", triOf(f.RunnyNose)}, field{"fever.red_eyes", triOf(f.RedEyes)})...)
		return
	}
	ulcers := f.MouthUlcers
	switch triB(e.anyDS).or(triOf(f.CloudingOfCornea)).or(enumTri(ulcers, "deep_or_extensive")) {
	case yes:
		e.classify("SEVERE_COMPLICATED_MEASLES", "measles with a danger sign, clouding of cornea or deep or extensive mouth ulcers")
		return
	case unknown:
		e.incomplete(BoxMeasles, unknownPaths(field{"fever.clouding_of_cornea", triOf(f.CloudingOfCornea)},
			field{"fever.mouth_ulcers", enumTri(ulcers, "deep_or_extensive")})...)
		return
	}
	switch triOf(f.PusDrainingFromEye).or(enumTri(ulcers, "present")) {
	case yes:
		e.classify("MEASLES_WITH_EYE_OR_MOUTH_COMPLICATIONS", "pus draining from the eye or mouth ulcers")
	case unknown:
		e.incomplete(BoxMeasles, unknownPaths(field{"fever.pus_draining_from_eye", triOf(f.PusDrainingFromEye)},
			field{"fever.mouth_ulcers", enumTri(ulcers, "present")})...)
	default:
		e.classify("MEASLES", "measles now or within the last 3 months")
	}
}
