// Package storetest is the conformance suite that every store.Store
// implementation runs from its own tests: Run for the Store contract and
// RunNotifier for stores shared between relay nodes.
//
// The suite opens a fresh, empty store for each subtest through the
// caller's open function, which should also arrange for it to be closed
// (t.Cleanup); closing twice must be harmless. Times handed to the store are
// whole seconds except where rounding is under test.
package storetest
