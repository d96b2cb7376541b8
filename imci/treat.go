package imci

// Follow-up conditions of FollowUp.Condition.
const (
	Always          = "always"
	IfNotImproving  = "if_not_improving"
	IfFeverPersists = "if_fever_persists"
	IfFeeding       = "if_feeding_problem"
)

// treatAll identifies the treatments and follow-up of every classification (the
// "identify treatment" column), after all boxes are classified because several rules
// depend on other boxes (Plan C, iron on RUTF, HIV with chest indrawing).
func (e *eval) treatAll() {
	for _, c := range e.res.Classifications {
		if e.yi {
			e.treatYoungInfant(c.Code)
		} else {
			e.treatChild(c.Code)
		}
	}
	if e.hivUnknown {
		e.give("HIV_TEST_OFFER", "", txOpt{})
	}
}

func (e *eval) treatChild(code string) {
	r := e.p.Rules
	switch code {
	case "VERY_SEVERE_DISEASE":
		if isTrue(e.in.DangerSigns.ConvulsingNow) {
			e.give("DIAZEPAM_RECTAL", code, txOpt{})
		}
		e.give("PREVENT_LOW_BLOOD_SUGAR", code, txOpt{})
		e.give("KEEP_WARM", code, txOpt{})
	case "SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE", "SEVERE_COMPLICATED_MEASLES", "MASTOIDITIS",
		"COMPLICATED_SEVERE_ACUTE_MALNUTRITION", "VERY_SEVERE_FEBRILE_DISEASE":
		e.treatPinkChild(code)
	case "PNEUMONIA":
		e.treatPneumonia()
	case "COUGH_OR_COLD":
		e.coughAdvice(code)
		e.followUp(5, code, IfNotImproving)
	case "SEVERE_DEHYDRATION", "SOME_DEHYDRATION", "NO_DEHYDRATION":
		e.treatDehydration(code)
	case "SEVERE_PERSISTENT_DIARRHOEA":
		if !e.severeOther(false, "SEVERE_DEHYDRATION", "SEVERE_PERSISTENT_DIARRHOEA", "YI_PERSISTENT_DIARRHOEA") {
			e.give("TREAT_DEHYDRATION_BEFORE_REFERRAL", code, txOpt{})
		}
		if r.VitaminAForPersistentDiarrhoea {
			e.give("VITAMIN_A_TREATMENT", code, txOpt{})
		}
	case "PERSISTENT_DIARRHOEA":
		e.give("PERSISTENT_DIARRHOEA_FEEDING_ADVICE", code, txOpt{})
		e.give("MULTIVITAMINS_MINERALS", code, txOpt{})
		if r.VitaminAForPersistentDiarrhoea {
			e.give("VITAMIN_A_TREATMENT", code, txOpt{})
		}
		e.followUp(5, code, Always)
	case "DYSENTERY":
		e.give("CIPROFLOXACIN", code, txOpt{})
		e.followUp(3, code, Always)
	case "MALARIA":
		e.give("ARTEMETHER_LUMEFANTRINE", code, txOpt{})
		e.feverCare(code, false)
		e.followUp(3, code, IfFeverPersists)
	case "FEVER_NO_MALARIA":
		e.feverCare(code, true)
		e.followUp(3, code, IfFeverPersists)
	case "FEVER":
		e.feverCare(code, true)
		e.followUp(r.FeverNoRiskFollowUpDays, code, IfFeverPersists)
	case "MEASLES_WITH_EYE_OR_MOUTH_COMPLICATIONS":
		e.give("VITAMIN_A_TREATMENT", code, txOpt{})
		if isTrue(e.in.Fever.PusDrainingFromEye) {
			e.give("TETRACYCLINE_EYE_OINTMENT", code, txOpt{})
		}
		if e.in.Fever.MouthUlcers == "present" {
			e.give("GENTIAN_VIOLET_MOUTH_ULCERS", code, txOpt{})
		}
		e.followUp(3, code, Always)
	case "MEASLES":
		e.give("VITAMIN_A_TREATMENT", code, txOpt{})
	case "ACUTE_EAR_INFECTION":
		e.give("AMOXICILLIN_ORAL", code, txOpt{days: r.AmoxicillinDays})
		e.give("PARACETAMOL", code, txOpt{})
		if isTrue(e.in.Ear.PusSeenDraining) {
			e.give("DRY_EAR_BY_WICKING", code, txOpt{})
		}
		e.followUp(5, code, Always)
	case "CHRONIC_EAR_INFECTION":
		e.give("DRY_EAR_BY_WICKING", code, txOpt{})
		e.give("QUINOLONE_EAR_DROPS", code, txOpt{})
		e.followUp(5, code, Always)
	default:
		e.treatChildRest(code)
	}
}

