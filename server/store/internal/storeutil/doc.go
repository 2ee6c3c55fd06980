// Package storeutil holds what the SQL implementations of store.Store share:
// argument checks, the integer forms of times and cursors, device list
// deduplication.
package storeutil
