#include "relayd/store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "lib/store/migrations.h"
#include "lib/store/store_error.h"
#include "lib/store/transaction.h"
#include "relayd/store/blob_id.h"
#include "relayd/store/sqlite_schema.h"

namespace sotto::relayd {
namespace {

using store::CachedStatement;
using store::Database;
using store::StepResult;
using store::StoreError;
using store::Transaction;

// How long deleted tokens stay in the revocation log: far longer than a
// running relay takes to read them, which is what they are for.
constexpr std::int64_t kRevocationLogKeepMs = 60 * 60 * 1000;

// A fixed-size column (a hash, a message id). The schema's CHECKs guarantee
// the length; a mismatch means the file was damaged or edited by hand.
template <std::size_t N>
std::array<std::uint8_t, N> fixed_blob(const store::Statement& statement, int column) {
  const auto bytes = statement.column_blob(column);
  if (bytes.size() != N) {
    throw StoreError("column " + std::to_string(column) + " of \"" + std::string(statement.sql().substr(0, 80)) +
                         "\" holds " + std::to_string(bytes.size()) + " bytes, expected " + std::to_string(N),
                     SQLITE_CORRUPT);
  }
  std::array<std::uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

std::uint64_t to_u64(std::int64_t value) { return value < 0 ? 0 : static_cast<std::uint64_t>(value); }

std::optional<std::int64_t> user_id(Database& db, std::string_view username) {
  auto find = db.cached("SELECT id FROM users WHERE username = ?");
  find->bind(1, username);
  if (find->step() != StepResult::Row) return std::nullopt;
  return find->column_int64(0);
}

// A row of (username, password_hash, signing_key, dh_key, identity_signature, created_at_ms).
UserRecord read_user(const store::Statement& row) {
  UserRecord user;
  user.username = row.column_text(0);
  user.password_hash = row.column_text(1);
  user.identity.signing_key = row.column_blob(2);
  user.identity.dh_key = row.column_blob(3);
  user.identity.signature = row.column_blob(4);
  user.created_at_ms = row.column_int64(5);
  return user;
}

// Inserts the user; false if the name is taken. Caller holds the write lock.
bool insert_user(Database& db, const UserRecord& user) {
  auto insert = db.cached(
      "INSERT INTO users (username, password_hash, signing_key, dh_key, identity_signature, created_at_ms) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING");
  insert->bind(1, user.username);
  insert->bind(2, user.password_hash);
  insert->bind(3, user.identity.signing_key);
  insert->bind(4, user.identity.dh_key);
  insert->bind(5, user.identity.signature);
  insert->bind(6, user.created_at_ms);
  insert->step();
  return db.changes() == 1;
}

}  // namespace

SqliteStore::SqliteStore(const std::filesystem::path& path, const SqliteStoreOptions& options)
    : writer_(path, store::DatabaseOptions{.busy_timeout = options.busy_timeout,
                                           .page_size = options.page_size,
                                           .cache_size_kib = options.cache_size_kib}),
      batch_writer_(path, store::DatabaseOptions{.busy_timeout = options.busy_timeout,
                                                 .cache_size_kib = options.cache_size_kib,
                                                 .sync_on_commit = false}),
      reader_(path, store::DatabaseOptions{.busy_timeout = options.busy_timeout, .query_only = true}) {
  store::migrate(writer_, sqlite_store_migrations());
  // The migration has opened the -wal file (any read in WAL mode does).
  wal_.emplace(path);
  checkpointer_.emplace(path, options.wal_checkpoint_pages, options.wal_limit_pages);
  checkpointer_->watch(writer_);
  checkpointer_->watch(batch_writer_);
}

SqliteStore::~SqliteStore() {
  // The connections outlive the checkpointer (declared before it), and their
  // hooks point at it.
  checkpointer_->unwatch(batch_writer_);
  checkpointer_->unwatch(writer_);
}

// ---- users ----

bool SqliteStore::create_user(const UserRecord& user) {
  const std::lock_guard lock(write_mutex_);
  return insert_user(writer_, user);
}

CreateUserStatus SqliteStore::create_user_with_invite(const UserRecord& user, const Sha256Hash& code_sha256,
                                                      std::int64_t now_ms) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  {
    auto consume = writer_.cached("DELETE FROM invites WHERE code_sha256 = ? AND expires_at_ms > ?");
    consume->bind(1, code_sha256);
    consume->bind(2, now_ms);
    consume->step();
  }
  if (writer_.changes() != 1) return CreateUserStatus::InvalidInvite;
  if (!insert_user(writer_, user)) return CreateUserStatus::UsernameTaken;  // rolls the invite back
  transaction.commit();
  return CreateUserStatus::Created;
}

bool SqliteStore::set_identity(std::string_view username, const IdentityKey& identity) {
  const std::lock_guard lock(write_mutex_);
  auto update = writer_.cached(
      "UPDATE users SET signing_key = ?, dh_key = ?, identity_signature = ? "
      "WHERE username = ? AND length(signing_key) = 0");
  update->bind(1, std::span<const std::uint8_t>(identity.signing_key));
  update->bind(2, std::span<const std::uint8_t>(identity.dh_key));
  update->bind(3, std::span<const std::uint8_t>(identity.signature));
  update->bind(4, username);
  update->step();
  return writer_.changes() == 1;
}

std::optional<UserRecord> SqliteStore::find_user(std::string_view username) {
  const std::lock_guard lock(read_mutex_);
  auto find = reader_.cached(
      "SELECT username, password_hash, signing_key, dh_key, identity_signature, created_at_ms FROM users "
      "WHERE username = ?");
  find->bind(1, username);
  if (find->step() != StepResult::Row) return std::nullopt;
  return read_user(*find);
}

std::vector<UserRecord> SqliteStore::list_users() {
  const std::lock_guard lock(read_mutex_);
  auto list = reader_.cached(
      "SELECT username, password_hash, signing_key, dh_key, identity_signature, created_at_ms FROM users "
      "ORDER BY username");
  std::vector<UserRecord> users;
  while (list->step() == StepResult::Row) users.push_back(read_user(*list));
  return users;
}

std::optional<RemovedUser> SqliteStore::remove_user(std::string_view username) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  const auto id = user_id(writer_, username);
  if (!id) return std::nullopt;
  RemovedUser removed;
  {
    auto blobs = writer_.cached("SELECT blob_id FROM blobs WHERE owner_id = ? ORDER BY blob_id");
    blobs->bind(1, *id);
    while (blobs->step() == StepResult::Row) removed.blob_ids.push_back(blobs->column_text(0));
  }
  {
    // Others' blobs on which this user holds the last claim go as if the
    // user had released them; the other claims follow by ON DELETE CASCADE.
    auto last = writer_.cached(
        "DELETE FROM blobs WHERE blob_id IN (SELECT r.blob_id FROM blob_readers r WHERE r.reader_id = ?1 "
        "AND NOT EXISTS (SELECT 1 FROM blob_readers o WHERE o.blob_id = r.blob_id AND o.reader_id != ?1)) "
        "RETURNING blob_id");
    last->bind(1, *id);
    while (last->step() == StepResult::Row) removed.blob_ids.push_back(last->column_text(0));
    std::sort(removed.blob_ids.begin(), removed.blob_ids.end());
  }
  {
    // Tokens, prekeys, queued deliveries, blob rows and the queue totals
    // follow by ON DELETE CASCADE.
    auto remove = writer_.cached("DELETE FROM users WHERE id = ?");
    remove->bind(1, *id);
    remove->step();
  }
  transaction.commit();
  return removed;
}

