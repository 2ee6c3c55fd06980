package workflow

// Allowed returns the events the case's state allows an organisation with
// this role to make now, in the order of EventKinds. The desktop app shows
// only these; the CLI uses them for hints. It checks role and stage only:
// Apply may still refuse an allowed kind whose details do not fit (an
// unknown offer, a missing reason or consent). A guard override is not a
// step of the referral and is never listed.
func (c *Case) Allowed(role Role) []EventKind {
	var out []EventKind
	for _, k := range EventKinds() {
		if k != EventGuardOverride && c.permit(k, role) == nil {
			out = append(out, k)
		}
	}
	return out
}
