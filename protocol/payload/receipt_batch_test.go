package payload

import "testing"

// TestDeliveryReceiptBatch (issue 12, item 3): one delivery receipt may
// answer up to MaxReceiptBatch envelopes; never on a rejection, never a
// zero id, and a receipt without Also encodes as before.
func TestDeliveryReceiptBatch(t *testing.T) {
	r := ExampleDeliveryReceipt()
	before, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	r.Also = make([]ID, MaxReceiptBatch-1)
	for i := range r.Also {
		r.Also[i] = ID{byte(i + 1)}
	}
	b, err := Marshal(r)
	if err != nil {
		t.Fatalf("a full batch: %v", err)
	}
	got, err := Unmarshal(TypeDeliveryReceipt, b)
	if err != nil || len(got.(*DeliveryReceipt).Also) != MaxReceiptBatch-1 {
		t.Fatalf("round trip: %v", err)
	}
	for name, bad := range map[string]func(*DeliveryReceipt){
		"too many":  func(d *DeliveryReceipt) { d.Also = append(d.Also, ID{0xff}) },
		"zero id":   func(d *DeliveryReceipt) { d.Also[3] = ID{} },
		"rejection": func(d *DeliveryReceipt) { d.Rejected = RejectedRule },
	} {
		d := *r
		d.Also = append([]ID(nil), r.Also...)
		bad(&d)
		if d.Validate() == nil {
			t.Errorf("%s: valid", name)
		}
	}
	r.Also = nil
	if again, _ := Marshal(r); string(again) != string(before) {
		t.Fatal("a receipt without also changed its encoding")
	}
}
