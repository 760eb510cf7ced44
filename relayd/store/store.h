#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/crypto/sha256.h"

namespace sotto::relayd {

// Everything relayd keeps durably, behind an interface so that a PostgreSQL
// backend can replace the embedded SQLite one (SqliteStore).
//
// Conventions for every method:
// - Usernames are already canonical (lib/wire's canonical_username); the
//   store compares them byte for byte.
// - Times are Unix milliseconds passed in by the caller (the store never reads
//   a clock). Something with expires_at_ms <= now_ms has expired.
// - Tokens and invite codes are only ever stored as their SHA-256.
// - Methods return a status for outcomes a client can cause (a taken name, a
//   full queue) and throw (store::StoreError for SQLite) only for failures of
//   the store itself; a method that throws has changed nothing.
// - Implementations are safe to call from several threads at once.

using Sha256Hash = crypto::Sha256Digest;
using MessageId = std::array<std::uint8_t, 16>;

struct IdentityKey {
  crypto::Bytes signing_key;  // Ed25519, 32 bytes
  crypto::Bytes dh_key;       // X25519, 32 bytes
  crypto::Bytes signature;    // Ed25519 over dh_key, 64 bytes
  friend bool operator==(const IdentityKey&, const IdentityKey&) = default;
};

struct UserRecord {
  std::string username;
  std::string password_hash;  // Argon2id PHC string
  IdentityKey identity;
  std::int64_t created_at_ms = 0;
  friend bool operator==(const UserRecord&, const UserRecord&) = default;
};

struct TokenRecord {
  Sha256Hash token_sha256{};  // as stored, for the caller's constant-time comparison
  std::string username;
  std::string device_name;
  std::int64_t expires_at_ms = 0;
  friend bool operator==(const TokenRecord&, const TokenRecord&) = default;
};

struct SignedPrekey {
  std::uint32_t id = 0;
  crypto::Bytes public_key;  // X25519, 32 bytes
  crypto::Bytes signature;   // Ed25519 by the identity key over public_key
  friend bool operator==(const SignedPrekey&, const SignedPrekey&) = default;
};

struct OneTimePrekey {
  std::uint32_t id = 0;
  crypto::Bytes public_key;  // X25519, 32 bytes
  friend bool operator==(const OneTimePrekey&, const OneTimePrekey&) = default;
};

enum class PrekeyUploadStatus {
  Stored,
  UnknownUser,
  // The upload would take the user above PrekeyLimits::max_one_time_prekeys; nothing was stored.
  LimitExceeded,
};

struct PrekeyUploadResult {
  PrekeyUploadStatus status = PrekeyUploadStatus::Stored;
  std::uint64_t stored = 0;  // one-time prekeys held for the user afterwards
};

struct PrekeyLimits {
  // One-time prekeys held per user. Clients upload 100 and top up below 20
  // (DESIGN.md); the cap stops one account from filling the disk with them.
  std::uint64_t max_one_time_prekeys = 1000;
};

struct PrekeyBundle {
  IdentityKey identity;
  SignedPrekey signed_prekey;
  std::optional<OneTimePrekey> one_time_prekey;  // absent when none were left
  std::uint64_t one_time_remaining = 0;          // left after this fetch
};

// ---- envelopes ----

struct PendingSend {
  std::string sender;
  MessageId message_id{};
  std::vector<std::string> recipients;  // the same envelope is queued once for each distinct name
  crypto::Bytes envelope;
  std::int64_t server_time_ms = 0;
  std::int64_t expires_at_ms = 0;
};

struct QueueLimits {
  // Per recipient: envelopes waiting, and the sum of their sizes in bytes.
  std::uint64_t max_envelopes = 0;
  std::uint64_t max_bytes = 0;
};

enum class SendStatus {
  Stored,
  // (sender, message_id) was stored before: nothing was stored again. The
  // result's server_time_ms is the original's, so the ack can be repeated.
  Duplicate,
  // result.recipient names a recipient with no account; nothing was stored.
  UnknownRecipient,
  // result.recipient's queue is at its quota (count or bytes); nothing was stored.
  QueueFull,
};

struct Delivery {
  std::string recipient;
  std::int64_t delivery_id = 0;
  // A store that several relays share: the id drawn for this recipient just
  // before this one (0 when unknown). A session that has pushed it may push
  // this one; one that has not must read the store first. Single-writer
  // stores leave it 0: their completions already come in id order.
  std::int64_t previous_delivery_id = 0;
};

struct SendResult {
  SendStatus status = SendStatus::Stored;
  std::int64_t server_time_ms = 0;
  std::string recipient;             // the offending recipient for UnknownRecipient and QueueFull
  std::vector<Delivery> deliveries;  // for Stored: one per distinct recipient, in the order given
};

struct QueuedEnvelope {
  std::int64_t delivery_id = 0;
  std::string sender;
  MessageId message_id{};
  crypto::Bytes envelope;
  std::int64_t server_time_ms = 0;
  std::int64_t expires_at_ms = 0;
  friend bool operator==(const QueuedEnvelope&, const QueuedEnvelope&) = default;
};

struct DeliveryAck {
  std::string recipient;  // the authenticated user acknowledging
  std::int64_t delivery_id = 0;
};

struct BatchResult {
  std::vector<SendResult> sends;  // one per send, in order
  std::uint64_t acked = 0;        // deliveries deleted
};

struct QueueUsage {
  std::uint64_t envelopes = 0;
  std::uint64_t bytes = 0;
  friend bool operator==(const QueueUsage&, const QueueUsage&) = default;
};

// ---- blobs ----

struct BlobLimits {
  std::uint64_t max_blob_bytes = 0;  // size cap of one blob
  std::uint64_t quota_bytes = 0;     // sum of the sizes of one owner's blobs
};

enum class BlobBeginStatus {
  Started,
  InvalidId,  // not a valid blob id (see blob_id.h)
  IdTaken,    // a blob with this id exists
  UnknownOwner,
  TooLarge,       // size above BlobLimits::max_blob_bytes
  QuotaExceeded,  // the owner's blobs plus this one would exceed BlobLimits::quota_bytes
};

struct BlobRecord {
  std::string id;
  std::string owner;
  std::uint64_t size = 0;
  Sha256Hash sha256{};
  // Bytes received so far, as recorded after they were written to the blob's
  // file: never more than the file holds after a process crash (the resume
  // offset; see relay_session.cc for a power cut).
  std::uint64_t received = 0;
  bool complete = false;
  // An unfinished upload: its last BlobBegin/BlobChunk plus the upload
  // window; a complete blob: its BlobEnd plus the blob TTL.
  std::int64_t expires_at_ms = 0;
  // Completed with readers: only the owner and readers still holding a
  // claim (blob_readers) may fetch it.
  bool restricted = false;
  friend bool operator==(const BlobRecord&, const BlobRecord&) = default;
};

enum class BlobCompleteStatus {
  Completed,
  // No such blob, already complete, or not every byte received; nothing changed.
  NotReady,
  // BlobCompleteResult::reader names no account; nothing changed.
  UnknownReader,
};

struct BlobCompleteResult {
  BlobCompleteStatus status = BlobCompleteStatus::Completed;
  std::string reader;  // for UnknownReader
};

enum class BlobReleaseStatus {
  // No such blob, it has expired, or the caller is neither its owner nor a
  // reader holding a claim; nothing changed.
  NotFound,
  // The caller's claim is gone; other readers still hold theirs.
  ClaimReleased,
  // The blob's row is gone (released by its owner, or by the last reader):
  // the caller deletes its file.
  Removed,
};

struct BlobUsage {
  std::uint64_t blobs = 0;
  std::uint64_t bytes = 0;  // sum of declared sizes, complete or not
  friend bool operator==(const BlobUsage&, const BlobUsage&) = default;
};

// A token that was deleted: revoked, expired, its password changed or its
// account removed. seq orders the log and is never reused.
struct TokenRevocation {
  std::int64_t seq = 0;
  Sha256Hash token_sha256{};
};

struct RemovedUser {
  // Whose files the caller must now delete: the user's own blobs, and blobs
  // of others on which the user held the last claim.
  std::vector<std::string> blob_ids;
};

struct ExpiryResult {
  std::uint64_t envelopes = 0;        // queued deliveries removed
  std::vector<std::string> blob_ids;  // blob rows removed: the caller deletes their files
  std::uint64_t tokens = 0;
  std::uint64_t invites = 0;
};

// --- Moving a relay between backends (relayd export-store / import-store) ---
//
// A store's whole content as a stream of records, with nothing a backend
// derives (queue and blob usage, the revocation log, row ids). Records name
// users by username; a dump lists users first, and the deliveries in
// delivery_id order, so that an importer can apply it in one pass.

struct InviteRecord {
  Sha256Hash code_sha256{};
  std::int64_t expires_at_ms = 0;
  friend bool operator==(const InviteRecord&, const InviteRecord&) = default;
};

struct StoredSignedPrekey {
  std::string username;
  SignedPrekey prekey;
  friend bool operator==(const StoredSignedPrekey&, const StoredSignedPrekey&) = default;
};

struct StoredOneTimePrekey {
  std::string username;
  OneTimePrekey prekey;
  friend bool operator==(const StoredOneTimePrekey&, const StoredOneTimePrekey&) = default;
};

// One queued (envelope, recipient) pair; envelope.delivery_id is kept, so a
// client that reconnects after the move acknowledges what it already had.
struct StoredDelivery {
  std::string recipient;
  QueuedEnvelope envelope;
  friend bool operator==(const StoredDelivery&, const StoredDelivery&) = default;
};

// A blob's row and who may still fetch it (the file itself is moved with the
// blob folder, not in the dump).
struct StoredBlob {
  BlobRecord blob;
  std::vector<std::string> readers;
  friend bool operator==(const StoredBlob&, const StoredBlob&) = default;
};

// The highest delivery id the store has ever handed out, queued or not. The
// importer makes later Sends get ids above it, not only above the deliveries
// still queued: an id a client has already acknowledged must never be handed
// out again, or a repeated DeliverAck for it after the move would delete the
// new envelope unseen (see the deliveries table in sqlite_schema.cc). The
// last record of a dump; a dump without one only keeps ids above the
// imported deliveries.
struct DeliverySequence {
  std::int64_t last_delivery_id = 0;
  friend bool operator==(const DeliverySequence&, const DeliverySequence&) = default;
};

using DumpRecord = std::variant<UserRecord, TokenRecord, InviteRecord, StoredSignedPrekey, StoredOneTimePrekey,
                                StoredDelivery, StoredBlob, DeliverySequence>;

struct ImportCounts {
  std::uint64_t users = 0;
  std::uint64_t tokens = 0;
  std::uint64_t invites = 0;
  std::uint64_t signed_prekeys = 0;
  std::uint64_t one_time_prekeys = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t blobs = 0;
  friend bool operator==(const ImportCounts&, const ImportCounts&) = default;
};

enum class CreateUserStatus { Created, UsernameTaken, InvalidInvite };

class Store {
 public:
  virtual ~Store();
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // ---- users ----
  // False if the username is taken.
  virtual bool create_user(const UserRecord& user) = 0;
  // Consumes a valid, unexpired invite and creates the user in one
  // transaction: a taken name does not use the invite up.
  virtual CreateUserStatus create_user_with_invite(const UserRecord& user, const Sha256Hash& code_sha256,
                                                   std::int64_t now_ms) = 0;
  // Sets the identity of an account that has none yet (one made by
  // "relayd user add"). False if the account is unknown or already has one:
  // an identity key is never replaced through this call.
  virtual bool set_identity(std::string_view username, const IdentityKey& identity) = 0;
  virtual std::optional<UserRecord> find_user(std::string_view username) = 0;
  // Every user, ordered by username.
  virtual std::vector<UserRecord> list_users() = 0;
  // Removes the account with its tokens, prekeys, queued envelopes (to it),
  // blob rows and claims on others' blobs (a blob whose last claim this was is
  // removed, as if the user had released it). Envelopes it sent to others
  // stay queued for them.
  // nullopt if there was no such user.
  virtual std::optional<RemovedUser> remove_user(std::string_view username) = 0;

