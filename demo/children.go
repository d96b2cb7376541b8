package demo

import (
	"math"
	"math/rand/v2"

	"mesh/growth"
	"mesh/imci"
	"mesh/observation"
)

// Presentation frequencies of sick children 2–59 months at a Rwandan health centre,
// as MESH's observed visits show them (mesh-program.md §2): most children come with
// cough or fever, fewer with diarrhoea, few with an ear problem. Each is drawn on its
// own, so a child can have several and some have none of the four.
const (
	pCough     = 0.55
	pFever     = 0.54
	pDiarrhoea = 0.17
	pEar       = 0.025

	pYoungInfant = 0.10 // share of observed children aged 0–59 days
)

// daysPerMonth converts ages as the IMCI engine does.
const daysPerMonth = 30.4375

// simChild is one simulated sick child: the mentor's verified assessment and the
// raw measurements the server turns into z-scores.
type simChild struct {
	in   imci.Input
	meas *observation.Measurements
}

func ptr[T any](v T) *T { return &v }

func chance(rng *rand.Rand, p float64) bool { return rng.Float64() < p }

// uniform returns a value in [lo, hi).
func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// newChild simulates the next child seen at a facility with malaria risk risk. Every
// box is filled in (a sign absent is false, never missing), so the engine classifies
// every box and the expected result is complete.
func newChild(rng *rand.Rand, risk string) simChild {
	if chance(rng, pYoungInfant) {
		return newYoungInfant(rng, risk)
	}
	// Sick-child visits skew young: a power of a uniform puts more weight under 2 years.
	months := 2 + 57*math.Pow(rng.Float64(), 1.4)
	days := int(math.Floor(months * daysPerMonth))
	sex := "female"
	if chance(rng, 0.5) {
		sex = "male"
	}
	in := imci.Input{SchemaVersion: imci.SchemaVersion, AgeDays: &days, Sex: sex, TemperatureSite: "axillary",
		Setting: imci.Setting{MalariaRisk: risk}}

	// Length for age runs below the WHO median (stunting is common in rural Rwanda);
	// weight follows from a weight-for-length z, so the server's computed wfh_z lands
	// where the simulation meant it to: mostly normal, a few children in the MAM range.
	measured := growth.Lying
	table := "wfl"
	if days >= 731 {
		measured, table = growth.Standing, "wfh"
	}
	length, _ := growth.SD("lhfa", sex, float64(days), clamp(rng.NormFloat64()-1.0, -3.2, 2))
	length = round1(length)
	mam := chance(rng, 0.045)
	zw := clamp(rng.NormFloat64()*0.8-0.2, -1.8, 2.5)
	if mam {
		zw = uniform(rng, -2.9, -2.15)
	}
	weight, ok := growth.SD(table, sex, length, zw)
	if !ok { // outside the tables' length range: take weight for age instead
		weight, _ = growth.SD("wfa", sex, float64(days), zw)
	}
	in.WeightKg = ptr(round1(weight))

	fever := chance(rng, pFever)
	temp := uniform(rng, 36.2, 37.3)
	if fever && chance(rng, 0.65) {
		temp = uniform(rng, 37.5, 39.6)
	} else if fever {
		temp = uniform(rng, 36.6, 37.4)
	}
	in.TemperatureC = ptr(round1(temp))

	in.DangerSigns = &imci.DangerSigns{NotAbleToDrinkOrBreastfeed: ptr(false), VomitsEverything: ptr(false),
		ConvulsionsThisIllness: ptr(false), LethargicOrUnconscious: ptr(false), ConvulsingNow: ptr(false)}
	if chance(rng, 0.02) {
		switch rng.IntN(4) {
		case 0:
			in.DangerSigns.NotAbleToDrinkOrBreastfeed = ptr(true)
		case 1:
			in.DangerSigns.VomitsEverything = ptr(true)
		case 2:
			in.DangerSigns.ConvulsionsThisIllness = ptr(true)
		default:
			in.DangerSigns.LethargicOrUnconscious = ptr(true)
		}
	}

	cough := chance(rng, pCough)
	in.Cough = &imci.Cough{Present: ptr(cough)}
	if cough {
		limit := 40
		if months < 12 {
			limit = 50
		}
		rr := limit - 3 - rng.IntN(16)
		if chance(rng, 0.30) {
			rr = limit + 1 + rng.IntN(14)
		}
		dur := 1 + rng.IntN(10)
		if chance(rng, 0.03) {
			dur = 15 + rng.IntN(7)
		}
		in.Cough.DurationDays, in.Cough.RespiratoryRate = &dur, &rr
		in.Cough.ChestIndrawing = ptr(chance(rng, 0.05))
		in.Cough.StridorWhenCalm = ptr(chance(rng, 0.005))
		in.Cough.Wheeze = ptr(false)
	}

	diarrhoea := chance(rng, pDiarrhoea)
	in.Diarrhoea = &imci.Diarrhoea{Present: ptr(diarrhoea)}
	if diarrhoea {
		d := in.Diarrhoea
		dur := 1 + rng.IntN(7)
		if chance(rng, 0.04) {
			dur = 14 + rng.IntN(6)
		}
		d.DurationDays = &dur
		d.BloodInStool = ptr(chance(rng, 0.05))
		some := chance(rng, 0.10)
		d.RestlessIrritable, d.SunkenEyes = ptr(some), ptr(some)
		d.Drinking, d.SkinPinch = "drinks_normally", "immediately"
		if some {
			d.Drinking, d.SkinPinch = "drinks_eagerly_thirsty", "slowly"
		}
	}

	in.Fever = &imci.Fever{Reported: ptr(fever)}
	if fever {
		f := in.Fever
		dur := 1 + rng.IntN(5)
		if chance(rng, 0.02) {
			dur = 8 + rng.IntN(5)
		}
		f.DurationDays = &dur
		f.PresentEveryDay = ptr(dur > 7)
		f.StiffNeck = ptr(chance(rng, 0.004))
		f.TravelToMalariaAreaLast15Days = ptr(false)
		f.RunnyNose = ptr(cough && chance(rng, 0.5))
		f.OtherObviousCause = ptr(false)
		f.GeneralizedRash, f.RedEyes, f.MeaslesLast3Months = ptr(false), ptr(false), ptr(false)
		f.MouthUlcers, f.PusDrainingFromEye, f.CloudingOfCornea = "none", ptr(false), ptr(false)
		f.MalariaTest = "not_done"
		// The testing rule of imci.md §6.4: every febrile child in high risk, in low
		// risk only without an obvious cause. About 30% of tests are positive in
		// high-risk Eastern Province, far fewer in low-risk sectors.
		switch {
		case risk == "high":
			f.MalariaTest = testResult(rng, 0.30)
		case !*f.RunnyNose:
			f.MalariaTest = testResult(rng, 0.08)
		}
	}

	ear := chance(rng, pEar)
	in.Ear = &imci.Ear{Present: ptr(ear)}
	if ear {
		e := in.Ear
		e.EarPain = ptr(chance(rng, 0.6))
		pus := chance(rng, 0.4)
		e.PusSeenDraining = ptr(pus)
		if pus {
			dd := 2 + rng.IntN(9)
			if chance(rng, 0.1) {
				dd = 14 + rng.IntN(10)
			}
			e.DischargeDurationDays = &dd
		}
		e.TenderSwellingBehindEar = ptr(chance(rng, 0.02))
	}

	in.Nutrition = &imci.Nutrition{OedemaBothFeet: ptr(false), AppetiteTest: "not_done",
		FeedingProblem: ptr(chance(rng, 0.05)), BreastfeedingProblem: ptr(false)}
	if months >= 6 {
		muac := clamp(148+rng.NormFloat64()*9, 126, 185)
		if mam && chance(rng, 0.6) {
			muac = uniform(rng, 115, 124.5)
		}
		in.Nutrition.MUACmm = ptr(math.Round(muac))
	}

	pallor := "none"
	if u := rng.Float64(); u < 0.003 {
		pallor = "severe"
	} else if u < 0.08 {
		pallor = "some"
	}
	in.Anaemia = &imci.Anaemia{PalmarPallor: pallor}

	// HIV prevalence among mothers in Eastern Province is low (about 3%); children's
	// tests are rarely on the card at a sick-child visit.
	mother := "negative"
	if chance(rng, 0.03) {
		mother = "positive"
	}
	in.HIV = &imci.HIV{MotherStatus: mother, ChildVirologicalTest: "not_done", ChildSerologicalTest: "not_done"}

	return simChild{in: in, meas: &observation.Measurements{LengthCm: length, Measured: measured}}
}

