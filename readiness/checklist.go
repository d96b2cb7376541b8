// Package readiness holds what a mentor finds about a facility's systems: readiness
// checks against a configurable checklist (equipment, infrastructure, tracer
// commodities, registers), the stock-out log, and system issues with their status
// history. It is pure: no database, no HTTP.
package readiness

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Checklist sections. Each asks a different question of an item.
const (
	Equipment      = "equipment"      // present, and functional when present
	Infrastructure = "infrastructure" // present
	Tracer         = "tracer"         // in stock, and out since when
	Registers      = "registers"      // present
)

// Sections lists the checklist sections in the order forms show them.
var Sections = []string{Equipment, Infrastructure, Tracer, Registers}

// Item is one line of the checklist.
type Item struct {
	Code    string            `json:"code"`
	Section string            `json:"section"`
	Names   map[string]string `json:"names"` // by language: en, fr, rw
}

// Checklist is the configured list of items a readiness check asks about. Its
// Version is stored with each check, so a later change of list is visible in history.
type Checklist struct {
	Version string `json:"version"`
	Items   []Item `json:"items"`
}

func item(section, code, en, fr, rw string) Item {
	return Item{Code: code, Section: section, Names: map[string]string{"en": en, "fr": fr, "rw": rw}}
}

// DefaultChecklist is the checklist of spec/indicators.md: the equipment behind
// sys.equipment_functional, the infrastructure behind sys.infrastructure, the IMCI
// tracer commodities and the registers and forms.
func DefaultChecklist() Checklist {
	return Checklist{Version: "default-1", Items: []Item{
		item(Equipment, "scale", "Weighing scale", "Balance", "Umunzani"),
		item(Equipment, "timer", "Timer (ARI timer or watch)", "Minuterie", "Isaha yo kubara"),
		item(Equipment, "thermometer", "Thermometer", "Thermomètre", "Termometero"),
		item(Equipment, "muac_tape", "MUAC tape", "Ruban MUAC", "Agapimo k'ukuboko"),
		item(Equipment, "growth_charts", "Growth charts", "Courbes de croissance", "Imbonerahamwe z'imikurire"),
		item(Equipment, "chart_booklet", "IMCI chart booklet", "Livret des tableaux PCIME", "Igitabo cy'imbonerahamwe IMCI"),
		item(Equipment, "recording_forms", "Case recording forms", "Fiches de prise en charge", "Amafishi y'abarwayi"),
		item(Equipment, "ors_corner", "ORS corner", "Coin SRO", "Inguni ya ORS"),
		item(Infrastructure, "running_water", "Running water", "Eau courante", "Amazi meza atemba"),
		item(Infrastructure, "electricity", "Electricity", "Électricité", "Amashanyarazi"),
		item(Infrastructure, "private_room", "Consultation room with privacy", "Salle de consultation privée", "Icyumba cy'isuzuma cyihariye"),
		item(Tracer, "amoxicillin_dt", "Amoxicillin dispersible tablets", "Amoxicilline comprimés dispersibles", "Amogisiline isongorerwa"),
		item(Tracer, "ors", "ORS", "SRO", "ORS"),
		item(Tracer, "zinc", "Zinc", "Zinc", "Zinc"),
		item(Tracer, "artemether_lumefantrine", "Artemether-lumefantrine", "Artéméther-luméfantrine", "Coartem"),
		item(Tracer, "malaria_rdt", "Malaria RDTs", "TDR paludisme", "Ibipimo byihuse bya malariya"),
		item(Tracer, "paracetamol", "Paracetamol", "Paracétamol", "Parasetamolo"),
		item(Tracer, "vitamin_a", "Vitamin A", "Vitamine A", "Vitamini A"),
		item(Tracer, "deworming", "Mebendazole or albendazole", "Mébendazole ou albendazole", "Mebendazole cyangwa albendazole"),
		item(Tracer, "iron", "Iron", "Fer", "Ubutare (fer)"),
		item(Tracer, "ciprofloxacin", "Ciprofloxacin", "Ciprofloxacine", "Siprofulogisasine"),
		item(Tracer, "ampicillin_gentamicin_inj", "Injectable ampicillin and gentamicin", "Ampicilline et gentamicine injectables", "Ampisiline na jentamisine z'urushinge"),
		item(Tracer, "artesunate", "Injectable or rectal artesunate", "Artésunate injectable ou rectal", "Artesunate y'urushinge cyangwa yo mu kibuno"),
		item(Tracer, "tetracycline_eye", "Tetracycline eye ointment", "Pommade ophtalmique à la tétracycline", "Umuti w'amaso wa tetrasikline"),
		item(Tracer, "rutf", "RUTF", "ATPE", "RUTF"),
		item(Registers, "consultation_register", "Under-five consultation register", "Registre de consultation des moins de 5 ans", "Igitabo cy'isuzuma ry'abana"),
		item(Registers, "referral_forms", "Referral forms", "Fiches de référence", "Impapuro zo kohereza"),
		item(Registers, "stock_cards", "Stock cards", "Fiches de stock", "Amafishi y'ububiko"),
		item(Registers, "hmis_report", "Monthly HMIS report copy", "Copie du rapport SIS mensuel", "Kopi ya raporo ya HMIS y'ukwezi"),
	}}
}

// Item returns the checklist item with code.
func (c Checklist) Item(code string) (Item, bool) {
	for _, it := range c.Items {
		if it.Code == code {
			return it, true
		}
	}
	return Item{}, false
}

// InSection lists the items of one section, in checklist order.
func (c Checklist) InSection(section string) []Item {
	var out []Item
	for _, it := range c.Items {
		if it.Section == section {
			out = append(out, it)
		}
	}
	return out
}

// ParseChecklist reads a deployment's checklist (JSON as GET /api/v1/checklist shows
// it) and checks it: known sections, unique codes of lower-case letters, digits and
// underscores (codes become indicator ids), an English name for each.
func ParseChecklist(b []byte) (Checklist, error) {
	var c Checklist
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Checklist{}, fmt.Errorf("checklist: %w", err)
	}
	if c.Version == "" {
		return Checklist{}, fmt.Errorf("checklist: version is required")
	}
	seen := map[string]bool{}
	for i, it := range c.Items {
		if !codeRE.MatchString(it.Code) {
			return Checklist{}, fmt.Errorf("checklist: items[%d].code %q must be lower-case letters, digits and _", i, it.Code)
		}
		if seen[it.Code] {
			return Checklist{}, fmt.Errorf("checklist: items[%d].code %q is listed twice", i, it.Code)
		}
		seen[it.Code] = true
		if !slices.Contains(Sections, it.Section) {
			return Checklist{}, fmt.Errorf("checklist: items[%d].section must be one of %s", i, strings.Join(Sections, ", "))
		}
		if it.Names["en"] == "" {
			return Checklist{}, fmt.Errorf("checklist: items[%d].names.en is required", i)
		}
	}
	return c, nil
}
