package dhis2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"mesh"
)

// Import strategies DHIS2 accepts on /api/dataValueSets.
var ImportStrategies = []string{"CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE"}

// Client talks to one DHIS2 server with a personal access token.
type Client struct {
	BaseURL string // e.g. https://hmis.moh.gov.rw (the /api path is added)
	Token   string // a personal access token, sent as "ApiToken …"
	HTTP    *http.Client
}

// PushOptions are the import options sent as query parameters.
type PushOptions struct {
	DryRun         bool
	IDScheme       string // uid or code; "" leaves DHIS2's default (uid)
	ImportStrategy string // one of ImportStrategies; "" leaves DHIS2's default
}

// ImportSummary is what DHIS2 answers to a data value import, in either of its
// shapes: the bare summary of older servers or the summary under "response" that
// newer ones wrap in a web message.
type ImportSummary struct {
	HTTPStatus  int            `json:"-"`
	Status      string         `json:"status"` // SUCCESS, WARNING or ERROR
	Description string         `json:"description,omitempty"`
	Message     string         `json:"message,omitempty"` // the web message's, when wrapped
	ImportCount ImportCount    `json:"importCount"`
	Conflicts   []Conflict     `json:"conflicts,omitempty"`
	Response    *ImportSummary `json:"response,omitempty"`
}

// ImportCount tallies what happened to the values sent.
type ImportCount struct {
	Imported int `json:"imported"`
	Updated  int `json:"updated"`
	Ignored  int `json:"ignored"`
	Deleted  int `json:"deleted"`
}

// Conflict is one value DHIS2 refused: the object it could not use and why.
type Conflict struct {
	Object    string `json:"object"`
	Value     string `json:"value"`
	ErrorCode string `json:"errorCode,omitempty"`
}

// Push posts set to {BaseURL}/api/dataValueSets and returns the import summary. A
// refusal (a status other than 2xx, or an import with status ERROR) is an error
// carrying the server's message; the summary, when DHIS2 sent one, is returned with
// it so its conflicts can still be shown.
func (c *Client) Push(ctx context.Context, set *DataValueSet, opt PushOptions) (*ImportSummary, error) {
	body, err := json.Marshal(set)
	if err != nil {
		return nil, err
	}
	u, err := c.endpoint("/api/dataValueSets")
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("dryRun", strconv.FormatBool(opt.DryRun))
	if opt.IDScheme != "" {
		q.Set("idScheme", opt.IDScheme)
	}
	if opt.ImportStrategy != "" {
		q.Set("importStrategy", opt.ImportStrategy)
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "ApiToken "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Minute} // a national import can take minutes
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("post to DHIS2 at %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("read DHIS2's answer: %w", err)
	}
	s, perr := parseSummary(raw)
	if s != nil {
		s.HTTPStatus = resp.StatusCode
	}
	ok2xx := resp.StatusCode >= 200 && resp.StatusCode < 300
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return s, fmt.Errorf("DHIS2 refused the token (401 Unauthorized): check --token is a valid personal access token: %w", ErrUnauthorized)
	case !ok2xx && s != nil:
		return s, fmt.Errorf("DHIS2 answered %s: %s", resp.Status, s.explain())
	case !ok2xx:
		return nil, fmt.Errorf("DHIS2 answered %s: %s", resp.Status, snippet(raw))
	case perr != nil:
		return nil, fmt.Errorf("DHIS2 answered %s but not with an import summary: %s", resp.Status, snippet(raw))
	case s.Status == "ERROR":
		return s, fmt.Errorf("DHIS2 rejected the import: %s", s.explain())
	}
	return s, nil
}

// OrgUnitFields is the field list the org-unit import reads.
const OrgUnitFields = "id,code,name,parent,level,path"

// maxMetadata bounds the org-unit metadata read from a server: a national hierarchy
// of a few thousand units is a few megabytes.
const maxMetadata = 64 << 20