func testResult(rng *rand.Rand, positive float64) string {
	if chance(rng, positive) {
		return "positive"
	}
	return "negative"
}

// newYoungInfant simulates an infant aged 0–59 days: mostly well-looking, with some
// local infections, jaundice, diarrhoea and feeding problems, rarely a sign of
// possible serious bacterial infection. Weight-for-age z is computed by the server
// from sex, age and weight, so no length is needed.
func newYoungInfant(rng *rand.Rand, risk string) simChild {
	days := 3 + rng.IntN(57)
	sex := "female"
	if chance(rng, 0.5) {
		sex = "male"
	}
	weight, _ := growth.SD("wfa", sex, float64(days), clamp(rng.NormFloat64()*0.9-0.3, -2.8, 2.2))
	temp := uniform(rng, 36.5, 37.4)
	if chance(rng, 0.02) {
		temp = uniform(rng, 37.5, 38.5)
	}
	rr := 36 + rng.IntN(22)
	if chance(rng, 0.03) {
		rr = 60 + rng.IntN(12)
	}
	yi := &imci.YoungInfant{
		NotFeedingWell: ptr(false), Convulsions: ptr(false), RespiratoryRate: &rr,
		SevereChestIndrawing: ptr(false), Movement: "normal",
		UmbilicusRedOrDrainingPus: ptr(chance(rng, 0.06)), SkinPustules: ptr(chance(rng, 0.05)),
		Jaundice: ptr(chance(rng, 0.12)), YellowPalmsAndSoles: ptr(false),
	}
	if rr >= 60 {
		yi.RespiratoryRateRepeat = ptr(rr - rng.IntN(4))
	}
	diarrhoea := chance(rng, 0.08)
	yi.Diarrhoea = &imci.Diarrhoea{Present: ptr(diarrhoea)}
	if diarrhoea {
		yi.Diarrhoea.DurationDays = ptr(1 + rng.IntN(5))
		yi.Diarrhoea.BloodInStool = ptr(false)
		yi.Diarrhoea.RestlessIrritable, yi.Diarrhoea.SunkenEyes, yi.Diarrhoea.SkinPinch = ptr(false), ptr(false), "immediately"
	}
	breastfed := chance(rng, 0.96)
	feeds := 8 + rng.IntN(5)
	if chance(rng, 0.05) {
		feeds = 5 + rng.IntN(3)
	}
	yi.Feeding = &imci.YIFeeding{Breastfed: ptr(breastfed), BreastfeedsPer24h: &feeds,
		ReceivesOtherFoodsOrDrinks: ptr(chance(rng, 0.08)), Thrush: ptr(chance(rng, 0.03)),
		WellAttached: ptr(chance(rng, 0.92)), SucklingEffectively: ptr(chance(rng, 0.94))}
	in := imci.Input{SchemaVersion: imci.SchemaVersion, AgeDays: &days, Sex: sex, WeightKg: ptr(round1(weight)),
		TemperatureC: ptr(round1(temp)), TemperatureSite: "axillary", Setting: imci.Setting{MalariaRisk: risk}, YoungInfant: yi}
	return simChild{in: in}
}
