// Package voice is the mentee's voice: short anonymous feedback from the health
// workers a mentor coached, aggregated so that no one answer can be traced back, and
// the qualitative workspace in which evaluators code focus-group and interview notes
// against the MESH themes.
//
// Anonymity is by design, not by policy. A Response carries no health-worker id, no
// user id and no moment: the server keeps the facility, district and mentor it
// derives from the visit, the month the answer arrived, the ratings, an optional
// comment and its language, and nothing else. Not the visit either: a visit where one
// nurse was observed would name her. Not the client's id: a UUIDv7 holds the exact
// millisecond it was made, so only a hash of it is kept, to recognise retries.
// Results are shown per group only when the group holds at least K answers, small
// groups are pooled upward so no hidden remainder can be worked out by subtraction,
// and a month is shown only once it is over, so nobody can watch a total move after
// one nurse answers.
package voice

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"mesh"
	"mesh/account"
)

// Item is one statement a mentee rates from 1 (strongly disagree) to 5 (strongly
// agree), with its text in each language.
type Item struct {
	Key  string            `json:"key"`
	Text map[string]string `json:"text"`
}

// DefaultItems are the five statements drawn from the MESH qualitative themes
// (Manzi 2014): active listening, practical capacity-building, supporting not
// policing, systems improvement and an open line between visits.
var DefaultItems = []Item{
	{"listened", map[string]string{"en": "The mentor listened to me.", "fr": "Le mentor m'a écouté.", "rw": "Umujyanama yanyumvise."}},
	{"learned", map[string]string{"en": "I learned something I can use today.", "fr": "J'ai appris quelque chose que je peux utiliser aujourd'hui.", "rw": "Nize ikintu nshobora gukoresha uyu munsi."}},
	{"helped_not_judged", map[string]string{"en": "The feedback helped me rather than judged me.", "fr": "Les commentaires m'ont aidé plutôt que jugé.", "rw": "Inama nahawe zamfashije aho kuncira urubanza."}},
	{"fixed_problem", map[string]string{"en": "The mentor helped fix a problem in our facility.", "fr": "Le mentor a aidé à résoudre un problème dans notre centre.", "rw": "Umujyanama yadufashije gukemura ikibazo mu kigo cyacu."}},
	{"can_ask", map[string]string{"en": "I can ask the mentor questions between visits.", "fr": "Je peux poser des questions au mentor entre les visites.", "rw": "Nshobora kubaza umujyanama ibibazo hagati y'uruzinduko n'urundi."}},
}

// DefaultMinGroup is the smallest group whose results are shown; MinGroupFloor is the
// least any deployment may configure (below three, a pair of colleagues could work
// out each other's answers).
const (
	DefaultMinGroup = 5
	MinGroupFloor   = 3
	MaxComment      = 1000
	// MaxPerVisit caps the answers one visit's code accepts: a handful of nurses are
	// coached per visit, so more than this is someone stuffing the box.
	MaxPerVisit = 30
)

// Languages a response may be given in.
var Languages = []string{"en", "fr", "rw"}

// Config is a deployment's feedback items and anonymity threshold.
type Config struct {
	Items    []Item `json:"items"`
	MinGroup int    `json:"min_group"`
	Version  int    `json:"version"`
}

// DefaultConfig is the configuration used until an administrator changes it.
func DefaultConfig() *Config {
	items := make([]Item, len(DefaultItems))
	copy(items, DefaultItems)
	return &Config{Items: items, MinGroup: DefaultMinGroup}
}

// K returns the threshold to apply: the configured one, never below MinGroupFloor.
func (c *Config) K() int { return ClampK(c.MinGroup) }

// ClampK turns a configured threshold into the one applied: 0 means the default,
// anything under the floor is raised to it.
func ClampK(k int) int {
	if k == 0 {
		return DefaultMinGroup
	}
	return max(k, MinGroupFloor)
}

// Item returns the item with key.
func (c *Config) Item(key string) (Item, bool) {
	for _, it := range c.Items {
		if it.Key == key {
			return it, true
		}
	}
	return Item{}, false
}

// Keys lists the item keys in order.
func (c *Config) Keys() []string {
	out := make([]string, len(c.Items))
	for i, it := range c.Items {
		out[i] = it.Key
	}
	return out
}