  // ---- tokens ----
  // False if the user does not exist or the hash is already stored.
  virtual bool add_token(const Sha256Hash& token_sha256, std::string_view username, std::string_view device_name,
                         std::int64_t expires_at_ms) = 0;
  // The token if it exists and has not expired. A revoked token is deleted,
  // so it is not found either.
  virtual std::optional<TokenRecord> find_token(const Sha256Hash& token_sha256, std::int64_t now_ms) = 0;
  // The user's unexpired tokens, soonest expiry first (for `relayd user list`).
  virtual std::vector<TokenRecord> list_tokens(std::string_view username, std::int64_t now_ms) = 0;
  // False if no such token.
  virtual bool revoke_token(const Sha256Hash& token_sha256) = 0;
  // How many tokens were revoked.
  virtual std::uint64_t revoke_user_tokens(std::string_view username) = 0;
  // Replaces the password hash and revokes every token of the account in one
  // transaction. nullopt if there is no such user, else how many tokens went.
  virtual std::optional<std::uint64_t> change_password(std::string_view username, std::string_view password_hash) = 0;

  // ---- the revocation log ----
  // Every deleted token is logged, whichever process deleted it, so that a
  // running relay can close the connections authenticated with it.
  // The newest entry's seq (0 when the log is empty): a relay watches from there.
  virtual std::int64_t last_token_revocation() = 0;
  // Entries with seq > after, oldest first, at most limit of them.
  virtual std::vector<TokenRevocation> token_revocations_after(std::int64_t after, std::size_t limit) = 0;