func (e *eval) treatChildRest(code string) {
	r := e.p.Rules
	switch code {
	case "UNCOMPLICATED_SEVERE_ACUTE_MALNUTRITION":
		e.give("AMOXICILLIN_ORAL", code, txOpt{days: r.AmoxicillinDays})
		if e.ageAtLeast(6) {
			e.give("RUTF", code, txOpt{})
		}
		e.give("COUNSEL_FEEDING", code, txOpt{})
		e.give("ASSESS_TB", code, txOpt{})
		e.followUp(7, code, Always)
	case "MODERATE_ACUTE_MALNUTRITION":
		e.give("COUNSEL_FEEDING", code, txOpt{})
		e.give("ASSESS_TB", code, txOpt{})
		if isTrue(e.in.Nutrition.FeedingProblem) {
			e.followUp(r.FeedingProblemFollowUpDays, code, Always)
		} else {
			e.followUp(r.MAMFollowUpDays, code, Always)
		}
	case "NO_ACUTE_MALNUTRITION":
		if !e.ageAtLeast(24) {
			e.give("COUNSEL_FEEDING", code, txOpt{})
		}
		if isTrue(e.in.Nutrition.FeedingProblem) {
			e.followUp(r.FeedingProblemFollowUpDays, code, IfFeeding)
		}
	case "ANAEMIA":
		if !e.onRUTF() {
			e.give("IRON", code, txOpt{})
		}
		if e.ageAtLeast(12) && e.dewormingDue() {
			e.give(e.dewormingCode(), code, txOpt{})
		}
		e.followUp(14, code, Always)
	case "CONFIRMED_HIV_INFECTION", "HIV_EXPOSED":
		e.treatHIV(code)
	}
}

// treatPinkChild gives the pre-referral treatments of the child's pink rows.
func (e *eval) treatPinkChild(code string) {
	switch code {
	case "VERY_SEVERE_FEBRILE_DISEASE":
		if e.fs.risk == "high" || e.fs.risk == "low" {
			e.give("PREREFERRAL_ANTIMALARIAL", code, txOpt{key: "PREREFERRAL_ANTIMALARIAL." + e.set.antimalarial})
		}
	case "SEVERE_COMPLICATED_MEASLES":
		e.give("VITAMIN_A_TREATMENT", code, txOpt{})
	}
	e.give("IM_AMPICILLIN", code, txOpt{})
	e.give("IM_GENTAMICIN", code, txOpt{})
	switch code {
	case "VERY_SEVERE_FEBRILE_DISEASE":
		e.give("PREVENT_LOW_BLOOD_SUGAR", code, txOpt{})
		if e.highFever() {
			e.give("PARACETAMOL", code, txOpt{single: true})
		}
	case "SEVERE_COMPLICATED_MEASLES":
		if isTrue(e.in.Fever.CloudingOfCornea) || isTrue(e.in.Fever.PusDrainingFromEye) {
			e.give("TETRACYCLINE_EYE_OINTMENT", code, txOpt{})
		}
	case "MASTOIDITIS":
		e.give("PARACETAMOL", code, txOpt{single: true})
	case "COMPLICATED_SEVERE_ACUTE_MALNUTRITION":
		e.give("PREVENT_LOW_BLOOD_SUGAR", code, txOpt{})
		e.give("KEEP_WARM", code, txOpt{})
	}
}

// treatPneumonia: 5-day amoxicillin (3 days where allowed); a first dose and referral
// instead when SpO2 is low or an HIV-exposed/infected child has chest indrawing.
func (e *eval) treatPneumonia() {
	const code = "PNEUMONIA"
	r := e.p.Rules
	hivExposed := e.has("CONFIRMED_HIV_INFECTION") || e.has("HIV_EXPOSED")
	e.hivCIRef = hivExposed && e.cs.chestIndrawing == yes
	switch {
	case e.o2Low || e.hivCIRef:
		e.give("AMOXICILLIN_FIRST_DOSE", code, txOpt{})
	default:
		days := r.AmoxicillinDays
		if e.set.amox3 && e.set.hivPrevalence == "low" && e.cs.fast == yes && e.cs.chestIndrawing == no {
			days = r.AmoxicillinShortDays
		}
		e.give("AMOXICILLIN_ORAL", code, txOpt{days: days})
	}
	e.coughAdvice(code)
	if !e.hivCIRef {
		e.followUp(3, code, Always)
	}
}

