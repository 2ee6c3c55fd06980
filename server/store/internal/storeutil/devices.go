package storeutil

// UniqueDevices returns devices without repeats, in first-seen order.
func UniqueDevices(devices [][16]byte) [][16]byte {
	seen := make(map[[16]byte]struct{}, len(devices))
	out := make([][16]byte, 0, len(devices))
	for _, d := range devices {
		if _, ok := seen[d]; ok {
			continue
		}
		seen[d] = struct{}{}
		out = append(out, d)
	}
	return out
}
