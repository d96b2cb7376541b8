package observation

import (
	"slices"

	"mesh/imci"
)

// scoreClassifications compares the worker's set of codes with the expected set,
// order ignored. A worker's code in a box the expected result left incomplete is not
// judged (the mentor's own record cannot say what is right there).
func (s *Score) scoreClassifications(given []string, expected imci.Result) {
	s.ClassificationsMissed, s.ClassificationsExtra = []string{}, []string{}
	expectedCodes := make([]string, 0, len(expected.Classifications))
	for _, c := range expected.Classifications {
		expectedCodes = append(expectedCodes, c.Code)
		if !slices.Contains(given, c.Code) {
			s.ClassificationsMissed = append(s.ClassificationsMissed, c.Code)
		}
	}
	for _, g := range given {
		if slices.Contains(expectedCodes, g) {
			continue
		}
		if box := boxOf(g, expected.AgeGroup); incompleteBox(expected, box) {
			s.Warnings = append(s.Warnings, Warning{Code: WarnExpectedIncomplete, Field: box,
				Message: "the mentor's assessment left box " + box + " incomplete, so " + g + " was not judged"})
			continue
		}
		s.ClassificationsExtra = append(s.ClassificationsExtra, g)
	}
	s.UnderClassified, s.OverClassified = pairClassifications(s.ClassificationsMissed, s.ClassificationsExtra, expected)
	s.ClassificationCorrect = len(s.ClassificationsMissed) == 0 && len(s.ClassificationsExtra) == 0
}

// pairClassifications pairs each missed code with the first unpaired extra code of the
// same table whose colour differs: a less severe extra is under-classification, a more
// severe one over-classification (pink > yellow > green). Same-colour mix-ups (e.g.
// DYSENTERY for PERSISTENT_DIARRHOEA would be, were they one table) stay unpaired.
func pairClassifications(missed, extra []string, expected imci.Result) (under, over []ClassificationPair) {
	under, over = []ClassificationPair{}, []ClassificationPair{}
	used := make([]bool, len(extra))
	for _, m := range missed {
		mc := expectedClass(expected, m)
		for i, x := range extra {
			if used[i] || tableOf(x, boxOf(x, expected.AgeGroup)) != tableOf(m, mc.Box) {
				continue
			}
			_, xColour, _ := imci.ClassificationInfo(x)
			p := ClassificationPair{Box: mc.Box, Expected: m, ExpectedColour: mc.Colour, Given: x, GivenColour: xColour}
			switch rm, rx := imci.ColourRank(mc.Colour), imci.ColourRank(xColour); {
			case rm > rx:
				under = append(under, p)
			case rm < rx:
				over = append(over, p)
			default:
				continue
			}
			used[i] = true
			break
		}
	}
	return under, over
}

// boxOf is a code's box for this age group: the engine reports a young infant's
// VERY_SEVERE_DISEASE and PNEUMONIA in BACTERIAL_INFECTION.
func boxOf(code, ageGroup string) string {
	box, _, _ := imci.ClassificationInfo(code)
	if ageGroup == imci.AgeGroupYoungInfant && (code == "VERY_SEVERE_DISEASE" || code == "PNEUMONIA") {
		return imci.BoxBacterialInfection
	}
	return box
}

// tableOf splits the diarrhoea box into its independent sub-tables (imci.md §6.3,
// §7.3), so that dysentery is never paired against a dehydration code.
func tableOf(code, box string) string {
	switch code {
	case "SEVERE_PERSISTENT_DIARRHOEA", "PERSISTENT_DIARRHOEA":
		return box + "/PERSISTENT"
	case "DYSENTERY":
		return box + "/DYSENTERY"
	case "YI_BLOOD_IN_STOOL":
		return box + "/BLOOD"
	case "YI_PERSISTENT_DIARRHOEA":
		return box + "/PERSISTENT"
	}
	return box
}

func expectedClass(r imci.Result, code string) imci.Classification {
	for _, c := range r.Classifications {
		if c.Code == code {
			return c
		}
	}
	box, colour, _ := imci.ClassificationInfo(code)
	return imci.Classification{Code: code, Box: box, Colour: colour}
}

func incompleteBox(r imci.Result, box string) bool {
	for _, b := range r.Incomplete {
		if b.Box == box {
			return true
		}
	}
	return false
}
