package imci

// anaemia classifies palmar pallor (spec §6.7).
func (e *eval) anaemia() {
	a := e.in.Anaemia
	if a == nil {
		e.incomplete(BoxAnaemia, "anaemia")
		return
	}
	switch a.PalmarPallor {
	case "severe":
		e.classify("SEVERE_ANAEMIA", "severe palmar pallor")
	case "some":
		e.classify("ANAEMIA", "some palmar pallor")
	case "none":
		e.classify("NO_ANAEMIA", "no palmar pallor")
	default:
		e.incomplete(BoxAnaemia, "anaemia.palmar_pallor")
	}
}