// ---- tokens ----

bool SqliteStore::add_token(const Sha256Hash& token_sha256, std::string_view username, std::string_view device_name,
                            std::int64_t expires_at_ms) {
  const std::lock_guard lock(write_mutex_);
  auto insert = writer_.cached(
      "INSERT INTO tokens (token_sha256, user_id, device_name, expires_at_ms) "
      "SELECT ?, id, ?, ? FROM users WHERE username = ? ON CONFLICT DO NOTHING");
  insert->bind(1, token_sha256);
  insert->bind(2, device_name);
  insert->bind(3, expires_at_ms);
  insert->bind(4, username);
  insert->step();
  return writer_.changes() == 1;
}

std::optional<TokenRecord> SqliteStore::find_token(const Sha256Hash& token_sha256, std::int64_t now_ms) {
  const std::lock_guard lock(read_mutex_);
  auto find = reader_.cached(
      "SELECT t.token_sha256, u.username, t.device_name, t.expires_at_ms FROM tokens t "
      "JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = ? AND t.expires_at_ms > ?");
  find->bind(1, token_sha256);
  find->bind(2, now_ms);
  if (find->step() != StepResult::Row) return std::nullopt;
  return TokenRecord{fixed_blob<32>(*find, 0), find->column_text(1), find->column_text(2), find->column_int64(3)};
}

std::vector<TokenRecord> SqliteStore::list_tokens(std::string_view username, std::int64_t now_ms) {
  const std::lock_guard lock(read_mutex_);
  auto list = reader_.cached(
      "SELECT t.token_sha256, t.device_name, t.expires_at_ms FROM tokens t "
      "WHERE t.user_id = (SELECT id FROM users WHERE username = ?) AND t.expires_at_ms > ? "
      "ORDER BY t.expires_at_ms, t.token_sha256");
  list->bind(1, username);
  list->bind(2, now_ms);
  std::vector<TokenRecord> tokens;
  while (list->step() == StepResult::Row) {
    tokens.push_back(
        TokenRecord{fixed_blob<32>(*list, 0), std::string(username), list->column_text(1), list->column_int64(2)});
  }
  return tokens;
}

bool SqliteStore::revoke_token(const Sha256Hash& token_sha256) {
  const std::lock_guard lock(write_mutex_);
  auto remove = writer_.cached("DELETE FROM tokens WHERE token_sha256 = ?");
  remove->bind(1, token_sha256);
  remove->step();
  return writer_.changes() == 1;
}

std::uint64_t SqliteStore::revoke_user_tokens(std::string_view username) {
  const std::lock_guard lock(write_mutex_);
  auto remove = writer_.cached("DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE username = ?)");
  remove->bind(1, username);
  remove->step();
  return to_u64(writer_.changes());
}

std::optional<std::uint64_t> SqliteStore::change_password(std::string_view username, std::string_view password_hash) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  auto update = writer_.cached("UPDATE users SET password_hash = ? WHERE username = ?");
  update->bind(1, password_hash);
  update->bind(2, username);
  update->step();
  if (writer_.changes() != 1) return std::nullopt;
  auto remove = writer_.cached("DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE username = ?)");
  remove->bind(1, username);
  remove->step();
  const auto revoked = to_u64(writer_.changes());
  transaction.commit();
  return revoked;
}

std::int64_t SqliteStore::last_token_revocation() {
  const std::lock_guard lock(read_mutex_);
  auto newest = reader_.cached("SELECT coalesce(max(seq), 0) FROM token_revocations");
  newest->step();
  return newest->column_int64(0);
}

std::vector<TokenRevocation> SqliteStore::token_revocations_after(std::int64_t after, std::size_t limit) {
  const std::lock_guard lock(read_mutex_);
  auto list = reader_.cached("SELECT seq, token_sha256 FROM token_revocations WHERE seq > ? ORDER BY seq LIMIT ?");
  list->bind(1, after);
  list->bind(2, static_cast<std::int64_t>(limit));
  std::vector<TokenRevocation> revocations;
  while (list->step() == StepResult::Row)
    revocations.push_back(TokenRevocation{list->column_int64(0), fixed_blob<32>(*list, 1)});
  return revocations;
}

// ---- invites ----

bool SqliteStore::add_invite(const Sha256Hash& code_sha256, std::int64_t expires_at_ms) {
  const std::lock_guard lock(write_mutex_);
  auto insert = writer_.cached("INSERT INTO invites (code_sha256, expires_at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING");
  insert->bind(1, code_sha256);
  insert->bind(2, expires_at_ms);
  insert->step();
  return writer_.changes() == 1;
}

bool SqliteStore::consume_invite(const Sha256Hash& code_sha256, std::int64_t now_ms) {
  const std::lock_guard lock(write_mutex_);
  // One statement under the write lock: two callers cannot both see the row.
  auto consume = writer_.cached("DELETE FROM invites WHERE code_sha256 = ? AND expires_at_ms > ?");
  consume->bind(1, code_sha256);
  consume->bind(2, now_ms);
  consume->step();
  return writer_.changes() == 1;
}

