package postgres

import (
	"fmt"
	"regexp"

	"github.com/saferef/saferef/server/store"
)

// Option configures Open.
type Option func(*options) error

type options struct {
	schema string
}

// schemaName is what WithSchema accepts.
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,39}$`)

// WithSchema keeps the store's tables in the named schema, creating it if
// missing.
func WithSchema(name string) Option {
	return func(o *options) error {
		if !schemaName.MatchString(name) {
			return fmt.Errorf("schema name %q: %w", name, store.ErrInvalid)
		}
		o.schema = name
		return nil
	}
}
