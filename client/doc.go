// Package client is saferef's headless client core: enrolment, the
// unlocked device (keys, verified directory, case store) and the
// conversation with the relay. The saferef CLI and the desktop app both
// drive it; neither touches keys, sockets or SQL directly.
//
// # Home directory
//
// A device lives in a home directory (mode 0700) holding config.sealed
// (relay URL, device id, organisation id, device name, sealed under a key
// from the vault's data key: a copied laptop must not show whose it is; a
// clear config.json from an earlier version is sealed on the first
// unlock), scheme.json (the scheme file, pinned at enrolment),
// device.vault (the device secrets under the user's passphrase, see
// crypto/vault; re-saved at the release work factor when unlocked below
// it), enrolment-request.json (for the organisation admin; removed once
// the device sees itself approved), contacts.sealed, and cases.db (the case
// store, encrypted as a whole file, see client/casestore). SECURITY.md
// lists what each file shows. Backup and Restore (backup.go) carry a home
// to a new machine; handover.go hands open cases to colleagues' devices.
//
// # Enrolment request
//
// The request file is JSON: type "saferef-enrolment-request/v1", device,
// org, name, signing_key (ed25519:...), recipient (age1pq1...), created
// (RFC 3339, whole seconds, UTC) and signature (standard base64), an
// Ed25519 signature by the device key over "saferef/v1/enrolment-request\x00"
// followed by the deterministic CBOR array [device (bstr 16), org (bstr 16),
// name, signing key (bstr 32), recipient, created (Unix seconds)]. It
// proves the requester holds the key; the fingerprint, read out by phone,
// proves the file came from the right person.
//
// # Directory
//
// Every directory log entry fetched from the relay is cached in the case
// store, and replayed (verified again) into a crypto.Directory when the home
// is opened, so a later run asks the relay only for entries after the last
// index it holds. Entries that fail verification are skipped, never trusted.
//
// # Sending
//
// A packet for several organisations is sealed once per organisation, to
// that organisation's current devices, plus once to this device's own
// organisation (its other devices; skipped when there are none). Sealed
// envelopes go into the outbox in the same transaction that records the
// case or message locally and marks their ids processed (so a copy the
// relay hands back is skipped); they leave the outbox only when the relay
// confirms durable storage (SendOK, or duplicate-envelope for a resend).
// Anything left in the outbox (relay down, connection lost) is sent by the
// next Sync. A send made while the relay cannot be reached at all
// (ErrRelayUnreachable: refused, timed out, dropped before its hello) is
// sealed to the directory as last fetched, recorded and queued like any
// other, and reports ErrNotSent; a bad relay address, a relay that is not
// the configured one, or a failed authentication or log check still refuse
// the send. The queued envelopes are not resealed when the relay returns:
// a device revoked between the last sync and that one can still be among
// their recipients, as for any envelope queued before a revocation. Outbox envelopes the relay refuses for good (unknown-mailbox,
// envelope-too-large) are dropped and reported.
//
// # Receiving
//
// Sync receives every pending envelope until the relay sends Drained. Each
// envelope id is looked up in the processed-ids table first: a processed
// one is acknowledged and skipped. Otherwise the envelope is opened against
// the verified directory (fetched again once if the sender is unknown) and
// everything it changes (case, entry, receipt, the delivery receipt to
// send back, and the processed-id row) is written in one transaction; only
// after the commit is it acknowledged. An envelope that does not open, or
// whose payload is invalid, is recorded as rejected and acknowledged: it
// could never open later either.
//
// Decisions the design leaves open:
//   - every payload about a case is applied through client/workflow (see
//     Referral workflow): knowing a case id is not enough to join a case,
//     and a packet about a case this device has not heard of is refused
//     unless it is the referral that opens it;
//   - a case id is bound to its nominating organisation: a new referral
//     gets a fresh case nonce and the id payload.CaseIDFor(this
//     organisation, nonce); a referral that already has an id must carry
//     the nonce binding it to this organisation; and a received referral
//     whose id does not derive from the envelope's verified sender
//     organisation and its nonce is refused (ErrCaseIDNotBound). Only the
//     nominator (or a colleague device, same organisation) ever sends a
//     case's referral, approval requests and re-circulations included, so
//     no other organisation can open the case as its nominator anywhere;
//   - a recipient's view of a case lists only the organisations its own
//     workflow view knows (recipients do not learn who else received a
//     referral);
//   - delivery receipts are sent, to the sender's organisation, for
//     referrals and case messages, never for receipts;
//   - envelopes carry the sender's certificate index and its newest
//     verified log checkpoint (see Transparency log).
//
// # Referral workflow
//
// Every step (Device.SendReferral, Approve, Circulate, SendOffer,
// DecideOffer, ReleaseDetails, SetStatus, SendMessage, Attach, MarkRead,
// Recall) applies its workflow.Event to this organisation's view of the
// case first (a refusal is the *workflow.TransitionError), runs the
// disclosure guard (client/guard) over the payload's anonymous fields
// against the household details the case holds, seals one envelope per
// organisation, and records the new case state (sealed JSON of the
// workflow.Case, casestore case_state), the entry, the envelope ids and the
// outbox items in one transaction. On receipt the event is computed from
// the receiver's own view (the sender's role is never taken from the
// packet) and applied inside the casestore.Apply transaction; a refusal
// records the envelope as rejected (Rejection.Err wraps the
// TransitionError), acknowledges it and changes nothing else. The case
// row's status is the workflow stage, so the store's retention clock starts
// at closed, withdrawn or filled.
//
// Decisions:
//   - circulation goes to landlords whose signed directory entry lists an
//     acceptable district; with no recipients named, to every such landlord
//     with a current device. The household's current landlord gets the
//     referral alone, for approval, and SendReferral refuses named
//     recipients then (ErrApprovalFirst): Circulate after approval.
//   - DraftReferral records a referral and the household's details locally
//     (entry direction "draft"), so that the guard checks the needs profile
//     against the household's names and address before anything is sent.
//   - hub and spoke: case messages and attachments from the nominator go
//     to every organisation still in the case, from anyone else to the
//     nominator only; the guard checks a message only when it goes to more
//     than one organisation (design), every other anonymous field always.
//   - own-organisation copies: colleagues get a copy of every packet except
//     "filled" notices, read receipts and re-circulations. No payload names
//     the candidates, so a colleague of the nominator follows the draft and
//     approval but not the candidate list; the sending device drives the
//     workflow.
//   - DetailsReaders' digest is SHA-256 over each reader's device id, age
//     key and a zero byte, sorted by device id; ReleaseDetails refuses a
//     stale digest (ErrReadersChanged) and records the readers in the event.
//   - a packet sent to several organisations is stored once, under its
//     first envelope id, with every envelope id it went out in
//     (casestore sent_envelopes), so read and recall receipts from any
//     recipient map back to it (CaseReceipt.Packet) and a recall names to
//     each organisation the envelope it received.
//   - an honest recipient of a recall deletes the recalled packets that the
//     recalling organisation sent it (no one else's), answers with a recall
//     receipt, and Sync then vacuums the store and truncates its WAL.
//   - attachments: all chunks are sealed and queued in one transaction;
//     chunks left in the outbox are sent by the next Sync; the receiver
//     reassembles by index and checks size and SHA-256; read receipts name
//     an attachment's first chunk only. Options.MaxAttachmentBytes caps a
//     file (DefaultMaxAttachmentBytes, 25 MiB).
//   - on "closed" after a move, an outcome/v1 (fresh id; old and new
//     landlord; month of the move; days from first circulation to the
//     move-in; bedrooms of the accepted offer) goes to every coordinator
//     organisation. Balance counts a home Given by the landlord that housed
//     the household and Received by the household's old landlord; Net is
//     Given - Received. Outcomes are kept in their own table (no case), so
//     shredding cases does not change the balance.
//   - receipts (delivery, read, recall) naming an envelope this device
//     sent in the case to another organisation's mailbox are refused
//     (ErrReceiptMismatch): a recipient vouches only for what it received.
//   - a coordinator refuses an outcome whose receiving organisation is not
//     a landlord, is the sender itself (a nominator is never a candidate),
//     or equals the giving landlord (ErrOutcomeRefused). It cannot tell a
//     nominator from any other organisation beyond that: outcomes carry no
//     case.
//   - an attachment id belongs to the organisation that sent its first
//     chunk; a chunk from anyone else under that id is refused, and so is
//     a chunk of a file over this device's cap (Options.MaxAttachmentBytes);
//     Attachment reassembles only the first sender's chunks.
//   - retention follows the organisation admin's signed policy
//     (crypto.OrgPolicy, see Retention policy); Sync ends with ShredExpired
//     at Options.Now.
//
// # Transparency log
//
// The relay's log verifier key is pinned on first contact (or taken from
// the scheme file's log_key; translog.PinnedKey) and kept, with the newest
// verified checkpoint, as translog.Monitor state in the case store
// (casestore.SaveLogMonitor). On every connection the device: refuses a
// relay announcing another log key; takes the checkpoint of the Directory
// frame and accepts it only with a consistency proof (ProofGet) from the
// one it holds (ErrRollback, ErrSplitView otherwise); and checks that its
// cached entries plus the new ones hash to the signed root before caching
// the new ones. Before sealing to an organisation's devices it proves, by an
// inclusion proof against the checkpoint, each device's organisation
// certificate, device certificate and newest key update (computed from the
// cached record hashes, which the root check above verified). On receipt it
// proves the sender's certificates the same way (else the envelope is
// rejected), and checks the checkpoint the sender signed into the envelope
// (Monitor.PeerProof, a consistency proof from the relay, CheckPeer).
//
// Decisions:
//   - any failure raises an alert (a case-store row, Device.Alerts) and
//     stops all sending, to every organisation, until ResolveAlerts: a
//     relay caught lying about one organisation's keys is not trusted about
//     the others. A failure of the relay's own checkpoints also fails the
//     Sync (receiving stops too); a split view found in a peer's envelope
//     does not reject that envelope, which verified against this device's
//     directory.
//   - a relay that cannot supply a consistency proof for a peer's
//     checkpoint (any protocol error) is treated as showing a split view;
//     a connection lost while asking for it stops the Sync before the
//     envelope is applied or acknowledged, so it is checked when
//     delivered again.
//
// # Key rotation and erasure
//
// On every connection (Sync, sends) the device rotates its encryption key
// when the current one is RotationDays old (Options.Now is the clock):
// DeviceSecrets.Rotate, then the vault is rewritten (atomically, at its own
// work factor), then the key update is published and the directory fetched
// again. The vault is saved before publishing, so that a key the directory
// names is never lost; a saved but unpublished key is published again on the
// next connection (the signature is deterministic). Identities retired more
// than max(grace_days, mailbox_ttl_days) ago are erased (DeviceSecrets.Prune)
// and the vault rewritten, but only once the directory names the device's
// current key. To rewrite the vault, a Device keeps the passphrase it was
// opened with in memory until Close, like the device keys themselves.
// RotateKeys rotates at once ('saferef keys rotate').
//
// # Retention policy
//
// After every directory refresh the device applies its organisation's
// newest signed retention policy (casestore.Store.ApplyRetentionPolicy): the
// first time it sees a policy number, the case store's retention becomes the
// policy's period, shorter or longer than before; after that a user may
// shorten it on one device (SetRetention), never lengthen it beyond the
// policy (ErrRetentionPolicy), and the next policy the admin publishes
// replaces the local choice. With no policy, retention is a local setting.
//
// # Scheme root rotation
//
// HOME/scheme.json stays the anchor the device was enrolled with. Root
// rotations (crypto.SchemeUpdate) arrive in the directory log and are
// replayed, with everything else, from the cached log each time the home is
// opened, so the device's current scheme (Directory().Scheme()) needs no
// other storage; a device offline for months follows every rotation in
// order when it syncs. A device enrolled with a scheme file written after a
// rotation pins the new roots and the history in it.
//
// # Household protection (issue 10)
//
//   - The household's details are entered with the first draft
//     (SendReferral and DraftReferral refuse a new case without them,
//     ErrNoHousehold); sharing_basis may stay empty until release. They are
//     stored sealed in the case and sent sealed to this organisation's other
//     devices only (after the referral, so the colleague knows the case), so
//     that every device of the organisation guards against them. A
//     colleague's copy is told from a release by its empty sharing basis or
//     by its time (before any offer was accepted).
//   - The disclosure guard runs in sendPackets on every packet with
//     anonymous fields unless every recipient is entitled to the
//     household's identity: this organisation, or the landlord the details
//     were released to. Overrides (OverrideGuard) are workflow events local
//     to the organisation's device that recorded them, apply to one match in
//     one case, and are refused for the household's own data.
//   - An offer's district must be an acceptable district of the case's
//     referral and not one to avoid, checked by the landlord before sealing
//     and by the nominator on receipt (ErrOfferDistrict). An offer carries
//     an expiry (SendOffer sets today + DefaultOfferDays when it has none
//     and refuses one in the past; a receiver refuses an offer without one);
//     it stands to the end of that day (UTC) and cannot be accepted after.
//   - Status effective dates are checked by the workflow (in order, not
//     before the case began, at most a day ahead), at the sender and the
//     receiver.
//   - Outcomes: the receiving landlord attests a move when it records
//     moved-in, the nominator when it closes the case; both carry
//     payload.OutcomeToken (case id and nonce, which the coordinator never
//     sees). Balance counts a move once both attestations with the same
//     token and landlords have arrived; checkOutcome refuses an attestation
//     from an organisation not in its role.
//   - Attachments: a chunk index (casestore.Chunk) lets a receiver skip a
//     chunk it already holds, refuse chunks past MaxCaseAttachmentBytes per
//     case or MaxSenderAttachmentBytesPerHour per sending organisation, and
//     open a case without reading chunk bodies (Case lists attachments
//     from the first chunk and the index; Attachment reads the bodies).
//   - A recall that shreds the referral at a candidate landlord closes that
//     landlord's case (stage withdrawn, Case.EndedWhy says why).
//   - A referral whose reference is that of an open case this organisation
//     nominated needs ReferralOptions.Again (ErrDuplicateReference).
//
// # Revocation
//
// A revoked device's connection is refused by the relay; Sync and sends fail
// with ErrDeviceRevoked. Revoked devices are never recipients
// (crypto.Directory.CurrentDevices), and an envelope created at or after
// its sender's revocation is rejected with a plain-words reason wrapping
// crypto.ErrSenderRevoked.
package client