// coughAdvice is shared by PNEUMONIA and COUGH_OR_COLD.
func (e *eval) coughAdvice(code string) {
	c := e.in.Cough
	if e.cs.wheeze == yes {
		e.give("SALBUTAMOL_INHALED", code, txOpt{})
	}
	long := c.DurationDays != nil && *c.DurationDays > e.p.Rules.CoughReferMoreThanDays
	if long || isTrue(c.RecurrentWheeze) {
		e.give("REFER_TB_ASTHMA_ASSESSMENT", code, txOpt{})
	}
	e.give("SOOTHE_THROAT_SAFE_REMEDY", code, txOpt{})
}

// treatDehydration applies the fluid plans of §6.3 and §7.3.
func (e *eval) treatDehydration(code string) {
	other := e.severeOther(true, "SEVERE_DEHYDRATION", "SEVERE_PERSISTENT_DIARRHOEA", "YI_PERSISTENT_DIARRHOEA")
	switch code {
	case "SEVERE_DEHYDRATION":
		// Never Plan C when SAM-range anthropometry or oedema is recorded: refer.
		if other || e.ns.samRange || e.ns.oedema {
			e.give("ORS_SIPS_ON_WAY", code, txOpt{})
			e.give("CONTINUE_BREASTFEEDING", code, txOpt{})
		} else {
			e.give("PLAN_C_IV_FLUIDS", code, txOpt{})
			if !e.yi && e.in.Nutrition == nil {
				e.warn("SAM_NOT_EXCLUDED_BEFORE_PLAN_C")
			}
		}
		if !e.yi && e.ageAtLeast(24) && e.set.cholera {
			e.give("CHOLERA_ANTIBIOTIC", code, txOpt{})
		}
	case "SOME_DEHYDRATION":
		if other {
			e.give("ORS_SIPS_ON_WAY", code, txOpt{})
			e.give("CONTINUE_BREASTFEEDING", code, txOpt{})
		} else {
			e.give("ORS_PLAN_B", code, txOpt{})
		}
		e.dehydrationFollowUp(code, e.p.Rules.YISomeDehydrationFollowUpDays, Always)
	case "NO_DEHYDRATION":
		e.give("ORS_PLAN_A", code, txOpt{})
		e.dehydrationFollowUp(code, e.p.Rules.YINoDehydrationFollowUpDays, IfNotImproving)
	}
	if !e.yi && code != "SEVERE_DEHYDRATION" {
		e.give("ZINC", code, txOpt{days: e.p.Rules.ZincDays}) // no zinc under 2 months
	}
}

func (e *eval) dehydrationFollowUp(code string, yiDays int, yiCondition string) {
	if e.yi {
		e.followUp(yiDays, code, yiCondition)
	} else {
		e.followUp(5, code, IfNotImproving)
	}
}

// feverCare gives paracetamol for high fever and the prolonged-fever referral.
func (e *eval) feverCare(code string, bacterialAdvice bool) {
	if e.highFever() {
		e.give("PARACETAMOL", code, txOpt{single: true})
	}
	if bacterialAdvice {
		e.give("TREAT_IDENTIFIED_BACTERIAL_CAUSE", code, txOpt{})
	}
	f := e.in.Fever
	if f.DurationDays != nil && *f.DurationDays > e.p.Rules.ProlongedFeverDays && isTrue(f.PresentEveryDay) {
		e.give("REFER_FOR_ASSESSMENT_PROLONGED_FEVER", code, txOpt{})
	}
}

func (e *eval) highFever() bool { return e.hasT && e.temp >= e.p.Rules.HighFeverC }

func (e *eval) treatHIV(code string) {
	timing := ""
	if e.yi && e.days < e.p.Rules.CotrimoxazoleFromDays {
		timing = TimingFrom4Weeks
	}
	e.give("COTRIMOXAZOLE_PROPHYLAXIS", code, txOpt{timing: timing})
	if code == "CONFIRMED_HIV_INFECTION" {
		e.give("REFER_OR_START_ART", code, txOpt{})
	} else {
		e.give("HIV_VIROLOGICAL_TEST", code, txOpt{})
	}
	e.give("COUNSEL_FEEDING", code, txOpt{})
}

