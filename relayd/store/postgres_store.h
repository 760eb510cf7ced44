#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "relayd/store/store.h"

namespace sotto::relayd {
namespace postgres_detail {
class ConnectionPool;
}

struct PostgresStoreOptions {
  // Connections held open at most; every call borrows one for its duration
  // and waits for one to come back when all are busy. relayd's io threads
  // plus the commit queue rarely need more than eight at once.
  std::size_t pool_size = 8;
};

// The shared Store for several relayd nodes: one PostgreSQL database that
// every node reads and writes at once (DESIGN.md, "Scale-out").
//
// Durability: every connection runs with synchronous_commit = on, so a
// COMMIT returns once its WAL record is flushed on the server: every write is
// durable when the method that made it returns, and sync_writes() has
// nothing left to do.
//
// Several nodes: the guarantees SqliteStore gets from its single writer are
// kept with row and advisory locks instead (see postgres_store.cc): delivery
// ids increase per recipient in commit order, the revocation log's seq in
// commit order, a one-time prekey is handed out once, quotas hold.
//
// Thread-safety: every method may be called from any thread; each borrows a
// connection from the pool. A transaction that loses to another (a
// serialization failure or a deadlock) is run again, a few times.
//
// Failures: store::StoreError. A connection that broke is dropped, and the
// next call opens a new one, so the store works again once the server is
// back (after a restart, say) without being recreated. A connection lost
// during COMMIT leaves the outcome unknown; the error says so.
class PostgresStore final : public Store {
 public:
  // Connects (uri: a libpq connection string or URI; it never appears in an
  // error message, since it may hold a password) and brings the schema up to
  // date (postgres_migrate). Throws store::StoreError, or
  // store::NewerSchemaError for a database written by a newer relayd.
  PostgresStore(const std::string& uri, const PostgresStoreOptions& options);
  explicit PostgresStore(const std::string& uri) : PostgresStore(uri, PostgresStoreOptions{}) {}
  ~PostgresStore() override;

  bool create_user(const UserRecord& user) override;
  CreateUserStatus create_user_with_invite(const UserRecord& user, const Sha256Hash& code_sha256,
                                           std::int64_t now_ms) override;
  bool set_identity(std::string_view username, const IdentityKey& identity) override;
  std::optional<UserRecord> find_user(std::string_view username) override;
  std::vector<UserRecord> list_users() override;
  std::optional<RemovedUser> remove_user(std::string_view username) override;

  bool add_token(const Sha256Hash& token_sha256, std::string_view username, std::string_view device_name,
                 std::int64_t expires_at_ms) override;
  std::optional<TokenRecord> find_token(const Sha256Hash& token_sha256, std::int64_t now_ms) override;
  std::vector<TokenRecord> list_tokens(std::string_view username, std::int64_t now_ms) override;
  bool revoke_token(const Sha256Hash& token_sha256) override;
  std::uint64_t revoke_user_tokens(std::string_view username) override;
  std::optional<std::uint64_t> change_password(std::string_view username, std::string_view password_hash) override;
  std::int64_t last_token_revocation() override;
  std::vector<TokenRevocation> token_revocations_after(std::int64_t after, std::size_t limit) override;

  bool add_invite(const Sha256Hash& code_sha256, std::int64_t expires_at_ms) override;
  bool consume_invite(const Sha256Hash& code_sha256, std::int64_t now_ms) override;

  bool set_signed_prekey(std::string_view username, const SignedPrekey& prekey) override;
  PrekeyUploadResult add_one_time_prekeys(std::string_view username, std::span<const OneTimePrekey> prekeys,
                                          const PrekeyLimits& limits) override;
  std::uint64_t count_one_time_prekeys(std::string_view username) override;
  std::optional<PrekeyBundle> take_bundle(std::string_view username) override;

  std::vector<SendResult> commit_sends(std::span<const PendingSend> sends, const QueueLimits& limits) override;
  BatchResult write_batch(std::span<const PendingSend> sends, std::span<const DeliveryAck> acks,
                          const QueueLimits& limits) override;
  // Nothing to do: write_batch's COMMIT was already durable.
  void sync_writes() override;
  std::vector<QueuedEnvelope> pending(std::string_view recipient, std::int64_t after_delivery_id, std::size_t limit,
                                      std::int64_t now_ms) override;
  std::uint64_t ack_deliveries(std::span<const DeliveryAck> acks) override;
  QueueUsage queue_usage(std::string_view recipient) override;
  std::uint64_t queue_depth() override;
  ExpiryResult expire(std::int64_t now_ms) override;

  BlobBeginStatus begin_blob(std::string_view owner, std::string_view blob_id, std::uint64_t size,
                             const Sha256Hash& sha256, std::int64_t expires_at_ms, const BlobLimits& limits) override;
  std::optional<BlobRecord> blob(std::string_view blob_id) override;
  bool set_blob_received(std::string_view blob_id, std::uint64_t offset, std::int64_t expires_at_ms) override;
  BlobCompleteResult complete_blob(std::string_view blob_id, std::span<const std::string> readers,
                                   std::int64_t expires_at_ms) override;
  bool holds_blob_claim(std::string_view blob_id, std::string_view reader) override;
  std::vector<std::string> blob_readers(std::string_view blob_id) override;
  BlobReleaseStatus release_blob(std::string_view blob_id, std::string_view user, std::int64_t now_ms) override;
  bool remove_blob(std::string_view blob_id) override;
  BlobUsage blob_usage(std::string_view owner) override;

  void export_records(const std::function<void(const DumpRecord&)>& sink) override;
  ImportCounts import_records(const std::function<std::optional<DumpRecord>()>& next) override;

 private:
  std::unique_ptr<postgres_detail::ConnectionPool> pool_;
};

}  // namespace sotto::relayd
