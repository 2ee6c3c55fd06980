package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/saferef/saferef/client"
	"github.com/saferef/saferef/cmd/internal/cli"
	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol/payload"
)

// caseRef is what --case (or a CASE argument) names: a case id, or the
// case's scheme reference code (KMR-2026-0001), found on this device once
// it is open.
type caseRef struct {
	id  payload.ID
	ref string // the reference code, when not an id
}

// pendingCase stands in for a case given by its reference until the device
// is open (payload files are read and checked before).
var pendingCase = payload.ID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}

// parseCaseRef reads a case id or reference code.
func parseCaseRef(what, s string) (caseRef, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return caseRef{}, cli.Usagef("give the case's id or reference code; 'saferef cases list' shows both", "no %s given", what)
	}
	if id, err := payload.ParseID(s); err == nil {
		return caseRef{id: id}, nil
	}
	if strings.ContainsAny(s, " \t/\\") || len(s) > 40 {
		return caseRef{}, cli.Usagef("give the case's id (32 hex digits) or its reference code such as KMR-2026-0001; 'saferef cases list' shows both",
			"bad %s %q", what, s)
	}
	return caseRef{ref: s}, nil
}

// early is the case id to use before the device is open.
func (r caseRef) early() payload.ID {
	if r.ref != "" {
		return pendingCase
	}
	return r.id
}

// resolve finds the case on the open device.
func (r caseRef) resolve(ctx context.Context, d *client.Device) (payload.ID, error) {
	if r.ref == "" {
		return r.id, nil
	}
	sums, err := d.Cases(ctx)
	if err != nil {
		return payload.ID{}, fmt.Errorf("find case %s: %w", r.ref, err)
	}
	var found []payload.ID
	for _, s := range sums {
		if strings.EqualFold(s.Reference, r.ref) {
			found = append(found, s.ID)
		}
	}
	switch len(found) {
	case 0:
		return payload.ID{}, cli.Usagef("'saferef cases list' shows the cases on this device with their references",
			"no case with reference %q on this device", r.ref)
	case 1:
		return found[0], nil
	}
	return payload.ID{}, cli.Usagef("give the case id instead ('saferef cases list --reference "+r.ref+"' shows them)",
		"%d cases have reference %q", len(found), r.ref)
}

// settleCase puts the resolved case into a payload read before the device
// was open: the stand-in becomes the case; a file naming another case is
// refused.
func settleCase(p *payload.ID, early, real payload.ID) error {
	switch *p {
	case real:
		return nil
	case early:
		*p = real
		return nil
	}
	return cli.Usagef("leave \"case\" all zeros in the file, or give the same case with --case", "the file is for case %s, not %s", *p, real)
}

// resolveOrgs reads organisations given to a list flag such as --to: each
// an id, a name, or the unique start of a name (case does not matter),
// from the verified directory.
func resolveOrgs(d *client.Device, flagName string, list []string) ([]crypto.OrgID, error) {
	var out []crypto.OrgID
	for _, s := range list {
		id, err := resolveOrg(d, flagName, s)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// resolveOrg reads one organisation id, name or unique name prefix.
func resolveOrg(d *client.Device, flagName, s string) (crypto.OrgID, error) {
	s = strings.TrimSpace(s)
	if id, err := crypto.ParseOrgID(s); err == nil {
		return id, nil
	}
	want := strings.ToLower(s)
	var exact, prefix []string
	ids := map[string]crypto.OrgID{}
	for _, e := range d.Directory().Orgs() {
		if e.Revoked != nil {
			continue
		}
		name := e.Cert.Name
		ids[name] = e.Cert.Org
		switch l := strings.ToLower(name); {
		case l == want:
			exact = append(exact, name)
		case want != "" && strings.HasPrefix(l, want):
			prefix = append(prefix, name)
		}
	}
	switch {
	case len(exact) == 1:
		return ids[exact[0]], nil
	case len(exact) == 0 && len(prefix) == 1:
		return ids[prefix[0]], nil
	case len(exact)+len(prefix) == 0:
		return crypto.OrgID{}, cli.Usagef("give an organisation's id, or its name as in the scheme's directory",
			"--%s %q: no organisation has that name", flagName, s)
	}
	all := append(exact, prefix...)
	slices.Sort(all)
	return crypto.OrgID{}, cli.Usagef("type more of the name, or give the id",
		"--%s %q matches %d organisations: %s", flagName, s, len(all), strings.Join(all, ", "))
}