// onRUTF: iron and vitamin A are not given to a child on RUTF (it contains them).
func (e *eval) onRUTF() bool {
	return e.has("UNCOMPLICATED_SEVERE_ACUTE_MALNUTRITION") || (e.in.Nutrition != nil && isTrue(e.in.Nutrition.OnRUTF))
}

// dewormingDue: no dose in the previous 6 months; never or unknown means due (§6.7).
func (e *eval) dewormingDue() bool {
	p := e.in.Preventive
	return p == nil || p.MonthsSinceLastDeworming == nil || *p.MonthsSinceLastDeworming >= e.p.Rules.DewormingIntervalMonths
}

func (e *eval) dewormingCode() string {
	if e.set.deworming == "albendazole" {
		return "ALBENDAZOLE"
	}
	return "MEBENDAZOLE"
}

func (e *eval) treatYoungInfant(code string) {
	r := e.p.Rules
	switch code {
	case "VERY_SEVERE_DISEASE", "POSSIBLE_SERIOUS_BACTERIAL_INFECTION_OR_VERY_SEVERE_DISEASE":
		e.give("IM_AMPICILLIN", code, txOpt{key: "IM_AMPICILLIN.young_infant"})
		gent := "IM_GENTAMICIN.young_infant"
		if e.days < r.YIGentamicinLowDoseUnderDays {
			gent = "IM_GENTAMICIN.young_infant_under_7_days"
		}
		e.give("IM_GENTAMICIN", code, txOpt{key: gent})
		e.give("PREVENT_LOW_BLOOD_SUGAR", code, txOpt{})
		e.give("KEEP_WARM_ON_WAY", code, txOpt{})
	case "PNEUMONIA":
		e.give("AMOXICILLIN_ORAL", code, txOpt{key: "AMOXICILLIN_ORAL.young_infant", days: r.YIPneumoniaAmoxicillinDays})
		e.followUp(3, code, Always)
	case "LOCAL_BACTERIAL_INFECTION":
		e.give("AMOXICILLIN_ORAL", code, txOpt{key: "AMOXICILLIN_ORAL.young_infant", days: r.AmoxicillinDays})
		e.give("TREAT_LOCAL_INFECTION_AT_HOME", code, txOpt{})
		e.give("HOME_CARE_YOUNG_INFANT", code, txOpt{})
		e.followUp(2, code, Always)
	case "SEVERE_DISEASE_OR_LOCAL_INFECTION_UNLIKELY", "INFECTION_UNLIKELY", "NO_JAUNDICE":
		e.give("HOME_CARE_YOUNG_INFANT", code, txOpt{})
	case "SEVERE_JAUNDICE":
		e.give("PREVENT_LOW_BLOOD_SUGAR", code, txOpt{})
		e.give("KEEP_WARM_ON_WAY", code, txOpt{})
	case "JAUNDICE":
		e.give("HOME_CARE_YOUNG_INFANT", code, txOpt{})
		referFrom := 15
		if e.edition2019() {
			referFrom = 22
		}
		if e.days >= referFrom {
			e.give("REFER_JAUNDICE_ASSESSMENT", code, txOpt{})
		}
		e.followUp(1, code, Always)
	case "SEVERE_DEHYDRATION", "SOME_DEHYDRATION", "NO_DEHYDRATION":
		e.treatDehydration(code)
	case "YI_PERSISTENT_DIARRHOEA":
		if !e.severeOther(false, "SEVERE_DEHYDRATION", "SEVERE_PERSISTENT_DIARRHOEA", "YI_PERSISTENT_DIARRHOEA") {
			e.give("TREAT_DEHYDRATION_BEFORE_REFERRAL", code, txOpt{})
		}
	case "FEEDING_PROBLEM_OR_LOW_WEIGHT":
		e.give("BREASTFEEDING_COUNSEL", code, txOpt{})
		if e.yf.thrush {
			e.give("TREAT_THRUSH_AT_HOME", code, txOpt{})
		}
		if e.yf.lowWeight {
			e.give("KEEP_WARM_AT_HOME", code, txOpt{})
		}
		if e.yf.otherProblem || e.yf.thrush {
			e.followUp(2, code, Always)
		} else {
			e.followUp(14, code, Always)
		}
	case "CONFIRMED_HIV_INFECTION", "HIV_EXPOSED":
		e.treatHIV(code)
	}
}
