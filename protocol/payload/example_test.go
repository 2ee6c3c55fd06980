package payload_test

import (
	"errors"
	"fmt"

	"github.com/saferef/saferef/protocol/payload"
)

func ExampleUnmarshal() {
	r := payload.ExampleReferral()
	b, err := payload.Marshal(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := payload.Unmarshal(payload.TypeReferral, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.(*payload.Referral).Reference, p.(*payload.Referral).Bedrooms)

	r.Bedrooms = 9
	r.Urgency = "soon"
	var ve payload.ValidationError
	if _, err := payload.Marshal(r); errors.As(err, &ve) {
		for _, fe := range ve {
			fmt.Println(fe)
		}
	}
	// Output:
	// KMR-2026-0001 2
	// referral.bedrooms: must be between 1 and 7
	// referral.urgency: "soon" is not one of "urgent", "within 4 weeks", "within 8 weeks", "within 12 weeks"
}

func ExampleFromJSON() {
	// A decline must say why.
	in := []byte(`{"schema":1,"case":"5a1ef00dca5e00018b3c44216e902701","offer":"0ffe202600004001a7135c904e218801","decision":"decline"}`)
	_, err := payload.FromJSON(payload.TypeOfferDecision, in)
	fmt.Println(err)

	// An offer's exact address is never offered to the disclosure guard as
	// an anonymous field; its viewing arrangements are.
	for _, f := range payload.ExampleOffer().AnonymousFields() {
		fmt.Println(f.Name)
	}
	// Output:
	// read offer-decision/v1 json: offer_decision.reason: must be given when declining
	// offer.adaptations[0]
	// offer.adaptations[1]
	// offer.viewing
}

func ExampleExample() {
	p, err := payload.Example(payload.TypeStatusUpdate)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := p.(*payload.StatusUpdate)
	fmt.Println(s.Status, s.Effective)
	// Output:
	// moved-in 2026-06-22
}
