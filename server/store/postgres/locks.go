package postgres

import "hash/fnv"

// lockKeys are the advisory lock keys of one schema.
type lockKeys struct {
	migrate, put, directory int64
}

// keysFor derives a schema's advisory lock keys, so that schemas sharing a
// database do not wait on one another.
func keysFor(schema string) lockKeys {
	key := func(purpose string) int64 {
		h := fnv.New64a()
		h.Write([]byte("saferef/store/" + schema + "/" + purpose))
		return int64(h.Sum64())
	}
	return lockKeys{migrate: key("migrate"), put: key("put"), directory: key("directory")}
}