// ---- prekeys ----

bool SqliteStore::set_signed_prekey(std::string_view username, const SignedPrekey& prekey) {
  const std::lock_guard lock(write_mutex_);
  auto upsert = writer_.cached(
      "INSERT INTO signed_prekeys (user_id, prekey_id, public_key, signature) "
      "SELECT id, ?, ?, ? FROM users WHERE username = ? "
      "ON CONFLICT (user_id) DO UPDATE SET prekey_id = excluded.prekey_id, public_key = excluded.public_key, "
      "signature = excluded.signature");
  upsert->bind(1, prekey.id);
  upsert->bind(2, prekey.public_key);
  upsert->bind(3, prekey.signature);
  upsert->bind(4, username);
  upsert->step();
  return writer_.changes() == 1;
}

PrekeyUploadResult SqliteStore::add_one_time_prekeys(std::string_view username, std::span<const OneTimePrekey> prekeys,
                                                     const PrekeyLimits& limits) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  const auto id = user_id(writer_, username);
  if (!id) return {PrekeyUploadStatus::UnknownUser, 0};

  const auto count = [&] {
    auto select = writer_.cached("SELECT count(*) FROM one_time_prekeys WHERE user_id = ?");
    select->bind(1, *id);
    select->step();
    return to_u64(select->column_int64(0));
  };
  const std::uint64_t before = count();
  for (const OneTimePrekey& prekey : prekeys) {
    auto upsert = writer_.cached(
        "INSERT INTO one_time_prekeys (user_id, prekey_id, public_key) VALUES (?, ?, ?) "
        "ON CONFLICT (user_id, prekey_id) DO UPDATE SET public_key = excluded.public_key");
    upsert->bind(1, *id);
    upsert->bind(2, prekey.id);
    upsert->bind(3, prekey.public_key);
    upsert->step();
  }
  // Counting after the upserts handles replaced ids and repeats within the
  // upload exactly; over the cap, the transaction is rolled back whole.
  const std::uint64_t after = count();
  if (after > limits.max_one_time_prekeys) return {PrekeyUploadStatus::LimitExceeded, before};
  transaction.commit();
  return {PrekeyUploadStatus::Stored, after};
}

std::uint64_t SqliteStore::count_one_time_prekeys(std::string_view username) {
  const std::lock_guard lock(read_mutex_);
  auto select =
      reader_.cached("SELECT count(*) FROM one_time_prekeys WHERE user_id = (SELECT id FROM users WHERE username = ?)");
  select->bind(1, username);
  select->step();
  return to_u64(select->column_int64(0));
}

std::optional<PrekeyBundle> SqliteStore::take_bundle(std::string_view username) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  PrekeyBundle bundle;
  std::int64_t id = 0;
  {
    auto user = writer_.cached("SELECT id, signing_key, dh_key, identity_signature FROM users WHERE username = ?");
    user->bind(1, username);
    if (user->step() != StepResult::Row) return std::nullopt;
    id = user->column_int64(0);
    bundle.identity = IdentityKey{user->column_blob(1), user->column_blob(2), user->column_blob(3)};
  }
  {
    auto signed_prekey =
        writer_.cached("SELECT prekey_id, public_key, signature FROM signed_prekeys WHERE user_id = ?");
    signed_prekey->bind(1, id);
    if (signed_prekey->step() != StepResult::Row) return std::nullopt;
    bundle.signed_prekey = SignedPrekey{static_cast<std::uint32_t>(signed_prekey->column_int64(0)),
                                        signed_prekey->column_blob(1), signed_prekey->column_blob(2)};
  }
  {
    // Read and delete in one statement inside the write transaction: no
    // other caller can be handed the same key.
    auto take = writer_.cached(
        "DELETE FROM one_time_prekeys WHERE user_id = ?1 AND prekey_id = "
        "(SELECT prekey_id FROM one_time_prekeys WHERE user_id = ?1 ORDER BY prekey_id LIMIT 1) "
        "RETURNING prekey_id, public_key");
    take->bind(1, id);
    if (take->step() == StepResult::Row) {
      bundle.one_time_prekey = OneTimePrekey{static_cast<std::uint32_t>(take->column_int64(0)), take->column_blob(1)};
      take->step();  // finish the statement; RETURNING yields one row here
    }
  }
  {
    auto remaining = writer_.cached("SELECT count(*) FROM one_time_prekeys WHERE user_id = ?");
    remaining->bind(1, id);
    remaining->step();
    bundle.one_time_remaining = to_u64(remaining->column_int64(0));
  }
  transaction.commit();
  return bundle;
}

// ---- envelopes ----

std::vector<SendResult> SqliteStore::commit_sends(std::span<const PendingSend> sends, const QueueLimits& limits) {
  auto results = write_batch(sends, {}, limits).sends;
  sync_writes();
  return results;
}

BatchResult SqliteStore::write_batch(std::span<const PendingSend> sends, std::span<const DeliveryAck> acks,
                                     const QueueLimits& limits) {
  BatchResult result;
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(batch_writer_);
  // Deletes first: a queue slot an ack frees is free for the sends.
  if (!acks.empty()) result.acked = delete_acks(acks);
  if (!sends.empty()) result.sends = insert_sends(sends, limits);
  transaction.commit();
  return result;
}

void SqliteStore::sync_writes() { wal_->sync(); }