// Validate names every problem with c.
func (c *Config) Validate() error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if c.MinGroup < MinGroupFloor {
		add("min_group", "OUT_OF_RANGE", "min_group must be at least 3: smaller groups would let colleagues work out each other's answers")
	}
	if len(c.Items) == 0 || len(c.Items) > 20 {
		add("items", "OUT_OF_RANGE", "items must hold between 1 and 20 statements")
	}
	seen := map[string]bool{}
	for i, it := range c.Items {
		f := "items[" + strconv.Itoa(i) + "]"
		if !keyOK(it.Key) {
			add(f+".key", "INVALID_FORMAT", "key must be 1–40 lower-case letters, digits or _")
		} else if seen[it.Key] {
			add(f+".key", "DUPLICATE", "key "+it.Key+" is used twice")
		}
		seen[it.Key] = true
		for _, l := range Languages {
			if t := strings.TrimSpace(it.Text[l]); t == "" || utf8.RuneCountInString(t) > 300 {
				add(f+".text."+l, "MISSING_REQUIRED", "text."+l+" is required (at most 300 characters)")
			}
		}
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

func keyOK(k string) bool {
	if k == "" || len(k) > 40 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Response is one mentee's answer. VisitID and Code are what the client sends to
// say which visit it is about; the server turns the visit into FacilityID, DistrictID
// and MentorID and then forgets it.
type Response struct {
	ID       string         `json:"id"` // the client's UUID, so an outbox retry is harmless
	VisitID  string         `json:"visit_id"`
	Code     string         `json:"code,omitempty"`
	Ratings  map[string]int `json:"ratings"`
	Comment  string         `json:"comment,omitempty"`
	Language string         `json:"language"`

	// Set by the server, never by the client.
	FacilityID int64  `json:"-"`
	DistrictID int64  `json:"-"`
	MentorID   int64  `json:"-"`
	Month      string `json:"-"` // YYYY-MM the answer arrived; never the day or hour
}

// Normalize tidies what a client sent.
func (r *Response) Normalize() {
	r.ID = strings.ToLower(strings.TrimSpace(r.ID))
	r.VisitID = strings.ToLower(strings.TrimSpace(r.VisitID))
	r.Code = NormalizeCode(r.Code)
	r.Comment = strings.TrimSpace(r.Comment)
	r.Language = strings.ToLower(strings.TrimSpace(r.Language))
	if r.Language == "" {
		r.Language = "en"
	}
}

// Validate names every problem with r against the configured items. Items may be
// skipped (a nurse may have nothing to say about facility problems), but at least one
// must be rated.
func (r *Response) Validate(c *Config) error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if !validUUID(r.ID) {
		add("id", "INVALID_FORMAT", "id must be a UUID made by the client, e.g. 0190c1a2-7b3c-7d4e-8f90-123456789abc")
	}
	if !validUUID(r.VisitID) {
		add("visit_id", "INVALID_FORMAT", "visit_id must be the visit's UUID")
	}
	if len(r.Ratings) == 0 {
		add("ratings", "MISSING_REQUIRED", "rate at least one statement from 1 to 5")
	}
	keys := make([]string, 0, len(r.Ratings))
	for k := range r.Ratings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := c.Item(k); !ok {
			add("ratings."+k, "UNKNOWN_ENUM_VALUE", "no statement "+k+": the statements are "+strings.Join(c.Keys(), ", "))
		} else if v := r.Ratings[k]; v < 1 || v > 5 {
			add("ratings."+k, "OUT_OF_RANGE", "ratings must be whole numbers from 1 to 5")
		}
	}
	if utf8.RuneCountInString(r.Comment) > MaxComment {
		add("comment", "OUT_OF_RANGE", "comment must be at most 1000 characters")
	}
	if !slices.Contains(Languages, r.Language) {
		add("language", "UNKNOWN_ENUM_VALUE", "language must be en, fr or rw")
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// codeAlphabet leaves out 0/O and 1/I/L, which are misread when a mentor says a
// code aloud or a nurse types it from a screen.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// CodeLength is the length of a feedback code: 31^8 ≈ 8.5·10^11 codes, far beyond
// guessing at the rate the server answers.
const CodeLength = 8

// NewCode makes a feedback code from random bytes (at least CodeLength of them).
func NewCode(random []byte) string {
	b := make([]byte, CodeLength)
	for i := range b {
		b[i] = codeAlphabet[int(random[i])%len(codeAlphabet)]
	}
	return string(b)
}

// NormalizeCode upper-cases a typed code and drops spaces and dashes.
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r != ' ' && r != '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidCode reports whether s has the shape of a feedback code.
func ValidCode(s string) bool {
	if len(s) != CodeLength {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return false
		}
	}
	return true
}

// Who may see what. These live here rather than in account's grants because the
// rules are about the feedback's subject, not a place: a mentor sees results about
// themself only, and a facility in-charge, who manages the nurses who answered,
// sees none (they could pressure staff to say who wrote what).

// CanSeeResults reports whether role may read aggregated feedback.
func CanSeeResults(u *account.User) bool {
	return u != nil && u.Active && (u.Role == account.Admin || u.Role == account.Manager || u.Role == account.Supervisor || u.Role == account.Mentor)
}

// CanCode reports whether role may use the qualitative workspace: evaluators
// (programme managers and administrators), not the people being evaluated.
func CanCode(u *account.User) bool {
	return u != nil && u.Active && (u.Role == account.Admin || u.Role == account.Manager)
}

// CanConfigure reports whether u may change items and the threshold.
func CanConfigure(u *account.User) bool {
	return u != nil && u.Active && u.Role == account.Admin
}

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
				return false
			}
		}
	}
	return true
}
