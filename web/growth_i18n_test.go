package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestGrowthChartFrench: the charts on a French growth page are drawn in French
// (i18n/catalog/fr.growth.json), not with growth's English defaults.
func TestGrowthChartFrench(t *testing.T) {
	e := newTestEnv(t)
	form := url.Values{"sex": {"female"}, "rows.0.age_days": {"200"}, "rows.0.weight_kg": {"6.3"},
		"rows.0.length_cm": {"65.5"}, "rows.0.measured": {"lying"}}
	r := e.post("/growth", "mentor.kayonza", form, "Cookie: "+LangCookie+"=fr")
	if r.Status != http.StatusOK {
		t.Fatalf("growth: %d\n%s", r.Status, r.Body)
	}
	for _, want := range []string{">Âge (mois)</text>", ">Poids (kg)</text>", ">Longueur/taille (cm)</text>", ">Longueur (cm)</text>",
		"par rapport aux courbes de l&#39;OMS", "Dernière mesure : Âge (mois) 6.6, Poids (kg) 6.3."} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("French growth page lacks %q", want)
		}
	}
	for _, english := range []string{"Age (months)", "Weight (kg)", "against the WHO curves", "Latest:"} {
		if strings.Contains(r.Body, english) {
			t.Errorf("French growth page still has English %q", english)
		}
	}
}
