package imci

// dangerSigns classifies the general danger signs (spec §6.1): any one is pink.
func (e *eval) dangerSigns() {
	ds := e.in.DangerSigns
	if ds == nil || !e.anyDS {
		return
	}
	var reasons []string
	for _, s := range []struct {
		v    *bool
		name string
	}{
		{ds.NotAbleToDrinkOrBreastfeed, "not_able_to_drink_or_breastfeed"},
		{ds.VomitsEverything, "vomits_everything"},
		{ds.ConvulsionsThisIllness, "convulsions_this_illness"},
		{ds.LethargicOrUnconscious, "lethargic_or_unconscious"},
		{ds.ConvulsingNow, "convulsing_now"},
	} {
		if isTrue(s.v) {
			reasons = append(reasons, "danger sign: "+s.name)
		}
	}
	e.classify("VERY_SEVERE_DISEASE", reasons...)
}
