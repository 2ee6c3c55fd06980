package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// EnvNow is the test hook that sets this device's clock: an RFC 3339 time
// (SAFEREF_NOW=2027-06-01T00:00:00Z). It exists so that end-to-end tests
// can show retention and crypto-shredding without waiting a year; never set
// it in real use (envelope times and the relay's authentication check use
// the same clock).
const EnvNow = "SAFEREF_NOW"

// clock returns the device clock: time.Now, or the fixed time in
// SAFEREF_NOW. A malformed SAFEREF_NOW is a usage error, never ignored.
func clock(env *cli.Env) (func() time.Time, error) {
	v := strings.TrimSpace(env.Getenv(EnvNow))
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, cli.Usagef("unset "+EnvNow+" (it is a test hook), or give an RFC 3339 time such as 2027-06-01T00:00:00Z",
			"bad %s %q: %v", EnvNow, v, err)
	}
	return func() time.Time { return t }, nil
}

// parseEnvelopes parses envelope ids given to a list flag.
func parseEnvelopes(flagName string, list []string) ([]crypto.EnvelopeID, error) {
	var ids []crypto.EnvelopeID
	for _, s := range list {
		id, err := crypto.ParseEnvelopeID(s)
		if err != nil {
			return nil, cli.Usagef("envelope ids are 32 hex digits; 'saferef cases show CASE_ID' lists them", "bad --%s %q: %v", flagName, s, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// parseDate checks a YYYY-MM-DD date given to a flag ("" stays "").
func parseDate(flagName, s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", cli.Usagef("give dates as YYYY-MM-DD", "bad --%s %q", flagName, s)
	}
	return s, nil
}

// readPayload reads one payload of type pt from a JSON file strictly
// (unknown keys and trailing data are errors), sets its case to caseID
// when the file leaves it zero (as the templates do), and validates it.
// Every field problem is its own error line; template names the command
// that prints an example.
func readPayload(pt, path string, caseID payload.ID, template string) (payload.Payload, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, cli.WithHint(fmt.Errorf("read %s: %w", pt, err), "'"+template+" > FILE' writes one to fill in")
	}
	defer f.Close()
	limit := int64(2 * payload.MaxSizeOf(pt))
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", pt, path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("read %s %s: larger than %d bytes", pt, path, limit)
	}
	return decodePayload(pt, b, caseID, template)
}

// decodePayload is readPayload's decoder, separate so that it can be fuzzed.
func decodePayload(pt string, b []byte, caseID payload.ID, template string) (payload.Payload, error) {
	p, err := payload.New(pt)
	if err != nil {
		return nil, err
	}
	badFile := func(err error) error {
		return cli.WithHint(fmt.Errorf("read %s: %w", pt, err),
			"the file must be one JSON object with the fields of '"+template+"'")
	}
	if len(b) > 2*payload.MaxSizeOf(pt) {
		return nil, badFile(payload.ErrTooLarge)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		return nil, badFile(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badFile(errors.New("data after the JSON object"))
	}
	if c := caseOf(p); c != nil {
		switch {
		case c.IsZero():
			*c = caseID
		case *c != caseID:
			return nil, cli.Usagef("leave \"case\" out of the file (or all zeros) and give it with --case",
				"the file is for case %s, not --case %s", *c, caseID)
		}
	}
	if o, ok := p.(*payload.Offer); ok && o.Offer.IsZero() {
		// As the template leaves it: a new offer gets a new random id.
		if _, err := rand.Read(o.Offer[:]); err != nil {
			return nil, fmt.Errorf("new offer id: %w", err)
		}
	}
	if err := p.Validate(); err != nil {
		return nil, fieldErrorsHint(err, "fix the fields above; '"+template+"' prints a complete example")
	}
	if _, err := payload.Marshal(p); err != nil {
		return nil, badFile(err)
	}
	return p, nil
}

// caseOf returns a pointer to a payload's case id, or nil for a type that
// names no case.
func caseOf(p payload.Payload) *payload.ID {
	switch v := p.(type) {
	case *payload.Referral:
		return &v.Case
	case *payload.Approval:
		return &v.Case
	case *payload.Offer:
		return &v.Case
	case *payload.OfferDecision:
		return &v.Case
	case *payload.HouseholdDetails:
		return &v.Case
	case *payload.StatusUpdate:
		return &v.Case
	case *payload.CaseMessage:
		return &v.Case
	case *payload.Recall:
		return &v.Case
	}
	return nil
}

// printTemplate prints the example payload of type pt as indented JSON,
// with its case id zeroed (the command that sends it fills it in from
// --case) and edit applied.
func printTemplate(env *cli.Env, pt string, edit func(payload.Payload)) error {
	p, err := payload.Example(pt)
	if err != nil {
		return err
	}
	if c := caseOf(p); c != nil {
		*c = payload.ID{}
	}
	if edit != nil {
		edit(p)
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("print %s template: %w", pt, err)
	}
	_, err = fmt.Fprintf(env.Stdout, "%s\n", b)
	return err
}

// today returns today's date, YYYY-MM-DD, by the device clock.
func today(now func() time.Time) string {
	if now == nil {
		return time.Now().Format(time.DateOnly)
	}
	return now().Format(time.DateOnly)
}