// OrgUnits fetches every organisation unit from
// {BaseURL}/api/organisationUnits?fields=id,code,name,parent,level,path&paging=false,
// the document DecodeOrgUnits reads from a saved file.
func (c *Client) OrgUnits(ctx context.Context) ([]OrgUnit, error) {
	u, err := c.endpoint("/api/organisationUnits")
	if err != nil {
		return nil, err
	}
	u.RawQuery = url.Values{"fields": {OrgUnitFields}, "paging": {"false"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "ApiToken "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get org units from DHIS2 at %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, fmt.Errorf("DHIS2 refused the token (401 Unauthorized): check --token is a valid personal access token: %w", ErrUnauthorized)
	case resp.StatusCode != http.StatusOK:
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return nil, fmt.Errorf("DHIS2 answered %s to the org-unit request: %s", resp.Status, snippet(raw))
	}
	body := io.LimitReader(resp.Body, maxMetadata+1)
	units, err := DecodeOrgUnits(body)
	if err != nil {
		return nil, fmt.Errorf("DHIS2's org-unit answer: %w", err)
	}
	return units, nil
}

// endpoint is path on the server, refusing an address that is not http(s).
func (c *Client) endpoint(path string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(c.BaseURL, "/") + path)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "url", Message: "url must be the DHIS2 server's http(s) address, e.g. https://dhis2.example.org"})
	}
	return u, nil
}

// ErrUnauthorized is wrapped by Push's error when DHIS2 answers 401: waiting will
// not mend it, so a scheduled push does not retry.
var ErrUnauthorized = errors.New("unauthorized")

// Plain is the conflict in plain words: "object: value (code)".
func (c Conflict) Plain() string {
	switch {
	case c.Object != "" && c.ErrorCode != "":
		return fmt.Sprintf("%s: %s (%s)", c.Object, c.Value, c.ErrorCode)
	case c.Object != "":
		return fmt.Sprintf("%s: %s", c.Object, c.Value)
	}
	return c.Value
}

// parseSummary reads either summary shape and flattens the wrapped one.
func parseSummary(raw []byte) (*ImportSummary, error) {
	var s ImportSummary
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	if r := s.Response; r != nil {
		msg := s.Message
		s = *r
		if s.Message == "" {
			s.Message = msg
		}
		s.Response = nil
	}
	if s.Status == "" {
		return nil, fmt.Errorf("no status in the answer")
	}
	return &s, nil
}

// explain is the summary's reason in one line.
func (s *ImportSummary) explain() string {
	var parts []string
	for _, t := range []string{s.Message, s.Description} {
		if t != "" {
			parts = append(parts, t)
		}
	}
	if len(s.Conflicts) > 0 {
		parts = append(parts, fmt.Sprintf("%d conflict(s)", len(s.Conflicts)))
	}
	if len(parts) == 0 {
		return "status " + s.Status
	}
	return strings.Join(parts, "; ")
}

// snippet is the start of a body that was not a summary (a proxy's HTML page, say).
func snippet(raw []byte) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	if s == "" {
		return "(empty answer)"
	}
	return s
}

// WriteReport prints the summary for a person: counts on one line, then each
// conflict in plain words.
func (s *ImportSummary) WriteReport(w io.Writer, dryRun bool) {
	what := "Import"
	if dryRun {
		what = "Dry run (nothing was saved)"
	}
	fmt.Fprintf(w, "%s: status %s — %d imported, %d updated, %d ignored, %d deleted\n", what, s.Status,
		s.ImportCount.Imported, s.ImportCount.Updated, s.ImportCount.Ignored, s.ImportCount.Deleted)
	if s.Description != "" {
		fmt.Fprintf(w, "  %s\n", s.Description)
	}
	if len(s.Conflicts) > 0 {
		fmt.Fprintf(w, "%d conflict(s):\n", len(s.Conflicts))
	}
	for _, c := range s.Conflicts {
		fmt.Fprintf(w, "  - %s\n", c.Plain())
	}
}