std::vector<SendResult> SqliteStore::insert_sends(std::span<const PendingSend> sends, const QueueLimits& limits) {
  struct Usage {
    std::uint64_t envelopes = 0;
    std::uint64_t bytes = 0;
    std::uint64_t added_envelopes = 0;
    std::uint64_t added_bytes = 0;
  };
  struct Target {
    const std::string* name;
    std::int64_t id;
  };

  std::vector<SendResult> results;
  results.reserve(sends.size());
  store::Database& db = batch_writer_;

  // Queue totals of the recipients this batch touches, read once and then
  // kept up to date in memory, so later sends see what earlier ones added.
  std::unordered_map<std::int64_t, Usage> usage;
  const auto usage_of = [&](std::int64_t id) -> Usage& {
    auto it = usage.find(id);
    if (it != usage.end()) return it->second;
    auto select = db.cached("SELECT envelopes, bytes FROM queue_usage WHERE user_id = ?");
    select->bind(1, id);
    Usage loaded;
    if (select->step() == StepResult::Row) {
      loaded.envelopes = to_u64(select->column_int64(0));
      loaded.bytes = to_u64(select->column_int64(1));
    }
    return usage.emplace(id, loaded).first->second;
  };

  // Recipient ids, looked up once per batch: under load a batch holds many
  // sends to the same few hundred users.
  std::unordered_map<std::string_view, std::optional<std::int64_t>> ids;
  const auto id_of = [&](const std::string& name) {
    auto it = ids.find(name);
    if (it == ids.end()) it = ids.emplace(name, user_id(db, name)).first;
    return it->second;
  };

  std::vector<Target> targets;
  std::unordered_set<std::string_view> seen;
  for (const PendingSend& send : sends) {
    SendResult& result = results.emplace_back();
    result.server_time_ms = send.server_time_ms;

    {
      auto duplicate = db.cached("SELECT server_time_ms FROM messages WHERE sender = ? AND message_id = ?");
      duplicate->bind(1, send.sender);
      duplicate->bind(2, send.message_id);
      if (duplicate->step() == StepResult::Row) {
        result.status = SendStatus::Duplicate;
        result.server_time_ms = duplicate->column_int64(0);
        continue;
      }
    }

    targets.clear();
    seen.clear();
    for (const std::string& name : send.recipients) {
      if (!seen.insert(name).second) continue;
      const auto id = id_of(name);
      if (!id) {
        result.status = SendStatus::UnknownRecipient;
        result.recipient = name;
        break;
      }
      targets.push_back({&name, *id});
    }
    if (result.status != SendStatus::Stored) continue;

    const std::uint64_t size = send.envelope.size();
    for (const Target& target : targets) {
      const Usage& current = usage_of(target.id);
      if (current.envelopes + 1 > limits.max_envelopes || current.bytes + size > limits.max_bytes) {
        result.status = SendStatus::QueueFull;
        result.recipient = *target.name;
        break;
      }
    }
    if (result.status != SendStatus::Stored) continue;

    std::int64_t message_row = 0;
    {
      auto insert = db.cached(
          "INSERT INTO messages (sender, message_id, envelope, envelope_size, server_time_ms, expires_at_ms, pending) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)");
      insert->bind(1, send.sender);
      insert->bind(2, send.message_id);
      if (targets.empty()) {
        insert->bind_null(3);  // nobody to deliver to: keep only the idempotency record
      } else {
        insert->bind(3, send.envelope);
      }
      insert->bind(4, size);
      insert->bind(5, send.server_time_ms);
      insert->bind(6, send.expires_at_ms);
      insert->bind(7, targets.size());
      insert->step();
      message_row = db.last_insert_rowid();
    }
    result.deliveries.reserve(targets.size());
    for (const Target& target : targets) {
      auto insert = db.cached("INSERT INTO deliveries (recipient_id, message_row, envelope_size) VALUES (?, ?, ?)");
      insert->bind(1, target.id);
      insert->bind(2, message_row);
      insert->bind(3, size);
      insert->step();
      result.deliveries.push_back({*target.name, db.last_insert_rowid()});
      Usage& changed = usage_of(target.id);
      changed.envelopes += 1;
      changed.bytes += size;
      changed.added_envelopes += 1;
      changed.added_bytes += size;
    }
  }

  for (const auto& [id, changed] : usage) {
    if (changed.added_envelopes == 0) continue;
    auto update = db.cached("UPDATE queue_usage SET envelopes = envelopes + ?, bytes = bytes + ? WHERE user_id = ?");
    update->bind(1, changed.added_envelopes);
    update->bind(2, changed.added_bytes);
    update->bind(3, id);
    update->step();
  }
  return results;
}

std::vector<QueuedEnvelope> SqliteStore::pending(std::string_view recipient, std::int64_t after_delivery_id,
                                                 std::size_t limit, std::int64_t now_ms) {
  const std::lock_guard lock(read_mutex_);
  auto select = reader_.cached(
      "SELECT d.delivery_id, m.sender, m.message_id, m.envelope, m.server_time_ms, m.expires_at_ms "
      "FROM deliveries d JOIN messages m ON m.id = d.message_row "
      "WHERE d.recipient_id = (SELECT id FROM users WHERE username = ?) AND d.delivery_id > ? "
      "AND m.expires_at_ms > ? ORDER BY d.delivery_id LIMIT ?");
  select->bind(1, recipient);
  select->bind(2, after_delivery_id);
  select->bind(3, now_ms);
  select->bind(4, std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())));
  std::vector<QueuedEnvelope> envelopes;
  while (select->step() == StepResult::Row) {
    envelopes.push_back(QueuedEnvelope{select->column_int64(0), select->column_text(1), fixed_blob<16>(*select, 2),
                                       select->column_blob(3), select->column_int64(4), select->column_int64(5)});
  }
  return envelopes;
}

std::uint64_t SqliteStore::ack_deliveries(std::span<const DeliveryAck> acks) {
  const std::uint64_t deleted = write_batch({}, acks, {}).acked;
  sync_writes();
  return deleted;
}

std::uint64_t SqliteStore::delete_acks(std::span<const DeliveryAck> acks) {
  store::Database& db = batch_writer_;
  std::unordered_map<std::string_view, std::optional<std::int64_t>> recipients;
  std::uint64_t deleted = 0;
  for (const DeliveryAck& ack : acks) {
    auto it = recipients.find(ack.recipient);
    if (it == recipients.end()) it = recipients.emplace(ack.recipient, user_id(db, ack.recipient)).first;
    if (!it->second) continue;
    // The recipient condition is what stops one user deleting another's envelopes.
    auto remove = db.cached("DELETE FROM deliveries WHERE delivery_id = ? AND recipient_id = ?");
    remove->bind(1, ack.delivery_id);
    remove->bind(2, *it->second);
    remove->step();
    deleted += to_u64(db.changes());
  }
  return deleted;
}

