package voice

import (
	"context"

	"mesh/indicator"
)

// ETOOMANY is the code of a refused answer once a visit's cap is reached; it is the
// same code as auth.ETOOMANY, so handlers answer 429 without importing one another.
const ETOOMANY = "too_many_requests"

// Code is a visit's feedback code and how many answers it has taken.
type Code struct {
	Code      string `json:"code"`
	VisitID   string `json:"visit_id"`
	Responses int    `json:"responses"`
	Limit     int    `json:"limit"`
	// Visit details for access checks and the form's heading.
	FacilityID   int64  `json:"facility_id"`
	FacilityName string `json:"facility_name"`
	FacilityPath string `json:"-"`
	MentorID     int64  `json:"-"`
}

// ResponseFilter selects responses; months are YYYY-MM, inclusive, empty for open.
type ResponseFilter struct {
	Under    []string
	MentorID *int64
	From, To string
}

// SourceFilter selects qualitative sources.
type SourceFilter struct {
	Under []string
	Kind  string
}

// PassageFilter selects coded passages.
type PassageFilter struct {
	Under    []string
	SourceID *int64
	ThemeID  *int64
	CoderID  *int64
}

// Store keeps the mentee's voice.
type Store interface {
	// VoiceConfig returns the items and threshold (DefaultConfig until changed).
	VoiceConfig(ctx context.Context) (*Config, error)
	PutVoiceConfig(ctx context.Context, c *Config) error
	// FeedbackCode returns a visit's code, making one when create is set.
	FeedbackCode(ctx context.Context, visitID string, create bool) (*Code, error)
	// FindFeedbackCode looks a typed code up.
	FindFeedbackCode(ctx context.Context, code string) (*Code, error)
	// PutResponse stores an answer about r.VisitID, keeping only what the package
	// comment allows. A repeat of the same client id is unchanged (false, nil); past
	// the visit's cap it fails with ETOOMANY; with r.Code set the code must be the
	// visit's.
	PutResponse(ctx context.Context, r *Response) (created bool, err error)
	FindResponses(ctx context.Context, f ResponseFilter) ([]Response, error)
	// VoiceIndicatorCounts answers a voice.<item> indicator per month from..to over
	// the facilities under the paths, applying the threshold (see indicator.go).
	VoiceIndicatorCounts(ctx context.Context, id string, under []string, from, to string) ([]indicator.MonthCount, error)

	FindThemes(ctx context.Context) ([]*Theme, error)
	CreateTheme(ctx context.Context, t *Theme) error
	CreateSource(ctx context.Context, s *Source) error
	FindSources(ctx context.Context, f SourceFilter) ([]*Source, error)
	FindSourceByID(ctx context.Context, id int64) (*Source, error)
	CreatePassage(ctx context.Context, p *Passage) error
	DeletePassage(ctx context.Context, id int64) error
	FindPassages(ctx context.Context, f PassageFilter) ([]Passage, error)
}
