package hibp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Breach is HIBP's breach model, field for field.
type Breach struct {
	Name   string `json:"Name"` // HIBP's stable identifier, e.g. "Adobe"
	Title  string `json:"Title"`
	Domain string `json:"Domain"`
	// BreachDate is the day of the breach (zero when HIBP gives none).
	BreachDate   Day       `json:"BreachDate"`
	AddedDate    time.Time `json:"AddedDate"`
	ModifiedDate time.Time `json:"ModifiedDate"`
	PwnCount     int64     `json:"PwnCount"`
	// Description is HTML from HIBP: sanitise it before showing it.
	Description        string   `json:"Description"`
	LogoPath           string   `json:"LogoPath"`
	DataClasses        []string `json:"DataClasses"`
	IsVerified         bool     `json:"IsVerified"`
	IsFabricated       bool     `json:"IsFabricated"`
	IsSensitive        bool     `json:"IsSensitive"`
	IsRetired          bool     `json:"IsRetired"`
	IsSpamList         bool     `json:"IsSpamList"`
	IsMalware          bool     `json:"IsMalware"`
	IsSubscriptionFree bool     `json:"IsSubscriptionFree"`
	IsStealerLog       bool     `json:"IsStealerLog"`
}

// Day is a day as HIBP writes it, a bare "YYYY-MM-DD"; an empty string or
// null is an unknown day, the zero Day. The /api/v3 answers write their
// breaches' days with it too, so that one type reads and writes the shape.
type Day struct{ time.Time }

// MarshalJSON writes the day, "" when unknown.
func (d Day) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`""`), nil
	}
	return []byte(`"` + d.UTC().Format(time.DateOnly) + `"`), nil
}

// UnmarshalJSON reads a day, "" or null.
func (d *Day) UnmarshalJSON(data []byte) error {
	var s *string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("BreachDate: %w", err)
	}
	d.Time = time.Time{}
	if s == nil || *s == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, *s)
	if err != nil {
		return fmt.Errorf("BreachDate: %w", err)
	}
	d.Time = t
	return nil
}

// BreachedAccount lists the breaches an e-mail address or username appears
// in (case and surrounding spaces do not matter); none, and no error, when
// HIBP does not know it. It needs the API key.
// userID is the user who asks: the answer is cached for them alone, so
// that no other user's lookup is answered from it (see scope).
// A cached answer holds only the breaches' names; their details come from
// the (cached) breach list.
func (c *Client) BreachedAccount(ctx context.Context, userID int64, account string) ([]Breach, error) {
	const endpoint = "breachedaccount"
	if c.key() == "" {
		return nil, fmt.Errorf("hibp: %s: %w", endpoint, ErrNoKey)
	}
	if userID <= 0 {
		return nil, fmt.Errorf("hibp: %s: %w", endpoint, errNoUser)
	}
	sc := userScope(userID)
	// HIBP ignores case and surrounding spaces; so does the cache.
	account = strings.ToLower(strings.TrimSpace(account))
	if account == "" {
		return nil, fmt.Errorf("hibp: %s: %w", endpoint, ErrNoAccount)
	}
	r := request{endpoint: endpoint, auth: true,
		url: c.baseURL + "/breachedaccount/" + url.PathEscape(account) + "?truncateResponse=false"}
	var full []Breach
	status, body, cached, err := c.fetch(ctx, sc, r, func(body []byte) ([]byte, error) {
		if err := decode(endpoint, body, &full); err != nil {
			return nil, err
		}
		names := make([]string, len(full))
		for i, b := range full {
			names[i] = b.Name
		}
		return json.Marshal(names)
	})
	switch {
	case err != nil:
		return nil, err
	case status == http.StatusNotFound:
		return []Breach{}, nil
	case !cached:
		if full == nil { // not decoded by keep: caching is off
			err = decode(endpoint, body, &full)
		}
		return full, err
	}
	var names []string
	if err := decode(endpoint, body, &names); err != nil {
		return nil, err
	}
	return c.resolve(ctx, sc, names)
}

// resolve turns breach names into the breaches, from the (public) breach
// list or, for a breach newer than the list, one by one in sc: that a
// breach missing from the list was asked for tells of an account in it.
func (c *Client) resolve(ctx context.Context, sc scope, names []string) ([]Breach, error) {
	all, err := c.Breaches(ctx)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]Breach, len(all))
	for _, b := range all {
		byName[strings.ToLower(b.Name)] = b
	}
	out := make([]Breach, 0, len(names))
	for _, n := range names {
		b, ok := byName[strings.ToLower(n)]
		if !ok {
			b, err = c.breach(ctx, sc, n)
			if errors.Is(err, ErrNotFound) { // since removed: the name is all there is
				b, err = Breach{Name: n}, nil
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, b)
	}
	return out, nil
}

// Breaches lists every breach HIBP knows; no key needed.
func (c *Client) Breaches(ctx context.Context) ([]Breach, error) {
	const endpoint = "breaches"
	status, body, _, err := c.fetch(ctx, public, request{endpoint: endpoint, url: c.baseURL + "/breaches"}, keepAll)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, &StatusError{Endpoint: endpoint, Status: status}
	}
	var out []Breach
	if err := decode(endpoint, body, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Breach returns one breach by its name, or ErrNotFound; no key needed.
func (c *Client) Breach(ctx context.Context, name string) (Breach, error) {
	return c.breach(ctx, public, name)
}

func (c *Client) breach(ctx context.Context, sc scope, name string) (Breach, error) {
	const endpoint = "breach"
	if strings.TrimSpace(name) == "" {
		return Breach{}, fmt.Errorf("hibp: %s: %w", endpoint, ErrNotFound)
	}
	r := request{endpoint: endpoint, url: c.baseURL + "/breach/" + url.PathEscape(name)}
	status, body, _, err := c.fetch(ctx, sc, r, keepAll)
	if err != nil {
		return Breach{}, err
	}
	if status == http.StatusNotFound {
		return Breach{}, fmt.Errorf("hibp: %s: %w", endpoint, ErrNotFound)
	}
	var b Breach
	err = decode(endpoint, body, &b)
	return b, err
}

// TestKey makes a cheap authenticated call, for the admin's "test key"
// button: nil when HIBP accepts the key, ErrBadKey when it does not.
func (c *Client) TestKey(ctx context.Context) error {
	status, _, err := c.get(ctx, request{endpoint: "subscription/status", auth: true,
		url: c.baseURL + "/subscription/status"})
	if err == nil && status != http.StatusOK {
		err = &StatusError{Endpoint: "subscription/status", Status: status}
	}
	return err
}

// decode reads a JSON answer; the error names the endpoint only.
func decode(endpoint string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("hibp: %s: decode answer: %w", endpoint, err)
	}
	return nil
}
