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