  // ---- invites ----
  // False if the code is already stored.
  virtual bool add_invite(const Sha256Hash& code_sha256, std::int64_t expires_at_ms) = 0;
  // True exactly once for an unexpired code; the code is used up.
  virtual bool consume_invite(const Sha256Hash& code_sha256, std::int64_t now_ms) = 0;

  // ---- prekeys ----
  // Replaces the user's signed prekey. False if the user does not exist.
  virtual bool set_signed_prekey(std::string_view username, const SignedPrekey& prekey) = 0;
  // Adds one-time prekeys; one with an id already held replaces the old one.
  virtual PrekeyUploadResult add_one_time_prekeys(std::string_view username, std::span<const OneTimePrekey> prekeys,
                                                  const PrekeyLimits& limits) = 0;
  virtual std::uint64_t count_one_time_prekeys(std::string_view username) = 0;
  // The user's bundle. Hands out each one-time prekey at most once, even to
  // concurrent callers (it is deleted in the same transaction that reads it),
  // and falls back to the signed prekey alone when none are left. nullopt if
  // the user does not exist or has not published a signed prekey yet (then
  // no one-time prekey is used up).
  virtual std::optional<PrekeyBundle> take_bundle(std::string_view username) = 0;

  // ---- envelopes ----
  // Stores a batch of sends in ONE transaction (group commit: one fsync for
  // the whole batch) and returns one result per send, in order. Each send is
  // all or nothing (see SendStatus). Quotas count what earlier sends of the
  // same batch added. Delivery ids only ever increase and are never reused.
  // The same as write_batch(sends, {}, limits) followed by sync_writes().
  virtual std::vector<SendResult> commit_sends(std::span<const PendingSend> sends, const QueueLimits& limits) = 0;

