// Package protocol defines the frames that Saferef devices and the relay
// exchange over a websocket, their encoding and their limits. SPEC.md in this
// directory is the normative description; its frame examples are generated
// from this package's test vectors (go test -run TestSpec -update).
//
// Every frame is one websocket binary message holding one deterministic CBOR
// map {"b": body, "t": type, "v": Version}. Encode writes core deterministic
// CBOR; Decode reads strictly and returns typed, wrapped errors
// (ErrFrameTooLarge, ErrMalformed, ErrUnknownFrame, ErrVersion).
//
// Decisions this package makes where the design leaves them open:
//
//   - Decode accepts only the exact bytes Encode would produce for the frame it
//     decoded (it re-encodes and compares). So every key is required, byte
//     strings of fixed-size fields must have the exact length, and there is
//     exactly one encoding of every frame. A frame of another version is
//     reported as ErrVersion even if its shape differs.
//   - Check order: size, outer map, version, type, body, field limits,
//     canonical form.
//   - Request ids are chosen by the device and must be non-zero; 0 in an
//     Error frame means "not about a request".
//   - Ack carries 1 to 256 distinct ids and gets no reply.
//   - Directory entries are consecutive, each below Size; a Directory frame may
//     hold fewer entries than exist (the device asks again).
//   - Signed directory objects are at most 64 KiB; envelopes at most 1 MiB.
//   - The ServerHello origin must be ws:// or wss:// followed by a host[:port]
//     of printable ASCII; the device signs the origin it dialled itself.
//   - Error messages are single-line text of at most 1024 bytes; a device
//     treats an unknown error code like "internal".
//   - DirectoryGet and ProofGet are allowed before Auth, like Publish: the
//     directory and its transparency log are public, and every answer is
//     verified by its reader (package crypto/translog).
//   - The Directory checkpoint and the ServerHello log key may be empty at
//     the frame level (a relay always fills them; a device treats an empty
//     one as a failure). ProofGet marks "no inclusion proof" with HasIndex
//     false and Index 0, so that each request has one encoding; Size 0
//     means the relay's current size. Proofs carry at most 128 hashes.
package protocol

//go:generate go test -run TestVectors|TestSpec -update