QueueUsage SqliteStore::queue_usage(std::string_view recipient) {
  const std::lock_guard lock(read_mutex_);
  auto select = reader_.cached(
      "SELECT q.envelopes, q.bytes FROM queue_usage q JOIN users u ON u.id = q.user_id WHERE u.username = ?");
  select->bind(1, recipient);
  if (select->step() != StepResult::Row) return {};
  return {to_u64(select->column_int64(0)), to_u64(select->column_int64(1))};
}

std::uint64_t SqliteStore::queue_depth() {
  const std::lock_guard lock(read_mutex_);
  // One row per user rather than one per envelope.
  auto select = reader_.cached("SELECT coalesce(sum(envelopes), 0) FROM queue_usage");
  select->step();
  return to_u64(select->column_int64(0));
}

ExpiryResult SqliteStore::expire(std::int64_t now_ms) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  ExpiryResult result;
  {
    // `pending` is exactly the number of deliveries still queued per message.
    auto count = writer_.cached("SELECT coalesce(sum(pending), 0) FROM messages WHERE expires_at_ms <= ?");
    count->bind(1, now_ms);
    count->step();
    result.envelopes = to_u64(count->column_int64(0));
  }
  {
    // The deliveries follow by ON DELETE CASCADE, and the trigger gives
    // their bytes back to each recipient's queue total.
    auto remove = writer_.cached("DELETE FROM messages WHERE expires_at_ms <= ?");
    remove->bind(1, now_ms);
    remove->step();
  }
  {
    auto remove = writer_.cached("DELETE FROM tokens WHERE expires_at_ms <= ?");
    remove->bind(1, now_ms);
    remove->step();
    result.tokens = to_u64(writer_.changes());
  }
  {
    // Every running relay has read these long ago (see kVersion3).
    auto remove = writer_.cached("DELETE FROM token_revocations WHERE revoked_at_ms <= ?");
    remove->bind(1, now_ms - kRevocationLogKeepMs);
    remove->step();
  }
  {
    auto remove = writer_.cached("DELETE FROM invites WHERE expires_at_ms <= ?");
    remove->bind(1, now_ms);
    remove->step();
    result.invites = to_u64(writer_.changes());
  }
  {
    auto remove = writer_.cached("DELETE FROM blobs WHERE expires_at_ms <= ? RETURNING blob_id");
    remove->bind(1, now_ms);
    while (remove->step() == StepResult::Row) result.blob_ids.push_back(remove->column_text(0));
  }
  transaction.commit();
  std::sort(result.blob_ids.begin(), result.blob_ids.end());
  return result;
}

// ---- blobs ----

BlobBeginStatus SqliteStore::begin_blob(std::string_view owner, std::string_view blob_id, std::uint64_t size,
                                        const Sha256Hash& sha256, std::int64_t expires_at_ms,
                                        const BlobLimits& limits) {
  if (!is_valid_blob_id(blob_id)) return BlobBeginStatus::InvalidId;
  if (size > limits.max_blob_bytes) return BlobBeginStatus::TooLarge;

  const std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  const auto id = user_id(writer_, owner);
  if (!id) return BlobBeginStatus::UnknownOwner;
  {
    auto exists = writer_.cached("SELECT 1 FROM blobs WHERE blob_id = ?");
    exists->bind(1, blob_id);
    if (exists->step() == StepResult::Row) return BlobBeginStatus::IdTaken;
  }
  {
    // Blobs still uploading count with their full declared size: the space
    // is promised to them.
    auto used = writer_.cached("SELECT coalesce(sum(size), 0) FROM blobs WHERE owner_id = ?");
    used->bind(1, *id);
    used->step();
    const std::uint64_t bytes = to_u64(used->column_int64(0));
    if (bytes > limits.quota_bytes || size > limits.quota_bytes - bytes) return BlobBeginStatus::QuotaExceeded;
  }
  {
    auto insert = writer_.cached(
        "INSERT INTO blobs (blob_id, owner_id, size, sha256, received, complete, expires_at_ms) "
        "VALUES (?, ?, ?, ?, 0, 0, ?)");
    insert->bind(1, blob_id);
    insert->bind(2, *id);
    insert->bind(3, size);
    insert->bind(4, sha256);
    insert->bind(5, expires_at_ms);
    insert->step();
  }
  transaction.commit();
  return BlobBeginStatus::Started;
}

std::optional<BlobRecord> SqliteStore::blob(std::string_view blob_id) {
  const std::lock_guard lock(read_mutex_);
  auto select = reader_.cached(
      "SELECT b.blob_id, u.username, b.size, b.sha256, b.received, b.complete, b.expires_at_ms, b.restricted "
      "FROM blobs b JOIN users u ON u.id = b.owner_id WHERE b.blob_id = ?");
  select->bind(1, blob_id);
  if (select->step() != StepResult::Row) return std::nullopt;
  return BlobRecord{select->column_text(0),     select->column_text(1),          to_u64(select->column_int64(2)),
                    fixed_blob<32>(*select, 3), to_u64(select->column_int64(4)), select->column_int64(5) != 0,
                    select->column_int64(6),    select->column_int64(7) != 0};
}

bool SqliteStore::set_blob_received(std::string_view blob_id, std::uint64_t offset, std::int64_t expires_at_ms) {
  // On the synchronous=NORMAL connection: no fsync per 256 KiB chunk. A power
  // cut may lose the latest offsets, and then a resuming client is told an
  // older one and sends those bytes again (BlobBegin never reports more than
  // the file holds). A crash of relayd alone loses nothing: the WAL is in the
  // page cache. With FULL, the per-chunk fsync was what limited an upload.
  const std::lock_guard lock(write_mutex_);
  auto update = batch_writer_.cached(
      "UPDATE blobs SET received = ?1, expires_at_ms = ?3 WHERE blob_id = ?2 AND complete = 0 AND size >= ?1");
  update->bind(1, offset);
  update->bind(2, blob_id);
  update->bind(3, expires_at_ms);
  update->step();
  return batch_writer_.changes() == 1;
}