  // Group commit in two steps, so that one batch can be written while the
  // one before it is being made durable (relayd's CommitQueue pipelines them).
  // write_batch stores the sends as commit_sends does and deletes the
  // acknowledged deliveries as ack_deliveries does, all in ONE transaction.
  // What it wrote is visible to readers at once but is durable only once a
  // sync_writes() that started after write_batch returned has returned.
  virtual BatchResult write_batch(std::span<const PendingSend> sends, std::span<const DeliveryAck> acks,
                                  const QueueLimits& limits) = 0;
  // Returns once every write_batch that returned before this call is durable
  // (survives a power cut). Safe to call from another thread while
  // write_batch runs. Throws if durability cannot be guaranteed: then those
  // batches must not be reported durable.
  virtual void sync_writes() = 0;
  // Up to `limit` unexpired envelopes for the recipient with delivery_id >
  // after_delivery_id, in delivery_id order.
  virtual std::vector<QueuedEnvelope> pending(std::string_view recipient, std::int64_t after_delivery_id,
                                              std::size_t limit, std::int64_t now_ms) = 0;
  // Deletes acknowledged deliveries in one transaction. A row is deleted only
  // if it belongs to the acknowledging recipient. Returns how many were deleted.
  virtual std::uint64_t ack_deliveries(std::span<const DeliveryAck> acks) = 0;
  // Zero for an unknown user.
  virtual QueueUsage queue_usage(std::string_view recipient) = 0;
  // Deliveries queued for everyone.
  virtual std::uint64_t queue_depth() = 0;
  // Removes expired envelopes (with their idempotency records), tokens,
  // invites and blob rows in one transaction. Run it often (every minute,
  // say) so that each run stays small: the transaction holds the write lock.
  virtual ExpiryResult expire(std::int64_t now_ms) = 0;

