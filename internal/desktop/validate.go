package desktop

import (
	"errors"
	"slices"

	"github.com/saferef/saferef/protocol/payload"
)

// showValidation puts each problem of a payload's Validate error under its
// field. Problems with the case id are the core's business and are left
// out, and so are the keys in skip (ids the core assigns).
func showValidation(errs *fieldErrors, err error, skip ...string) {
	var verr payload.ValidationError
	if !errors.As(err, &verr) {
		if err != nil {
			errs.set("form", err.Error())
		}
		return
	}
	for _, fe := range verr {
		if k := fieldKey(fe.Field); k == "case" || slices.Contains(skip, k) {
			continue
		}
		errs.set(fe.Field, fe.Problem)
	}
}
