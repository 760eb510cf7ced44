#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>

#include "lib/store/database.h"
#include "lib/store/wal_checkpointer.h"
#include "lib/store/wal_sync.h"
#include "relayd/store/store.h"

namespace sotto::relayd {

struct SqliteStoreOptions {
  // See store::DatabaseOptions::busy_timeout. Only another process (an admin
  // command on the same file) can make this store wait: inside the process,
  // writes are serialised by a mutex before they reach SQLite.
  std::chrono::milliseconds busy_timeout{5000};
  // See store::DatabaseOptions.
  int page_size = 0;
  // Checkpoints (lib/store/wal_checkpointer.h): a thread of the store's own
  // copies the WAL into the main file once wal_checkpoint_pages have been
  // committed since its last copy; a commit that finds the WAL at
  // wal_limit_pages checkpoints itself, which lets the WAL start over.
  //
  // Why not SQLite's automatic checkpoint: it runs on the committing thread,
  // here the group commit's one writer. Every 1,000 pages (every fourth batch
  // at full load) it cost throughput; every 10,000 pages it stalled each
  // envelope behind it for milliseconds (docs/performance.md).
  int wal_checkpoint_pages = 1000;
  int wal_limit_pages = 10000;  // 40 MiB of WAL with 4 KiB pages
  int cache_size_kib = 0;
};

// The embedded Store: one SQLite file in WAL mode; every write is durable
// (survives a power cut) before the method that made it reports it so.
//
// Thread-safety: every method may be called from any thread. The store owns
// three connections. Writes go through two of them, serialised by one mutex
// (SQLite allows one writer at a time anyway): envelope batches and their
// acks (write_batch, commit_sends, ack_deliveries) through one with
// synchronous=NORMAL, made durable by sync_writes() (an fdatasync of the WAL
// that runs without the mutex, so the next batch is written meanwhile);
// everything else through one with synchronous=FULL. Reads that need no
// transaction of their own (find_user, find_token, pending, queue_usage,
// blob, ...) go through a third, query-only connection with its own mutex, so
// that io threads can read while a batch is written. A read sees everything
// committed before it started, which for a batch may be before it is durable.
class SqliteStore final : public Store {
 public:
  // Opens or creates the database file (mode 0600) and applies the schema
  // migrations. Throws store::StoreError, or store::NewerSchemaError for a
  // file written by a newer relayd.
  explicit SqliteStore(const std::filesystem::path& path, const SqliteStoreOptions& options = {});
  ~SqliteStore() override;

  bool create_user(const UserRecord& user) override;
  // Registration by invite as one transaction: the user is created and the
  // invite used up together, or neither (so a taken name wastes no invite).
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
  // Inside a transaction on batch_writer_, with write_mutex_ held.
  std::vector<SendResult> insert_sends(std::span<const PendingSend> sends, const QueueLimits& limits);
  std::uint64_t delete_acks(std::span<const DeliveryAck> acks);

  std::mutex write_mutex_;
  store::Database writer_;             // guarded by write_mutex_; synchronous=FULL
  store::Database batch_writer_;       // guarded by write_mutex_; synchronous=NORMAL
  std::optional<store::WalSync> wal_;  // syncs what batch_writer_ committed; set once the schema is in place
  // Watches writer_ and batch_writer_ (unwatched by the destructor).
  std::optional<store::WalCheckpointer> checkpointer_;
  std::mutex read_mutex_;
  store::Database reader_;  // guarded by read_mutex_; query-only
};

}  // namespace sotto::relayd