BlobCompleteResult SqliteStore::complete_blob(std::string_view blob_id, std::span<const std::string> readers,
                                              std::int64_t expires_at_ms) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  {
    auto update = writer_.cached(
        "UPDATE blobs SET complete = 1, restricted = ?2, expires_at_ms = ?3 "
        "WHERE blob_id = ?1 AND complete = 0 AND received = size");
    update->bind(1, blob_id);
    update->bind(2, readers.empty() ? 0 : 1);
    update->bind(3, expires_at_ms);
    update->step();
  }
  if (writer_.changes() != 1) return {BlobCompleteStatus::NotReady, {}};
  for (const std::string& reader : readers) {
    const auto id = user_id(writer_, reader);
    if (!id) return {BlobCompleteStatus::UnknownReader, reader};  // rolls the completion back
    // A name given twice (the validator refuses that) holds one claim.
    auto insert = writer_.cached("INSERT INTO blob_readers (blob_id, reader_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
    insert->bind(1, blob_id);
    insert->bind(2, *id);
    insert->step();
  }
  transaction.commit();
  return {BlobCompleteStatus::Completed, {}};
}

bool SqliteStore::holds_blob_claim(std::string_view blob_id, std::string_view reader) {
  const std::lock_guard lock(read_mutex_);
  auto select = reader_.cached(
      "SELECT 1 FROM blob_readers WHERE blob_id = ? AND reader_id = (SELECT id FROM users WHERE username = ?)");
  select->bind(1, blob_id);
  select->bind(2, reader);
  const bool found = select->step() == StepResult::Row;
  return found;
}

std::vector<std::string> SqliteStore::blob_readers(std::string_view blob_id) {
  const std::lock_guard lock(read_mutex_);
  auto select = reader_.cached(
      "SELECT u.username FROM blob_readers r JOIN users u ON u.id = r.reader_id WHERE r.blob_id = ? "
      "ORDER BY u.username");
  select->bind(1, blob_id);
  std::vector<std::string> readers;
  while (select->step() == StepResult::Row) readers.push_back(select->column_text(0));
  return readers;
}

BlobReleaseStatus SqliteStore::release_blob(std::string_view blob_id, std::string_view user, std::int64_t now_ms) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  std::int64_t owner_id = 0;
  {
    // An expired blob is gone for every purpose, even before expire() runs.
    auto find = writer_.cached("SELECT owner_id FROM blobs WHERE blob_id = ? AND expires_at_ms > ?");
    find->bind(1, blob_id);
    find->bind(2, now_ms);
    if (find->step() != StepResult::Row) return BlobReleaseStatus::NotFound;
    owner_id = find->column_int64(0);
  }
  const auto id = user_id(writer_, user);
  if (!id) return BlobReleaseStatus::NotFound;
  const auto remove = [&] {
    // The claims follow by ON DELETE CASCADE.
    auto statement = writer_.cached("DELETE FROM blobs WHERE blob_id = ?");
    statement->bind(1, blob_id);
    statement->step();
    transaction.commit();
    return BlobReleaseStatus::Removed;
  };
  if (*id == owner_id) return remove();
  {
    auto drop = writer_.cached("DELETE FROM blob_readers WHERE blob_id = ? AND reader_id = ?");
    drop->bind(1, blob_id);
    drop->bind(2, *id);
    drop->step();
  }
  if (writer_.changes() != 1) return BlobReleaseStatus::NotFound;
  {
    auto others = writer_.cached("SELECT 1 FROM blob_readers WHERE blob_id = ? LIMIT 1");
    others->bind(1, blob_id);
    if (others->step() == StepResult::Row) {
      others->reset();
      transaction.commit();
      return BlobReleaseStatus::ClaimReleased;
    }
  }
  return remove();
}

bool SqliteStore::remove_blob(std::string_view blob_id) {
  const std::lock_guard lock(write_mutex_);
  auto remove = writer_.cached("DELETE FROM blobs WHERE blob_id = ?");
  remove->bind(1, blob_id);
  remove->step();
  return writer_.changes() == 1;
}

BlobUsage SqliteStore::blob_usage(std::string_view owner) {
  const std::lock_guard lock(read_mutex_);
  auto select = reader_.cached(
      "SELECT count(*), coalesce(sum(size), 0) FROM blobs WHERE owner_id = (SELECT id FROM users WHERE username = ?)");
  select->bind(1, owner);
  select->step();
  return {to_u64(select->column_int64(0)), to_u64(select->column_int64(1))};
}

// ---- moving a relay between backends ----