  // ---- blobs (rows only; BlobFiles holds the bytes) ----
  virtual BlobBeginStatus begin_blob(std::string_view owner, std::string_view blob_id, std::uint64_t size,
                                     const Sha256Hash& sha256, std::int64_t expires_at_ms,
                                     const BlobLimits& limits) = 0;
  virtual std::optional<BlobRecord> blob(std::string_view blob_id) = 0;
  // Records the bytes received so far and the upload's new expiry, in one
  // statement (one write per chunk). False if the blob does not exist, is
  // complete, or offset exceeds its size.
  virtual bool set_blob_received(std::string_view blob_id, std::uint64_t offset, std::int64_t expires_at_ms) = 0;
  // In one transaction: marks the blob complete, sets its expiry, and gives
  // each reader (canonical names) a claim; with readers the blob becomes
  // restricted. NotReady unless it exists, is not complete yet and
  // received == size: a complete blob's readers never change.
  virtual BlobCompleteResult complete_blob(std::string_view blob_id, std::span<const std::string> readers,
                                           std::int64_t expires_at_ms) = 0;
  // Whether reader holds a claim on the blob (was listed at completion and
  // has not released it).
  virtual bool holds_blob_claim(std::string_view blob_id, std::string_view reader) = 0;
  // The readers still holding a claim, ordered by name.
  virtual std::vector<std::string> blob_readers(std::string_view blob_id) = 0;
  // BlobRelease by `user` at now_ms, in one transaction: the owner removes
  // the blob (complete or not); a reader holding a claim gives it up, and the
  // blob is removed with the last claim. See BlobReleaseStatus.
  virtual BlobReleaseStatus release_blob(std::string_view blob_id, std::string_view user, std::int64_t now_ms) = 0;
  // False if no such blob.
  virtual bool remove_blob(std::string_view blob_id) = 0;
  virtual BlobUsage blob_usage(std::string_view owner) = 0;

  // Every record (see DumpRecord), users first, deliveries in delivery_id
  // order, the DeliverySequence last, from one consistent snapshot.
  virtual void export_records(const std::function<void(const DumpRecord&)>& sink) = 0;
  // Loads a dump into this store, which must hold no user, in one
  // transaction: all of it or (on any exception) nothing. next() returns the
  // records in export order and nullopt at the end. Throws store::StoreError
  // for a non-empty store or a record that does not fit (a token, prekey or
  // delivery of an unknown user, a duplicate). Later Sends get delivery ids
  // above every imported one and above the dump's DeliverySequence.
  virtual ImportCounts import_records(const std::function<std::optional<DumpRecord>()>& next) = 0;
};

}  // namespace sotto::relayd
