package postgres

import "hash/fnv"

// lockKeys are the advisory lock keys of one schema.
type lockKeys struct {
	schema             string
	migrate, directory int64
}

// mailbox is the key of the lock that orders puts to one mailbox. Puts
// to different mailboxes take different locks (a 64-bit hash collision
// only makes two mailboxes wait for each other).
func (k lockKeys) mailbox(id [16]byte) int64 {
	h := fnv.New64a()
	h.Write([]byte("saferef/store/" + k.schema + "/put/"))
	h.Write(id[:])
	return int64(h.Sum64())
}

// keysFor derives a schema's advisory lock keys, so that schemas sharing a
// database do not wait on one another.
func keysFor(schema string) lockKeys {
	key := func(purpose string) int64 {
		h := fnv.New64a()
		h.Write([]byte("saferef/store/" + schema + "/" + purpose))
		return int64(h.Sum64())
	}
	return lockKeys{schema: schema, migrate: key("migrate"), directory: key("directory")}
}