void SqliteStore::export_records(const std::function<void(const DumpRecord&)>& sink) {
  // A connection of its own, without the read mutex: the sink may take long
  // (writing gigabytes), and the relay's lookups must not wait for it. Its
  // one read transaction is the consistent snapshot; writers go on meanwhile
  // (WAL), only checkpoints cannot pass it until it ends.
  Database snapshot(writer_.path(), store::DatabaseOptions{.query_only = true});
  Transaction transaction(snapshot, store::TransactionMode::Deferred);
  {
    auto users = snapshot.prepare(
        "SELECT username, password_hash, signing_key, dh_key, identity_signature, created_at_ms FROM users "
        "ORDER BY username");
    while (users.step() == StepResult::Row) sink(read_user(users));
  }
  {
    auto tokens = snapshot.prepare(
        "SELECT t.token_sha256, u.username, t.device_name, t.expires_at_ms FROM tokens t "
        "JOIN users u ON u.id = t.user_id ORDER BY t.token_sha256");
    while (tokens.step() == StepResult::Row) {
      sink(
          TokenRecord{fixed_blob<32>(tokens, 0), tokens.column_text(1), tokens.column_text(2), tokens.column_int64(3)});
    }
  }
  {
    auto invites = snapshot.prepare("SELECT code_sha256, expires_at_ms FROM invites ORDER BY code_sha256");
    while (invites.step() == StepResult::Row) sink(InviteRecord{fixed_blob<32>(invites, 0), invites.column_int64(1)});
  }
  {
    auto prekeys = snapshot.prepare(
        "SELECT u.username, s.prekey_id, s.public_key, s.signature FROM signed_prekeys s "
        "JOIN users u ON u.id = s.user_id ORDER BY u.username");
    while (prekeys.step() == StepResult::Row) {
      sink(StoredSignedPrekey{prekeys.column_text(0), SignedPrekey{static_cast<std::uint32_t>(prekeys.column_int64(1)),
                                                                   prekeys.column_blob(2), prekeys.column_blob(3)}});
    }
  }
  {
    auto prekeys = snapshot.prepare(
        "SELECT u.username, o.prekey_id, o.public_key FROM one_time_prekeys o "
        "JOIN users u ON u.id = o.user_id ORDER BY u.username, o.prekey_id");
    while (prekeys.step() == StepResult::Row) {
      sink(StoredOneTimePrekey{
          prekeys.column_text(0),
          OneTimePrekey{static_cast<std::uint32_t>(prekeys.column_int64(1)), prekeys.column_blob(2)}});
    }
  }
  {
    // Expired deliveries too: the store never reads a clock, and expire()
    // on the new backend removes them as it would have here.
    auto deliveries = snapshot.prepare(
        "SELECT d.delivery_id, u.username, m.sender, m.message_id, m.envelope, m.server_time_ms, m.expires_at_ms "
        "FROM deliveries d JOIN users u ON u.id = d.recipient_id JOIN messages m ON m.id = d.message_row "
        "ORDER BY d.delivery_id");
    while (deliveries.step() == StepResult::Row) {
      // The trigger drops a message's bytes only with its last delivery.
      if (deliveries.column_is_null(4)) {
        throw StoreError("delivery " + std::to_string(deliveries.column_int64(0)) + " has no envelope", SQLITE_CORRUPT);
      }
      sink(StoredDelivery{
          deliveries.column_text(1),
          QueuedEnvelope{deliveries.column_int64(0), deliveries.column_text(2), fixed_blob<16>(deliveries, 3),
                         deliveries.column_blob(4), deliveries.column_int64(5), deliveries.column_int64(6)}});
    }
  }
  {
    auto blobs = snapshot.prepare(
        "SELECT b.blob_id, u.username, b.size, b.sha256, b.received, b.complete, b.expires_at_ms, b.restricted "
        "FROM blobs b JOIN users u ON u.id = b.owner_id ORDER BY b.blob_id");
    auto readers = snapshot.prepare(
        "SELECT u.username FROM blob_readers r JOIN users u ON u.id = r.reader_id WHERE r.blob_id = ? "
        "ORDER BY u.username");
    while (blobs.step() == StepResult::Row) {
      StoredBlob stored{BlobRecord{blobs.column_text(0), blobs.column_text(1), to_u64(blobs.column_int64(2)),
                                   fixed_blob<32>(blobs, 3), to_u64(blobs.column_int64(4)), blobs.column_int64(5) != 0,
                                   blobs.column_int64(6), blobs.column_int64(7) != 0},
                        {}};
      readers.bind(1, stored.blob.id);
      while (readers.step() == StepResult::Row) stored.readers.push_back(readers.column_text(0));
      readers.reset();
      sink(stored);
    }
  }
  {
    // AUTOINCREMENT's high-water mark: above every delivery id handed out,
    // acknowledged ones included (see DeliverySequence).
    auto sequence = snapshot.prepare("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'), 0)");
    sequence.step();
    sink(DeliverySequence{sequence.column_int64(0)});
  }
  transaction.commit();
}

namespace {

[[noreturn]] void refuse_import(const std::string& what) { throw StoreError("import: " + what, SQLITE_CONSTRAINT); }

// Applies dump records to an empty store, inside the caller's transaction.
// Users are remembered by id as they are inserted, so that the records
// naming them need no lookup.
class Importer {
 public:
  explicit Importer(Database& db) : db_(db) {}

  void add(const UserRecord& user) {
    if (!insert_user(db_, user)) refuse_import("user \"" + user.username + "\" appears twice");
    ids_.emplace(user.username, db_.last_insert_rowid());
    ++counts_.users;
  }

  void add(const TokenRecord& token) {
    auto insert = db_.cached(
        "INSERT INTO tokens (token_sha256, user_id, device_name, expires_at_ms) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING");
    insert->bind(1, token.token_sha256);
    insert->bind(2, id_of(token.username, "a token"));
    insert->bind(3, token.device_name);
    insert->bind(4, token.expires_at_ms);
    insert->step();
    if (db_.changes() != 1) refuse_import("a token of \"" + token.username + "\" appears twice");
    ++counts_.tokens;
  }

  void add(const InviteRecord& invite) {
    auto insert = db_.cached("INSERT INTO invites (code_sha256, expires_at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING");
    insert->bind(1, invite.code_sha256);
    insert->bind(2, invite.expires_at_ms);
    insert->step();
    if (db_.changes() != 1) refuse_import("an invite appears twice (or the store already holds it)");
    ++counts_.invites;
  }

  void add(const StoredSignedPrekey& stored) {
    auto insert = db_.cached(
        "INSERT INTO signed_prekeys (user_id, prekey_id, public_key, signature) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING");
    insert->bind(1, id_of(stored.username, "a signed prekey"));
    insert->bind(2, stored.prekey.id);
    insert->bind(3, stored.prekey.public_key);
    insert->bind(4, stored.prekey.signature);
    insert->step();
    if (db_.changes() != 1) refuse_import("a second signed prekey for \"" + stored.username + "\"");
    ++counts_.signed_prekeys;
  }

