package client

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/saferef/saferef/client/workflow"
	"github.com/saferef/saferef/crypto"
)

// FuzzCaseState feeds arbitrary bytes to the decoder of the stored
// workflow state (sealed in the case store, so only a device with the data
// key can write it; decoded defensively all the same) and uses the result
// as the client does: it must fail cleanly or give a case whose views work.
func FuzzCaseState(f *testing.F) {
	wc := workflow.New([16]byte{1}, [16]byte{2}, [16]byte{3})
	now := time.Unix(1780300800, 0)
	if err := wc.Apply(workflow.Event{Kind: workflow.EventReferralDrafted, Actor: workflow.Party{Org: [16]byte{2}, Device: [16]byte{3}}, At: now}); err != nil {
		f.Fatal(err)
	}
	b, err := json.Marshal(wc)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"Stage":"offers-received","Offers":[{"State":"pending"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c workflow.Case
		if err := json.Unmarshal(b, &c); err != nil {
			return
		}
		_ = c.WaitingOn()
		_ = c.Organisations()
		_ = c.Allowed(c.MyRole())
		ev := workflow.Event{Kind: workflow.EventMessage, Actor: workflow.Party{Org: [16]byte{9}, Device: [16]byte{9}}, At: now, Orgs: []crypto.OrgID{c.Org}}
		_ = c.Clone().Apply(ev)
	})
}