  void add(const StoredOneTimePrekey& stored) {
    auto insert = db_.cached(
        "INSERT INTO one_time_prekeys (user_id, prekey_id, public_key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    insert->bind(1, id_of(stored.username, "a one-time prekey"));
    insert->bind(2, stored.prekey.id);
    insert->bind(3, stored.prekey.public_key);
    insert->step();
    if (db_.changes() != 1) {
      refuse_import("one-time prekey " + std::to_string(stored.prekey.id) + " of \"" + stored.username +
                    "\" appears twice");
    }
    ++counts_.one_time_prekeys;
  }

  void add(const StoredDelivery& delivery) {
    const QueuedEnvelope& envelope = delivery.envelope;
    const std::string which = "delivery " + std::to_string(envelope.delivery_id);
    if (envelope.delivery_id < 1) refuse_import(which + " has an id below 1");
    const std::int64_t recipient = id_of(delivery.recipient, which);
    const std::int64_t message_row = message_row_of(envelope, which);
    {
      // One Send queues an envelope once per distinct recipient.
      auto twice = db_.cached("SELECT 1 FROM deliveries WHERE message_row = ? AND recipient_id = ?");
      twice->bind(1, message_row);
      twice->bind(2, recipient);
      if (twice->step() == StepResult::Row) {
        refuse_import(which + " queues a message for \"" + delivery.recipient + "\" a second time");
      }
    }
    auto insert = db_.cached(
        "INSERT INTO deliveries (delivery_id, recipient_id, message_row, envelope_size) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING");
    insert->bind(1, envelope.delivery_id);
    insert->bind(2, recipient);
    insert->bind(3, message_row);
    insert->bind(4, envelope.envelope.size());
    insert->step();
    if (db_.changes() != 1) refuse_import(which + " appears twice");
    highest_delivery_id_ = std::max(highest_delivery_id_, envelope.delivery_id);
    ++counts_.deliveries;
  }

  void add(const StoredBlob& stored) {
    const BlobRecord& blob = stored.blob;
    // The id names a file in the blob folder.
    if (!is_valid_blob_id(blob.id)) refuse_import("a blob id is not 1..64 characters of [A-Za-z0-9_-]");
    {
      auto insert = db_.cached(
          "INSERT INTO blobs (blob_id, owner_id, size, sha256, received, complete, expires_at_ms, restricted) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
      insert->bind(1, blob.id);
      insert->bind(2, id_of(blob.owner, "blob " + blob.id));
      insert->bind(3, blob.size);
      insert->bind(4, blob.sha256);
      insert->bind(5, blob.received);
      insert->bind(6, blob.complete ? 1 : 0);
      insert->bind(7, blob.expires_at_ms);
      insert->bind(8, blob.restricted ? 1 : 0);
      insert->step();
      if (db_.changes() != 1) refuse_import("blob " + blob.id + " appears twice");
    }
    for (const std::string& reader : stored.readers) {
      auto insert = db_.cached("INSERT INTO blob_readers (blob_id, reader_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
      insert->bind(1, blob.id);
      insert->bind(2, id_of(reader, "a reader of blob " + blob.id));
      insert->step();
      if (db_.changes() != 1) refuse_import("reader \"" + reader + "\" of blob " + blob.id + " appears twice");
    }
    ++counts_.blobs;
  }

  void add(const DeliverySequence& sequence) {
    if (sequence_) refuse_import("a second delivery sequence");
    sequence_ = sequence.last_delivery_id;
  }

  // What the store derives: each message's pending count, each user's
  // queue totals, and the delivery id sequence.
  ImportCounts finish() {
    if (sequence_ && *sequence_ < highest_delivery_id_) {
      refuse_import("the delivery sequence " + std::to_string(*sequence_) + " is below delivery " +
                    std::to_string(highest_delivery_id_));
    }
    db_.exec(
        "UPDATE messages SET pending = (SELECT count(*) FROM deliveries d WHERE d.message_row = messages.id);"
        "UPDATE queue_usage SET (envelopes, bytes) = (SELECT count(*), coalesce(sum(d.envelope_size), 0) "
        "FROM deliveries d WHERE d.recipient_id = queue_usage.user_id);");
    // Inserting explicit ids already raised sqlite_sequence to the highest;
    // the dump's sequence covers the acknowledged ids above that.
    if (const std::int64_t floor = sequence_.value_or(0); floor > 0) {
      auto raise = db_.cached("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'deliveries'");
      raise->bind(1, floor);
      raise->step();
      if (db_.changes() == 0) {
        auto insert = db_.cached("INSERT INTO sqlite_sequence (name, seq) VALUES ('deliveries', ?)");
        insert->bind(1, floor);
        insert->step();
      }
    }
    return counts_;
  }

 private:
  std::int64_t id_of(const std::string& username, const std::string& which) const {
    const auto it = ids_.find(username);
    if (it == ids_.end()) refuse_import(which + " names \"" + username + "\", who is not among the dump's users");
    return it->second;
  }

  // The messages row that the deliveries of one Send share: the first
  // delivery inserts it, the others must carry the same envelope.
  std::int64_t message_row_of(const QueuedEnvelope& envelope, const std::string& which) {
    {
      auto find = db_.cached(
          "SELECT id, envelope = ?3 AND server_time_ms = ?4 AND expires_at_ms = ?5 FROM messages "
          "WHERE message_id = ?1 AND sender = ?2");
      find->bind(1, envelope.message_id);
      find->bind(2, envelope.sender);
      find->bind(3, envelope.envelope);
      find->bind(4, envelope.server_time_ms);
      find->bind(5, envelope.expires_at_ms);
      if (find->step() == StepResult::Row) {
        if (find->column_int64(1) != 1) {
          refuse_import(which + " carries another envelope than an earlier delivery of the same message of \"" +
                        envelope.sender + "\"");
        }
        return find->column_int64(0);
      }
    }
    // pending is counted in finish().
    auto insert = db_.cached(
        "INSERT INTO messages (sender, message_id, envelope, envelope_size, server_time_ms, expires_at_ms, pending) "
        "VALUES (?, ?, ?, ?, ?, ?, 0)");
    insert->bind(1, envelope.sender);
    insert->bind(2, envelope.message_id);
    insert->bind(3, envelope.envelope);
    insert->bind(4, envelope.envelope.size());
    insert->bind(5, envelope.server_time_ms);
    insert->bind(6, envelope.expires_at_ms);
    insert->step();
    return db_.last_insert_rowid();
  }

  Database& db_;
  std::unordered_map<std::string, std::int64_t> ids_;
  std::int64_t highest_delivery_id_ = 0;
  std::optional<std::int64_t> sequence_;
  ImportCounts counts_;
};

}  // namespace

ImportCounts SqliteStore::import_records(const std::function<std::optional<DumpRecord>()>& next) {
  const std::lock_guard lock(write_mutex_);
  Transaction transaction(writer_);
  {
    // Remembered messages (idempotency records of Sends whose recipients are
    // gone) would be mistaken for the dump's; a store without users holds
    // them only after its users were removed, and is no target for a move.
    auto used = writer_.cached("SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM messages)");
    used->step();
    if (used->column_int64(0) != 0) refuse_import("the store is not empty (it holds users or messages)");
  }
  Importer importer(writer_);
  while (auto record = next()) std::visit([&](const auto& r) { importer.add(r); }, *record);
  const ImportCounts counts = importer.finish();
  transaction.commit();
  return counts;
}

}  // namespace sotto::relayd
