#include "relayd/store/postgres_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "lib/store/store_error.h"
#include "relayd/store/blob_id.h"
#include "relayd/store/postgres_error.h"
#include "relayd/store/postgres_schema.h"
#include "relayd/store/postgres_uri.h"

// How several nodes stay correct on one database
// ==============================================
//
// SqliteStore gets its guarantees from having one writer at a time. Here
// several nodes (and several connections of each) write at once in READ
// COMMITTED transactions, so each guarantee is made explicitly:
//
// Delivery ids. docs/protocol.md promises that a recipient observes ids
// strictly increasing in the order envelopes are stored: a relay pages with
// pending(after = last id seen). A sequence alone breaks that: node A draws
// 100, node B draws 101, B commits first; a reader sees 101, asks for
// "after 101" and never sees 100. So write_batch first locks the
// queue_usage row of every recipient it touches (sends and acks), with one
// SELECT ... ORDER BY user_id FOR UPDATE (always the same order, so two group
// sends cannot deadlock), and only then draws ids from the sequence. Whoever
// holds recipient R's row is the only transaction that can be drawing ids for
// R, and the lock is released only after COMMIT has made its rows visible:
// per recipient, ids increase in commit order. Ids stay globally unique (one
// sequence), and are never reused (sequences never go back). The same row
// lock makes the quota check exact across nodes, and the queue totals it reads
// current.
//
// The token revocation log. Every node polls token_revocations_after(seq).
// Its seq has the same problem, solved the same way: a writer of the log
// takes one transaction-scoped advisory lock (kRevocationLogLock) before it
// draws a seq. The trigger takes it (so even a DELETE typed into psql is
// serialised), and each method that may delete tokens takes it first, before
// any row lock, so that the lock order is the same everywhere.
//
// One-time prekeys. take_bundle deletes the lowest unlocked prekey in one
// statement (DELETE ... WHERE prekey_id = (SELECT ... FOR UPDATE SKIP
// LOCKED LIMIT 1) RETURNING): two nodes never get the same row, and neither
// waits for the other.
//
// Per-user quotas (prekeys, blobs) lock the user's row (FOR NO KEY UPDATE,
// which does not block foreign-key checks) before counting.
//
// Anything that still loses a race (a deadlock PostgreSQL detects, a
// serialization failure) is rolled back whole and run again.

namespace sotto::relayd {
namespace postgres_detail {

// A fixed set of connections, each lent to one caller at a time.
class ConnectionPool {
 public:
  ConnectionPool(std::string uri, std::size_t size) : uri_(std::move(uri)), size_(std::max<std::size_t>(size, 1)) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A borrowed connection, returned to the pool when the lease ends, or
  // closed instead if discard() was called (it broke).
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_->give_back(std::move(connection_), discarded_); }

    pqxx::connection& operator*() { return *connection_; }
    void discard() { discarded_ = true; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool discarded_ = false;
  };

  // Waits for an idle connection, or opens a new one while fewer than size_
  // exist. Throws store::StoreError if it cannot connect.
  Lease borrow() {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(connection));
    }
    ++open_;  // reserve the slot, then connect without holding the mutex
    lock.unlock();
    try {
      return Lease(*this, connect());
    } catch (...) {
      lock.lock();
      --open_;
      returned_.notify_one();
      throw;
    }
  }

  // After a connection broke, the idle ones most likely went with it (the
  // server restarted): close them all, so that the next callers connect
  // afresh instead of each failing once on a dead connection.
  void drop_idle() {
    std::vector<std::unique_ptr<pqxx::connection>> dropped;
    {
      const std::lock_guard lock(mutex_);
      dropped.swap(idle_);
      open_ -= dropped.size();
    }
    returned_.notify_all();
    // `dropped` closes its connections here, outside the mutex.
  }

  // Prepares statement `name` on this connection the first time it is used
  // there. Called with the connection lent to the caller.
  static void ensure_prepared(pqxx::connection_base& connection, const char* name, const char* sql);

 private:
  std::unique_ptr<pqxx::connection> connect() {
    return translate_errors("connecting to PostgreSQL", [&] {
      auto connection = std::make_unique<pqxx::connection>(uri_);
      // Durable at COMMIT whatever the server's or the role's default: that
      // is what makes sync_writes() a no-op. pqxx would reinstate it if it
      // ever reconnected this object by itself.
      connection->set_variable("synchronous_commit", "on");
      return connection;
    });
  }

  void give_back(std::unique_ptr<pqxx::connection> connection, bool discarded) {
    {
      const std::lock_guard lock(mutex_);
      if (discarded || !connection->is_open()) {
        --open_;
      } else {
        idle_.push_back(std::move(connection));
      }
    }
    returned_.notify_one();
    // A discarded connection is closed here, outside the mutex.
  }

  const std::string uri_;
  const std::size_t size_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mutex_
  std::size_t open_ = 0;                                 // idle and lent; guarded by mutex_
};

}  // namespace postgres_detail

namespace {

namespace pg = postgres_detail;
using store::StoreError;

// See the top of this file and tokens_log_revocation in postgres_schema.cc.
constexpr std::int64_t kRevocationLogLock = 7373010001;
// As SqliteStore's kRevocationLogKeepMs: every running relay has read an
// entry long before it is an hour old.
constexpr std::int64_t kPgRevocationLogKeepMs = 60 * 60 * 1000;
// A transaction that loses a race is run again up to this many times in all.
// Conflicts need two writers on the same rows at the same instant; five
// losses in a row mean something else is wrong.
constexpr int kMaxAttempts = 5;
// Rows fetched per round trip when exporting (a cursor, not one huge result).
constexpr int kExportFetchRows = 1000;

// Every statement the store runs, prepared on each connection on first use.
// The names are what exec_prepared takes.
struct Sql {
  const char* name;
  const char* text;
};

#define SOTTO_PG_STATEMENT(var, sql) \
  constexpr Sql var { #var, sql }

SOTTO_PG_STATEMENT(kInsertUser,
                   "INSERT INTO users (username, password_hash, signing_key, dh_key, identity_signature, "
                   "created_at_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING RETURNING id");
SOTTO_PG_STATEMENT(kConsumeInvite, "DELETE FROM invites WHERE code_sha256 = $1 AND expires_at_ms > $2");
SOTTO_PG_STATEMENT(kSetIdentity,
                   "UPDATE users SET signing_key = $1, dh_key = $2, identity_signature = $3 "
                   "WHERE username = $4 AND length(signing_key) = 0");
SOTTO_PG_STATEMENT(kFindUser,
                   "SELECT username, password_hash, signing_key, dh_key, identity_signature, created_at_ms "
                   "FROM users WHERE username = $1");
SOTTO_PG_STATEMENT(kListUsers,
                   "SELECT username, password_hash, signing_key, dh_key, identity_signature, created_at_ms "
                   "FROM users ORDER BY username");
SOTTO_PG_STATEMENT(kUserId, "SELECT id FROM users WHERE username = $1");
// Serialises one user's quota checks between nodes without blocking the
// foreign-key checks of concurrent inserts that reference the row.
SOTTO_PG_STATEMENT(kLockUser, "SELECT id FROM users WHERE username = $1 FOR NO KEY UPDATE");
SOTTO_PG_STATEMENT(kOwnedBlobs, "SELECT blob_id FROM blobs WHERE owner_id = $1 ORDER BY blob_id");
SOTTO_PG_STATEMENT(kRemoveLastClaims,
                   "DELETE FROM blobs WHERE blob_id IN (SELECT r.blob_id FROM blob_readers r WHERE r.reader_id = $1 "
                   "AND NOT EXISTS (SELECT 1 FROM blob_readers o WHERE o.blob_id = r.blob_id AND o.reader_id <> $1)) "
                   "RETURNING blob_id");
SOTTO_PG_STATEMENT(kDeleteUser, "DELETE FROM users WHERE id = $1");

SOTTO_PG_STATEMENT(kAddToken,
                   "INSERT INTO tokens (token_sha256, user_id, device_name, expires_at_ms) "
                   "SELECT $1, id, $2, $3 FROM users WHERE username = $4 ON CONFLICT DO NOTHING");
SOTTO_PG_STATEMENT(kFindToken,
                   "SELECT t.token_sha256, u.username, t.device_name, t.expires_at_ms FROM tokens t "
                   "JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = $1 AND t.expires_at_ms > $2");
SOTTO_PG_STATEMENT(kListTokens,
                   "SELECT t.token_sha256, t.device_name, t.expires_at_ms FROM tokens t "
                   "WHERE t.user_id = (SELECT id FROM users WHERE username = $1) AND t.expires_at_ms > $2 "
                   "ORDER BY t.expires_at_ms, t.token_sha256");
SOTTO_PG_STATEMENT(kRevokeToken, "DELETE FROM tokens WHERE token_sha256 = $1");
SOTTO_PG_STATEMENT(kRevokeUserTokens, "DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE username = $1)");
SOTTO_PG_STATEMENT(kChangePassword, "UPDATE users SET password_hash = $1 WHERE username = $2");
SOTTO_PG_STATEMENT(kLockRevocationLog, "SELECT pg_advisory_xact_lock($1)");
SOTTO_PG_STATEMENT(kLastRevocation, "SELECT coalesce(max(seq), 0) FROM token_revocations");
SOTTO_PG_STATEMENT(kRevocationsAfter,
                   "SELECT seq, token_sha256 FROM token_revocations WHERE seq > $1 ORDER BY seq LIMIT $2");

SOTTO_PG_STATEMENT(kAddInvite,
                   "INSERT INTO invites (code_sha256, expires_at_ms) VALUES ($1, $2) ON CONFLICT DO NOTHING");

SOTTO_PG_STATEMENT(kSetSignedPrekey,
                   "INSERT INTO signed_prekeys (user_id, prekey_id, public_key, signature) "
                   "SELECT id, $1, $2, $3 FROM users WHERE username = $4 "
                   "ON CONFLICT (user_id) DO UPDATE SET prekey_id = excluded.prekey_id, "
                   "public_key = excluded.public_key, signature = excluded.signature");
SOTTO_PG_STATEMENT(kCountPrekeys, "SELECT count(*) FROM one_time_prekeys WHERE user_id = $1");
SOTTO_PG_STATEMENT(kUpsertPrekey,
                   "INSERT INTO one_time_prekeys (user_id, prekey_id, public_key) VALUES ($1, $2, $3) "
                   "ON CONFLICT (user_id, prekey_id) DO UPDATE SET public_key = excluded.public_key");
SOTTO_PG_STATEMENT(kCountPrekeysByName,
                   "SELECT count(*) FROM one_time_prekeys WHERE user_id = (SELECT id FROM users WHERE username = $1)");
SOTTO_PG_STATEMENT(kBundleUser, "SELECT id, signing_key, dh_key, identity_signature FROM users WHERE username = $1");
SOTTO_PG_STATEMENT(kSignedPrekey, "SELECT prekey_id, public_key, signature FROM signed_prekeys WHERE user_id = $1");
// SKIP LOCKED: a key another transaction is taking right now is passed
// over, not waited for and never handed out twice.
SOTTO_PG_STATEMENT(kTakePrekey,
                   "DELETE FROM one_time_prekeys WHERE user_id = $1 AND prekey_id = "
                   "(SELECT prekey_id FROM one_time_prekeys WHERE user_id = $1 ORDER BY prekey_id LIMIT 1 "
                   "FOR UPDATE SKIP LOCKED) RETURNING prekey_id, public_key");

// The recipients' queue rows, locked in user_id order: see the top of the file.
SOTTO_PG_STATEMENT(kLockQueues,
                   "SELECT u.id, u.username, q.envelopes, q.bytes, q.last_delivery FROM users u "
                   "JOIN queue_usage q ON q.user_id = u.id WHERE u.username = ANY ($1::text[]) "
                   "ORDER BY q.user_id FOR UPDATE OF q");
SOTTO_PG_STATEMENT(kFindDuplicate, "SELECT server_time_ms FROM messages WHERE sender = $1 AND message_id = $2");
// write_batch's set-based statements: one round trip each per batch, not per
// envelope. Arrays travel as text literals (text_array, bytea_array,
// bigint_array); unnest() zips same-length arrays into rows.
SOTTO_PG_STATEMENT(kFindDuplicates,
                   "SELECT m.sender, m.message_id, m.server_time_ms FROM messages m "
                   "JOIN unnest($1::text[], $2::bytea[]) AS s(sender, message_id) "
                   "ON m.sender = s.sender AND m.message_id = s.message_id");
SOTTO_PG_STATEMENT(kInsertMessages,
                   "INSERT INTO messages (sender, message_id, envelope, envelope_size, server_time_ms, expires_at_ms, "
                   "pending) SELECT * FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::bigint[], $5::bigint[], "
                   "$6::bigint[], $7::bigint[]) ON CONFLICT (message_id, sender) DO NOTHING "
                   "RETURNING id, sender, message_id");
SOTTO_PG_STATEMENT(kTakeDeliveryIds,
                   "SELECT nextval(pg_get_serial_sequence('deliveries', 'delivery_id')) FROM generate_series(1, $1)");
SOTTO_PG_STATEMENT(kInsertDeliveries,
                   "INSERT INTO deliveries (delivery_id, recipient_id, message_row, envelope_size) "
                   "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[])");
SOTTO_PG_STATEMENT(kAddUsages,
                   "UPDATE queue_usage q SET envelopes = q.envelopes + u.n, bytes = q.bytes + u.b, "
                   "last_delivery = GREATEST(q.last_delivery, u.last) "
                   "FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS u(id, n, b, last) "
                   "WHERE q.user_id = u.id");
SOTTO_PG_STATEMENT(kDeleteDeliveries,
                   "DELETE FROM deliveries d USING unnest($1::bigint[], $2::bigint[]) AS a(id, owner) "
                   "WHERE d.delivery_id = a.id AND d.recipient_id = a.owner RETURNING d.recipient_id, d.envelope_size");
SOTTO_PG_STATEMENT(kInsertMessage,
                   "INSERT INTO messages (sender, message_id, envelope, envelope_size, server_time_ms, expires_at_ms, "
                   "pending) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (message_id, sender) DO NOTHING "
                   "RETURNING id");
SOTTO_PG_STATEMENT(kAddUsage,
                   "UPDATE queue_usage SET envelopes = envelopes + $1, bytes = bytes + $2 WHERE user_id = $3");
SOTTO_PG_STATEMENT(kPending,
                   "SELECT d.delivery_id, m.sender, m.message_id, m.envelope, m.server_time_ms, m.expires_at_ms "
                   "FROM deliveries d JOIN messages m ON m.id = d.message_row "
                   "WHERE d.recipient_id = (SELECT id FROM users WHERE username = $1) AND d.delivery_id > $2 "
                   "AND m.expires_at_ms > $3 ORDER BY d.delivery_id LIMIT $4");
SOTTO_PG_STATEMENT(kQueueUsage,
                   "SELECT q.envelopes, q.bytes FROM queue_usage q JOIN users u ON u.id = q.user_id "
                   "WHERE u.username = $1");
SOTTO_PG_STATEMENT(kQueueDepth, "SELECT coalesce(sum(envelopes), 0)::bigint FROM queue_usage");
// expire() deletes deliveries of many recipients; it locks their queue rows
// in the same order write_batch does first, so the two cannot deadlock.
SOTTO_PG_STATEMENT(
    kLockExpiringQueues,
    "SELECT q.user_id FROM queue_usage q WHERE q.user_id IN (SELECT d.recipient_id FROM deliveries d "
    "JOIN messages m ON m.id = d.message_row WHERE m.expires_at_ms <= $1) ORDER BY q.user_id FOR UPDATE");
SOTTO_PG_STATEMENT(kExpireMessages, "DELETE FROM messages WHERE expires_at_ms <= $1 RETURNING pending");
SOTTO_PG_STATEMENT(kExpireTokens, "DELETE FROM tokens WHERE expires_at_ms <= $1");
SOTTO_PG_STATEMENT(kPruneRevocations, "DELETE FROM token_revocations WHERE revoked_at_ms <= $1");
SOTTO_PG_STATEMENT(kExpireInvites, "DELETE FROM invites WHERE expires_at_ms <= $1");
SOTTO_PG_STATEMENT(kExpireBlobs, "DELETE FROM blobs WHERE expires_at_ms <= $1 RETURNING blob_id");

SOTTO_PG_STATEMENT(kBlobExists, "SELECT 1 FROM blobs WHERE blob_id = $1");
SOTTO_PG_STATEMENT(kBlobBytesOf, "SELECT coalesce(sum(size), 0)::bigint FROM blobs WHERE owner_id = $1");
SOTTO_PG_STATEMENT(kInsertBlob,
                   "INSERT INTO blobs (blob_id, owner_id, size, sha256, received, complete, expires_at_ms) "
                   "VALUES ($1, $2, $3, $4, 0, false, $5) ON CONFLICT DO NOTHING");
SOTTO_PG_STATEMENT(kBlob,
                   "SELECT b.blob_id, u.username, b.size, b.sha256, b.received, b.complete, b.expires_at_ms, "
                   "b.restricted FROM blobs b JOIN users u ON u.id = b.owner_id WHERE b.blob_id = $1");
SOTTO_PG_STATEMENT(kSetBlobReceived,
                   "UPDATE blobs SET received = $1, expires_at_ms = $3 "
                   "WHERE blob_id = $2 AND NOT complete AND size >= $1");
SOTTO_PG_STATEMENT(kCompleteBlob,
                   "UPDATE blobs SET complete = true, restricted = $2, expires_at_ms = $3 "
                   "WHERE blob_id = $1 AND NOT complete AND received = size");
SOTTO_PG_STATEMENT(kInsertReader,
                   "INSERT INTO blob_readers (blob_id, reader_id) VALUES ($1, $2) ON CONFLICT DO NOTHING");
SOTTO_PG_STATEMENT(kHoldsClaim,
                   "SELECT 1 FROM blob_readers WHERE blob_id = $1 "
                   "AND reader_id = (SELECT id FROM users WHERE username = $2)");
SOTTO_PG_STATEMENT(kBlobReaders,
                   "SELECT u.username FROM blob_readers r JOIN users u ON u.id = r.reader_id WHERE r.blob_id = $1 "
                   "ORDER BY u.username");
// FOR UPDATE: two readers releasing at once on two nodes are serialised, so
// exactly one of them sees that it held the last claim.
SOTTO_PG_STATEMENT(kLiveBlobOwner, "SELECT owner_id FROM blobs WHERE blob_id = $1 AND expires_at_ms > $2 FOR UPDATE");
SOTTO_PG_STATEMENT(kDeleteBlob, "DELETE FROM blobs WHERE blob_id = $1");
SOTTO_PG_STATEMENT(kDropClaim, "DELETE FROM blob_readers WHERE blob_id = $1 AND reader_id = $2");
SOTTO_PG_STATEMENT(kAnyClaim, "SELECT 1 FROM blob_readers WHERE blob_id = $1 LIMIT 1");
SOTTO_PG_STATEMENT(kBlobUsage,
                   "SELECT count(*), coalesce(sum(size), 0)::bigint FROM blobs "
                   "WHERE owner_id = (SELECT id FROM users WHERE username = $1)");

#undef SOTTO_PG_STATEMENT

// Runs a prepared statement, preparing it on this connection first if needed.
template <typename... Args>
pqxx::result exec(pqxx::transaction_base& tx, const Sql& sql, Args&&... args) {
  pg::ConnectionPool::ensure_prepared(tx.conn(), sql.name, sql.text);
  return tx.exec_prepared(sql.name, std::forward<Args>(args)...);
}

pqxx::binarystring bin(std::span<const std::uint8_t> bytes) { return pqxx::binarystring(bytes.data(), bytes.size()); }

crypto::Bytes bytes_of(const pqxx::field& field) {
  const pqxx::binarystring value(field);
  return crypto::Bytes(value.data(), value.data() + value.size());
}

// A fixed-size column (a hash, a message id). The schema's CHECKs guarantee
// the length; a mismatch means the database was edited by hand.
template <std::size_t N>
std::array<std::uint8_t, N> fixed_bytes(const pqxx::field& field) {
  const pqxx::binarystring value(field);
  if (value.size() != N) {
    throw StoreError("column \"" + std::string(field.name()) + "\" holds " + std::to_string(value.size()) +
                         " bytes, expected " + std::to_string(N),
                     SQLITE_CORRUPT);
  }
  std::array<std::uint8_t, N> out{};
  std::copy(value.data(), value.data() + N, out.begin());
  return out;
}

std::uint64_t non_negative(const pqxx::field& field) {
  const auto value = field.as<std::int64_t>();
  return value < 0 ? 0 : static_cast<std::uint64_t>(value);
}

std::int64_t clamp_to_i64(std::uint64_t value) {
  return static_cast<std::int64_t>(std::min<std::uint64_t>(value, std::numeric_limits<std::int64_t>::max()));
}

// A PostgreSQL text[] literal: every element quoted, so that no name (a
// comma, a brace, a quote in it) can change the array's shape.
std::string text_array(const std::vector<std::string_view>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += ',';
    out += '"';
    for (const char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// A bytea[] literal: each element "\\x<hex>" in the text (the array parser takes one
// backslash away, bytea's input reads the hex), or NULL where null[i].
std::string bytea_array(const std::vector<std::span<const std::uint8_t>>& items, const std::vector<bool>& null = {}) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t size = 2;
  for (const auto& item : items) size += 2 * item.size() + 6;
  std::string out;
  out.reserve(size);
  out += '{';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += ',';
    if (i < null.size() && null[i]) {
      out += "NULL";
      continue;
    }
    out += "\"\\\\x";
    for (const std::uint8_t b : items[i]) {
      out += kHex[b >> 4];
      out += kHex[b & 0x0f];
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string bigint_array(const std::vector<std::int64_t>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += ',';
    out += std::to_string(items[i]);
  }
  out += '}';
  return out;
}

// A row of (username, password_hash, signing_key, dh_key, identity_signature, created_at_ms).
UserRecord read_user(const pqxx::row& row) {
  UserRecord user;
  user.username = row[0].c_str();
  user.password_hash = row[1].c_str();
  user.identity.signing_key = bytes_of(row[2]);
  user.identity.dh_key = bytes_of(row[3]);
  user.identity.signature = bytes_of(row[4]);
  user.created_at_ms = row[5].as<std::int64_t>();
  return user;
}

std::optional<std::int64_t> find_user_id(pqxx::transaction_base& tx, const Sql& sql, std::string_view username) {
  const auto rows = exec(tx, sql, std::string(username));
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::int64_t>();
}

// The first column of the first row (an id RETURNING gave back).
std::int64_t first_int64(const pqxx::result& result) { return result[0][0].as<std::int64_t>(); }

void lock_revocation_log(pqxx::transaction_base& tx) { exec(tx, kLockRevocationLog, kRevocationLogLock); }

enum class Access {
  Read,   // one or more reads; no transaction of its own (each statement sees what was committed when it started)
  Write,  // a READ COMMITTED transaction; fn commits it, or returns without committing to roll back
};

// Borrows a connection and runs fn(transaction) on it, turning libpqxx's
// exceptions into store::StoreError. A transaction that lost a race is run
// again (fn builds its result afresh each time). A broken connection is
// dropped with every idle one; the call is then tried once more on a new
// connection, which is safe because the server rolled back whatever the
// broken one had not committed. Only a break during COMMIT (the outcome is
// unknown) is never retried.
template <typename Fn>
auto run(pg::ConnectionPool& pool, std::string_view what, Access access, Fn&& fn)
    -> decltype(fn(std::declval<pqxx::transaction_base&>())) {
  bool reconnected = false;
  for (int attempt = 1;; ++attempt) {
    auto lease = pool.borrow();
    try {
      if (access == Access::Read) {
        pqxx::nontransaction tx(*lease);
        return fn(static_cast<pqxx::transaction_base&>(tx));
      }
      pqxx::work tx(*lease);
      return fn(static_cast<pqxx::transaction_base&>(tx));
    } catch (const StoreError&) {
      throw;
    } catch (const pqxx::pqxx_exception& error) {
      const pg::FailureKind kind = pg::classify(error.base());
      if (kind == pg::FailureKind::ConnectionLost || kind == pg::FailureKind::OutcomeUnknown) {
        lease.discard();
        pool.drop_idle();
      }
      if (kind == pg::FailureKind::Retryable && attempt < kMaxAttempts) {
        // Let the winner finish; a little more each time.
        std::this_thread::sleep_for(std::chrono::milliseconds(attempt * 2));
        continue;
      }
      if (kind == pg::FailureKind::ConnectionLost && !reconnected) {
        reconnected = true;
        continue;
      }
      pg::throw_store_error(what, error.base());
    }
  }
}

}  // namespace

void pg::ConnectionPool::ensure_prepared(pqxx::connection_base& connection, const char* name, const char* sql) {
  // libpqxx remembers what was prepared on a connection and sends the
  // PREPARE with the first execution; preparing the same name with the same
  // text again is a no-op for it.
  connection.prepare(name, sql);
}

PostgresStore::PostgresStore(const std::string& uri, const PostgresStoreOptions& options)
    : pool_(std::make_unique<postgres_detail::ConnectionPool>(with_connection_timeouts(uri), options.pool_size)) {
  // A node starts on an empty database, or on one another node set up.
  auto lease = pool_->borrow();
  pg::translate_errors("migrating the schema", [&] { return postgres_migrate(*lease); });
}

PostgresStore::~PostgresStore() = default;

// ---- users ----

namespace {

bool insert_user(pqxx::transaction_base& tx, const UserRecord& user) {
  return !exec(tx, kInsertUser, user.username, user.password_hash, bin(user.identity.signing_key),
               bin(user.identity.dh_key), bin(user.identity.signature), user.created_at_ms)
              .empty();
}

}  // namespace

bool PostgresStore::create_user(const UserRecord& user) {
  return run(*pool_, "create_user", Access::Write, [&](pqxx::transaction_base& tx) {
    const bool created = insert_user(tx, user);
    tx.commit();
    return created;
  });
}

CreateUserStatus PostgresStore::create_user_with_invite(const UserRecord& user, const Sha256Hash& code_sha256,
                                                        std::int64_t now_ms) {
  return run(*pool_, "create_user_with_invite", Access::Write, [&](pqxx::transaction_base& tx) {
    // The DELETE locks the invite's row: a second registration with the
    // same code waits, then finds it gone.
    if (exec(tx, kConsumeInvite, bin(code_sha256), now_ms).affected_rows() != 1) return CreateUserStatus::InvalidInvite;
    if (!insert_user(tx, user)) return CreateUserStatus::UsernameTaken;  // not committed: the invite stays
    tx.commit();
    return CreateUserStatus::Created;
  });
}

bool PostgresStore::set_identity(std::string_view username, const IdentityKey& identity) {
  return run(*pool_, "set_identity", Access::Write, [&](pqxx::transaction_base& tx) {
    const bool set = exec(tx, kSetIdentity, bin(identity.signing_key), bin(identity.dh_key), bin(identity.signature),
                          std::string(username))
                         .affected_rows() == 1;
    tx.commit();
    return set;
  });
}

std::optional<UserRecord> PostgresStore::find_user(std::string_view username) {
  return run(*pool_, "find_user", Access::Read, [&](pqxx::transaction_base& tx) -> std::optional<UserRecord> {
    const auto rows = exec(tx, kFindUser, std::string(username));
    if (rows.empty()) return std::nullopt;
    return read_user(rows[0]);
  });
}

std::vector<UserRecord> PostgresStore::list_users() {
  return run(*pool_, "list_users", Access::Read, [&](pqxx::transaction_base& tx) {
    std::vector<UserRecord> users;
    for (const auto& row : exec(tx, kListUsers)) users.push_back(read_user(row));
    return users;
  });
}

std::optional<RemovedUser> PostgresStore::remove_user(std::string_view username) {
  return run(*pool_, "remove_user", Access::Write, [&](pqxx::transaction_base& tx) -> std::optional<RemovedUser> {
    lock_revocation_log(tx);  // the user's tokens go with the account
    const auto id = find_user_id(tx, kLockUser, username);
    if (!id) return std::nullopt;
    RemovedUser removed;
    for (const auto& row : exec(tx, kOwnedBlobs, *id)) removed.blob_ids.emplace_back(row[0].c_str());
    // Others' blobs on which this user holds the last claim go as if the
    // user had released them; the other claims follow by ON DELETE CASCADE.
    for (const auto& row : exec(tx, kRemoveLastClaims, *id)) removed.blob_ids.emplace_back(row[0].c_str());
    std::sort(removed.blob_ids.begin(), removed.blob_ids.end());
    // Tokens, prekeys, queued deliveries, blob rows and the queue totals
    // follow by ON DELETE CASCADE.
    exec(tx, kDeleteUser, *id);
    tx.commit();
    return removed;
  });
}

// ---- tokens ----

bool PostgresStore::add_token(const Sha256Hash& token_sha256, std::string_view username, std::string_view device_name,
                              std::int64_t expires_at_ms) {
  return run(*pool_, "add_token", Access::Write, [&](pqxx::transaction_base& tx) {
    const bool added =
        exec(tx, kAddToken, bin(token_sha256), std::string(device_name), expires_at_ms, std::string(username))
            .affected_rows() == 1;
    tx.commit();
    return added;
  });
}

std::optional<TokenRecord> PostgresStore::find_token(const Sha256Hash& token_sha256, std::int64_t now_ms) {
  return run(*pool_, "find_token", Access::Read, [&](pqxx::transaction_base& tx) -> std::optional<TokenRecord> {
    const auto rows = exec(tx, kFindToken, bin(token_sha256), now_ms);
    if (rows.empty()) return std::nullopt;
    return TokenRecord{fixed_bytes<32>(rows[0][0]), rows[0][1].c_str(), rows[0][2].c_str(),
                       rows[0][3].as<std::int64_t>()};
  });
}

std::vector<TokenRecord> PostgresStore::list_tokens(std::string_view username, std::int64_t now_ms) {
  return run(*pool_, "list_tokens", Access::Read, [&](pqxx::transaction_base& tx) {
    std::vector<TokenRecord> tokens;
    for (const auto& row : exec(tx, kListTokens, std::string(username), now_ms)) {
      tokens.push_back(
          TokenRecord{fixed_bytes<32>(row[0]), std::string(username), row[1].c_str(), row[2].as<std::int64_t>()});
    }
    return tokens;
  });
}

bool PostgresStore::revoke_token(const Sha256Hash& token_sha256) {
  return run(*pool_, "revoke_token", Access::Write, [&](pqxx::transaction_base& tx) {
    lock_revocation_log(tx);
    const bool revoked = exec(tx, kRevokeToken, bin(token_sha256)).affected_rows() == 1;
    tx.commit();
    return revoked;
  });
}

std::uint64_t PostgresStore::revoke_user_tokens(std::string_view username) {
  return run(*pool_, "revoke_user_tokens", Access::Write, [&](pqxx::transaction_base& tx) {
    lock_revocation_log(tx);
    const std::uint64_t revoked = exec(tx, kRevokeUserTokens, std::string(username)).affected_rows();
    tx.commit();
    return revoked;
  });
}

std::optional<std::uint64_t> PostgresStore::change_password(std::string_view username, std::string_view password_hash) {
  return run(*pool_, "change_password", Access::Write, [&](pqxx::transaction_base& tx) -> std::optional<std::uint64_t> {
    lock_revocation_log(tx);
    if (exec(tx, kChangePassword, std::string(password_hash), std::string(username)).affected_rows() != 1) {
      return std::nullopt;
    }
    const std::uint64_t revoked = exec(tx, kRevokeUserTokens, std::string(username)).affected_rows();
    tx.commit();
    return revoked;
  });
}

std::int64_t PostgresStore::last_token_revocation() {
  return run(*pool_, "last_token_revocation", Access::Read,
             [&](pqxx::transaction_base& tx) { return exec(tx, kLastRevocation)[0][0].as<std::int64_t>(); });
}

std::vector<TokenRevocation> PostgresStore::token_revocations_after(std::int64_t after, std::size_t limit) {
  return run(*pool_, "token_revocations_after", Access::Read, [&](pqxx::transaction_base& tx) {
    std::vector<TokenRevocation> revocations;
    for (const auto& row : exec(tx, kRevocationsAfter, after, clamp_to_i64(limit)))
      revocations.push_back(TokenRevocation{row[0].as<std::int64_t>(), fixed_bytes<32>(row[1])});
    return revocations;
  });
}

// ---- invites ----

bool PostgresStore::add_invite(const Sha256Hash& code_sha256, std::int64_t expires_at_ms) {
  return run(*pool_, "add_invite", Access::Write, [&](pqxx::transaction_base& tx) {
    const bool added = exec(tx, kAddInvite, bin(code_sha256), expires_at_ms).affected_rows() == 1;
    tx.commit();
    return added;
  });
}

bool PostgresStore::consume_invite(const Sha256Hash& code_sha256, std::int64_t now_ms) {
  return run(*pool_, "consume_invite", Access::Write, [&](pqxx::transaction_base& tx) {
    // One DELETE: of two concurrent callers, the second waits for the
    // first's row lock and then finds the row gone.
    const bool consumed = exec(tx, kConsumeInvite, bin(code_sha256), now_ms).affected_rows() == 1;
    tx.commit();
    return consumed;
  });
}

// ---- prekeys ----

bool PostgresStore::set_signed_prekey(std::string_view username, const SignedPrekey& prekey) {
  return run(*pool_, "set_signed_prekey", Access::Write, [&](pqxx::transaction_base& tx) {
    const bool set = exec(tx, kSetSignedPrekey, static_cast<std::int64_t>(prekey.id), bin(prekey.public_key),
                          bin(prekey.signature), std::string(username))
                         .affected_rows() == 1;
    tx.commit();
    return set;
  });
}

PrekeyUploadResult PostgresStore::add_one_time_prekeys(std::string_view username,
                                                       std::span<const OneTimePrekey> prekeys,
                                                       const PrekeyLimits& limits) {
  return run(*pool_, "add_one_time_prekeys", Access::Write, [&](pqxx::transaction_base& tx) -> PrekeyUploadResult {
    // The user's row lock makes count-then-check exact when two uploads
    // for one user run on two nodes.
    const auto id = find_user_id(tx, kLockUser, username);
    if (!id) return {PrekeyUploadStatus::UnknownUser, 0};
    const auto count = [&] { return non_negative(exec(tx, kCountPrekeys, *id)[0][0]); };
    const std::uint64_t before = count();
    for (const OneTimePrekey& prekey : prekeys)
      exec(tx, kUpsertPrekey, *id, static_cast<std::int64_t>(prekey.id), bin(prekey.public_key));
    // Counting after the upserts handles replaced ids and repeats within the
    // upload exactly; over the cap, the transaction is rolled back whole.
    const std::uint64_t after = count();
    if (after > limits.max_one_time_prekeys) return {PrekeyUploadStatus::LimitExceeded, before};
    tx.commit();
    return {PrekeyUploadStatus::Stored, after};
  });
}

std::uint64_t PostgresStore::count_one_time_prekeys(std::string_view username) {
  return run(*pool_, "count_one_time_prekeys", Access::Read, [&](pqxx::transaction_base& tx) {
    return non_negative(exec(tx, kCountPrekeysByName, std::string(username))[0][0]);
  });
}

std::optional<PrekeyBundle> PostgresStore::take_bundle(std::string_view username) {
  return run(*pool_, "take_bundle", Access::Write, [&](pqxx::transaction_base& tx) -> std::optional<PrekeyBundle> {
    PrekeyBundle bundle;
    const auto user = exec(tx, kBundleUser, std::string(username));
    if (user.empty()) return std::nullopt;
    const auto id = user[0][0].as<std::int64_t>();
    bundle.identity = IdentityKey{bytes_of(user[0][1]), bytes_of(user[0][2]), bytes_of(user[0][3])};
    const auto signed_prekey = exec(tx, kSignedPrekey, id);
    if (signed_prekey.empty()) return std::nullopt;
    bundle.signed_prekey = SignedPrekey{static_cast<std::uint32_t>(signed_prekey[0][0].as<std::int64_t>()),
                                        bytes_of(signed_prekey[0][1]), bytes_of(signed_prekey[0][2])};
    const auto taken = exec(tx, kTakePrekey, id);
    if (!taken.empty()) {
      bundle.one_time_prekey =
          OneTimePrekey{static_cast<std::uint32_t>(taken[0][0].as<std::int64_t>()), bytes_of(taken[0][1])};
    }
    bundle.one_time_remaining = non_negative(exec(tx, kCountPrekeys, id)[0][0]);
    tx.commit();
    return bundle;
  });
}

// ---- envelopes ----

std::vector<SendResult> PostgresStore::commit_sends(std::span<const PendingSend> sends, const QueueLimits& limits) {
  return write_batch(sends, {}, limits).sends;  // durable at COMMIT: no sync_writes() needed
}

void PostgresStore::sync_writes() {}

BatchResult PostgresStore::write_batch(std::span<const PendingSend> sends, std::span<const DeliveryAck> acks,
                                       const QueueLimits& limits) {
  if (sends.empty() && acks.empty()) return {};
  return run(*pool_, "write_batch", Access::Write, [&](pqxx::transaction_base& tx) {
    struct Usage {
      std::int64_t id = 0;
      std::uint64_t envelopes = 0;
      std::uint64_t bytes = 0;
      std::uint64_t added_envelopes = 0;
      std::uint64_t added_bytes = 0;
      std::int64_t last_delivery = 0;  // the last id drawn for this recipient, then ours as we draw them
    };
    struct Target {
      const std::string* name;
      Usage* usage;
    };

    // 1. Lock the queue row of everyone this batch queues for or acks from,
    //    in user_id order, before drawing a single delivery id (see the top
    //    of this file). Unknown names simply have no row.
    std::vector<std::string_view> names;
    {
      std::unordered_set<std::string_view> seen;
      for (const DeliveryAck& ack : acks)
        if (seen.insert(ack.recipient).second) names.push_back(ack.recipient);
      for (const PendingSend& send : sends)
        for (const std::string& name : send.recipients)
          if (seen.insert(name).second) names.push_back(name);
    }
    std::unordered_map<std::string, Usage> usage;
    for (const auto& row : exec(tx, kLockQueues, text_array(names))) {
      usage.emplace(row[1].c_str(), Usage{.id = row[0].as<std::int64_t>(),
                                          .envelopes = non_negative(row[2]),
                                          .bytes = non_negative(row[3]),
                                          .last_delivery = row[4].as<std::int64_t>()});
    }
    const auto usage_of = [&](std::string_view name) -> Usage* {
      auto it = usage.find(std::string(name));
      return it == usage.end() ? nullptr : &it->second;
    };

    BatchResult result;
    // 2. Deletes first, in one statement: a queue slot an ack frees is free
    //    for the sends. The trigger gives the slots back in queue_usage;
    //    mirror it in memory. The recipient condition is what stops one user
    //    deleting another's envelopes.
    {
      std::vector<std::int64_t> ids;
      std::vector<std::int64_t> owners;
      for (const DeliveryAck& ack : acks) {
        const Usage* owner = usage_of(ack.recipient);
        if (owner == nullptr) continue;
        ids.push_back(ack.delivery_id);
        owners.push_back(owner->id);
      }
      if (!ids.empty()) {
        std::unordered_map<std::int64_t, Usage*> by_id;
        for (auto& [name, u] : usage) by_id.emplace(u.id, &u);
        for (const auto& row : exec(tx, kDeleteDeliveries, bigint_array(ids), bigint_array(owners))) {
          Usage* owner = by_id.at(row[0].as<std::int64_t>());
          owner->envelopes -= std::min<std::uint64_t>(owner->envelopes, 1);
          owner->bytes -= std::min(owner->bytes, non_negative(row[1]));
          ++result.acked;
        }
      }
    }

    // 3. The sends, each all or nothing; quotas count earlier sends of the
    //    batch. Decided in memory from one duplicate lookup, then written
    //    with one INSERT of the messages, one draw of delivery ids, one
    //    INSERT of the deliveries and one UPDATE of the totals.
    result.sends.reserve(sends.size());
    std::map<std::pair<std::string, MessageId>, std::int64_t> known;  // (sender, id) -> server time
    if (!sends.empty()) {
      std::vector<std::string_view> senders;
      std::vector<std::span<const std::uint8_t>> ids;
      for (const PendingSend& send : sends) {
        senders.push_back(send.sender);
        ids.emplace_back(send.message_id);
      }
      for (const auto& row : exec(tx, kFindDuplicates, text_array(senders), bytea_array(ids))) {
        known[{row[0].c_str(), fixed_bytes<16>(row[1])}] = row[2].as<std::int64_t>();
      }
    }
    struct Planned {
      std::size_t send = 0;         // index into sends / result.sends
      std::vector<Target> targets;  // one per distinct recipient, in the order given
    };
    std::vector<Planned> planned;
    std::unordered_set<std::string_view> seen;
    for (std::size_t i = 0; i < sends.size(); ++i) {
      const PendingSend& send = sends[i];
      SendResult& outcome = result.sends.emplace_back();
      outcome.server_time_ms = send.server_time_ms;
      auto key = std::make_pair(send.sender, send.message_id);
      if (const auto it = known.find(key); it != known.end()) {
        outcome.status = SendStatus::Duplicate;  // stored before, or earlier in this batch
        outcome.server_time_ms = it->second;
        continue;
      }
      Planned plan{i, {}};
      seen.clear();
      for (const std::string& name : send.recipients) {
        if (!seen.insert(name).second) continue;
        Usage* target = usage_of(name);
        if (target == nullptr) {
          outcome.status = SendStatus::UnknownRecipient;
          outcome.recipient = name;
          break;
        }
        plan.targets.push_back({&name, target});
      }
      if (outcome.status != SendStatus::Stored) continue;
      const std::uint64_t size = send.envelope.size();
      for (const Target& target : plan.targets) {
        if (target.usage->envelopes + 1 > limits.max_envelopes || target.usage->bytes + size > limits.max_bytes) {
          outcome.status = SendStatus::QueueFull;
          outcome.recipient = *target.name;
          break;
        }
      }
      if (outcome.status != SendStatus::Stored) continue;
      for (const Target& target : plan.targets) {
        target.usage->envelopes += 1;
        target.usage->bytes += size;
      }
      known.emplace(std::move(key), send.server_time_ms);
      planned.push_back(std::move(plan));
    }

    if (!planned.empty()) {
      std::vector<std::string_view> senders;
      std::vector<std::span<const std::uint8_t>> message_ids;
      std::vector<std::span<const std::uint8_t>> bodies;
      std::vector<std::int64_t> sizes, times, expiries, pendings;
      for (const Planned& plan : planned) {
        const PendingSend& send = sends[plan.send];
        senders.push_back(send.sender);
        message_ids.emplace_back(send.message_id);
        bodies.emplace_back(send.envelope);
        sizes.push_back(clamp_to_i64(send.envelope.size()));
        times.push_back(send.server_time_ms);
        expiries.push_back(send.expires_at_ms);
        pendings.push_back(static_cast<std::int64_t>(plan.targets.size()));
      }
      // A send with nobody to deliver to keeps only its idempotency record.
      std::vector<bool> no_body;
      for (const Planned& plan : planned) no_body.push_back(plan.targets.empty());
      const std::string body_array = bytea_array(bodies, no_body);
      std::map<std::pair<std::string, MessageId>, std::int64_t> rows;
      for (const auto& row :
           exec(tx, kInsertMessages, text_array(senders), bytea_array(message_ids), body_array, bigint_array(sizes),
                bigint_array(times), bigint_array(expiries), bigint_array(pendings))) {
        rows.emplace(std::make_pair(std::string(row[1].c_str()), fixed_bytes<16>(row[2])), row[0].as<std::int64_t>());
      }

      std::size_t needed = 0;
      for (Planned& plan : planned) {
        const PendingSend& send = sends[plan.send];
        if (rows.count({send.sender, send.message_id}) == 0) {
          // ON CONFLICT: the same (sender, message_id) committed by another
          // node after our lookup (we waited for that commit). A duplicate
          // after all; its queue slots go back.
          SendResult& outcome = result.sends[plan.send];
          outcome.status = SendStatus::Duplicate;
          const auto original = exec(tx, kFindDuplicate, send.sender, bin(send.message_id));
          if (!original.empty()) outcome.server_time_ms = original[0][0].as<std::int64_t>();
          for (const Target& target : plan.targets) {
            target.usage->envelopes -= 1;
            target.usage->bytes -= send.envelope.size();
          }
          plan.targets.clear();
          continue;
        }
        needed += plan.targets.size();
      }

      if (needed > 0) {
        // The ids, drawn now that every recipient's queue row is locked
        // (step 1), sorted, and handed out in send order: one recipient's
        // deliveries of this batch increase in the order they were sent.
        std::vector<std::int64_t> drawn;
        drawn.reserve(needed);
        for (const auto& row : exec(tx, kTakeDeliveryIds, static_cast<std::int64_t>(needed))) {
          drawn.push_back(row[0].as<std::int64_t>());
        }
        std::sort(drawn.begin(), drawn.end());
        std::vector<std::int64_t> recipients, message_rows, envelope_sizes;
        std::size_t next = 0;
        for (const Planned& plan : planned) {
          const PendingSend& send = sends[plan.send];
          if (plan.targets.empty()) continue;
          const std::int64_t message_row = rows.at({send.sender, send.message_id});
          SendResult& outcome = result.sends[plan.send];
          outcome.deliveries.reserve(plan.targets.size());
          for (const Target& target : plan.targets) {
            outcome.deliveries.push_back({*target.name, drawn[next], target.usage->last_delivery});
            target.usage->last_delivery = drawn[next++];
            recipients.push_back(target.usage->id);
            message_rows.push_back(message_row);
            envelope_sizes.push_back(clamp_to_i64(send.envelope.size()));
            target.usage->added_envelopes += 1;
            target.usage->added_bytes += send.envelope.size();
          }
        }
        exec(tx, kInsertDeliveries, bigint_array(drawn), bigint_array(recipients), bigint_array(message_rows),
             bigint_array(envelope_sizes));
      }
    }

    std::vector<std::int64_t> usage_ids, usage_envelopes, usage_bytes, usage_lasts;
    for (const auto& [name, changed] : usage) {
      if (changed.added_envelopes == 0) continue;
      usage_ids.push_back(changed.id);
      usage_envelopes.push_back(clamp_to_i64(changed.added_envelopes));
      usage_bytes.push_back(clamp_to_i64(changed.added_bytes));
      usage_lasts.push_back(changed.last_delivery);
    }
    if (!usage_ids.empty()) {
      exec(tx, kAddUsages, bigint_array(usage_ids), bigint_array(usage_envelopes), bigint_array(usage_bytes),
           bigint_array(usage_lasts));
    }
    tx.commit();
    return result;
  });
}

std::vector<QueuedEnvelope> PostgresStore::pending(std::string_view recipient, std::int64_t after_delivery_id,
                                                   std::size_t limit, std::int64_t now_ms) {
  return run(*pool_, "pending", Access::Read, [&](pqxx::transaction_base& tx) {
    std::vector<QueuedEnvelope> envelopes;
    for (const auto& row : exec(tx, kPending, std::string(recipient), after_delivery_id, now_ms, clamp_to_i64(limit))) {
      envelopes.push_back(QueuedEnvelope{row[0].as<std::int64_t>(), row[1].c_str(), fixed_bytes<16>(row[2]),
                                         bytes_of(row[3]), row[4].as<std::int64_t>(), row[5].as<std::int64_t>()});
    }
    return envelopes;
  });
}

std::uint64_t PostgresStore::ack_deliveries(std::span<const DeliveryAck> acks) {
  return write_batch({}, acks, {}).acked;
}

QueueUsage PostgresStore::queue_usage(std::string_view recipient) {
  return run(*pool_, "queue_usage", Access::Read, [&](pqxx::transaction_base& tx) -> QueueUsage {
    const auto rows = exec(tx, kQueueUsage, std::string(recipient));
    if (rows.empty()) return {};
    return {non_negative(rows[0][0]), non_negative(rows[0][1])};
  });
}

std::uint64_t PostgresStore::queue_depth() {
  return run(*pool_, "queue_depth", Access::Read,
             [&](pqxx::transaction_base& tx) { return non_negative(exec(tx, kQueueDepth)[0][0]); });
}

ExpiryResult PostgresStore::expire(std::int64_t now_ms) {
  return run(*pool_, "expire", Access::Write, [&](pqxx::transaction_base& tx) {
    // Lock order as everywhere: the revocation log, then queue rows by user_id.
    lock_revocation_log(tx);
    exec(tx, kLockExpiringQueues, now_ms);
    ExpiryResult result;
    // `pending` is exactly the number of deliveries still queued per message.
    // The deliveries follow by ON DELETE CASCADE, and the trigger gives their
    // bytes back to each recipient's queue total.
    for (const auto& row : exec(tx, kExpireMessages, now_ms)) result.envelopes += non_negative(row[0]);
    result.tokens = exec(tx, kExpireTokens, now_ms).affected_rows();
    // Every running relay has read these long ago (see postgres_schema.cc).
    exec(tx, kPruneRevocations, now_ms - kPgRevocationLogKeepMs);
    result.invites = exec(tx, kExpireInvites, now_ms).affected_rows();
    for (const auto& row : exec(tx, kExpireBlobs, now_ms)) result.blob_ids.emplace_back(row[0].c_str());
    tx.commit();
    std::sort(result.blob_ids.begin(), result.blob_ids.end());
    return result;
  });
}

// ---- blobs ----

BlobBeginStatus PostgresStore::begin_blob(std::string_view owner, std::string_view blob_id, std::uint64_t size,
                                          const Sha256Hash& sha256, std::int64_t expires_at_ms,
                                          const BlobLimits& limits) {
  if (!is_valid_blob_id(blob_id)) return BlobBeginStatus::InvalidId;
  if (size > limits.max_blob_bytes) return BlobBeginStatus::TooLarge;
  return run(*pool_, "begin_blob", Access::Write, [&](pqxx::transaction_base& tx) {
    // The owner's row lock serialises this owner's quota checks across nodes.
    const auto id = find_user_id(tx, kLockUser, owner);
    if (!id) return BlobBeginStatus::UnknownOwner;
    if (!exec(tx, kBlobExists, std::string(blob_id)).empty()) return BlobBeginStatus::IdTaken;
    // Blobs still uploading count with their full declared size: the space
    // is promised to them.
    const std::uint64_t bytes = non_negative(exec(tx, kBlobBytesOf, *id)[0][0]);
    if (bytes > limits.quota_bytes || size > limits.quota_bytes - bytes) return BlobBeginStatus::QuotaExceeded;
    // Another owner may have taken the id since the check above.
    if (exec(tx, kInsertBlob, std::string(blob_id), *id, clamp_to_i64(size), bin(sha256), expires_at_ms)
            .affected_rows() != 1) {
      return BlobBeginStatus::IdTaken;
    }
    tx.commit();
    return BlobBeginStatus::Started;
  });
}

std::optional<BlobRecord> PostgresStore::blob(std::string_view blob_id) {
  return run(*pool_, "blob", Access::Read, [&](pqxx::transaction_base& tx) -> std::optional<BlobRecord> {
    const auto rows = exec(tx, kBlob, std::string(blob_id));
    if (rows.empty()) return std::nullopt;
    const auto& row = rows[0];
    return BlobRecord{row[0].c_str(),       row[1].c_str(),    non_negative(row[2]),      fixed_bytes<32>(row[3]),
                      non_negative(row[4]), row[5].as<bool>(), row[6].as<std::int64_t>(), row[7].as<bool>()};
  });
}

bool PostgresStore::set_blob_received(std::string_view blob_id, std::uint64_t offset, std::int64_t expires_at_ms) {
  // No stored size reaches past the int64 range, so such an offset exceeds it.
  if (offset > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
  return run(*pool_, "set_blob_received", Access::Write, [&](pqxx::transaction_base& tx) {
    const bool set = exec(tx, kSetBlobReceived, static_cast<std::int64_t>(offset), std::string(blob_id), expires_at_ms)
                         .affected_rows() == 1;
    tx.commit();
    return set;
  });
}

BlobCompleteResult PostgresStore::complete_blob(std::string_view blob_id, std::span<const std::string> readers,
                                                std::int64_t expires_at_ms) {
  return run(*pool_, "complete_blob", Access::Write, [&](pqxx::transaction_base& tx) -> BlobCompleteResult {
    if (exec(tx, kCompleteBlob, std::string(blob_id), !readers.empty(), expires_at_ms).affected_rows() != 1)
      return {BlobCompleteStatus::NotReady, {}};
    for (const std::string& reader : readers) {
      const auto id = find_user_id(tx, kUserId, reader);
      if (!id) return {BlobCompleteStatus::UnknownReader, reader};  // not committed: the completion is undone
      // A name given twice (the validator refuses that) holds one claim.
      exec(tx, kInsertReader, std::string(blob_id), *id);
    }
    tx.commit();
    return {BlobCompleteStatus::Completed, {}};
  });
}

bool PostgresStore::holds_blob_claim(std::string_view blob_id, std::string_view reader) {
  return run(*pool_, "holds_blob_claim", Access::Read, [&](pqxx::transaction_base& tx) {
    return !exec(tx, kHoldsClaim, std::string(blob_id), std::string(reader)).empty();
  });
}

std::vector<std::string> PostgresStore::blob_readers(std::string_view blob_id) {
  return run(*pool_, "blob_readers", Access::Read, [&](pqxx::transaction_base& tx) {
    std::vector<std::string> readers;
    for (const auto& row : exec(tx, kBlobReaders, std::string(blob_id))) readers.emplace_back(row[0].c_str());
    return readers;
  });
}

BlobReleaseStatus PostgresStore::release_blob(std::string_view blob_id, std::string_view user, std::int64_t now_ms) {
  return run(*pool_, "release_blob", Access::Write, [&](pqxx::transaction_base& tx) {
    // An expired blob is gone for every purpose, even before expire() runs.
    const auto owner = exec(tx, kLiveBlobOwner, std::string(blob_id), now_ms);
    if (owner.empty()) return BlobReleaseStatus::NotFound;
    const auto owner_id = owner[0][0].as<std::int64_t>();
    const auto id = find_user_id(tx, kUserId, user);
    if (!id) return BlobReleaseStatus::NotFound;
    const auto remove = [&] {
      exec(tx, kDeleteBlob, std::string(blob_id));  // the claims follow by ON DELETE CASCADE
      tx.commit();
      return BlobReleaseStatus::Removed;
    };
    if (*id == owner_id) return remove();
    if (exec(tx, kDropClaim, std::string(blob_id), *id).affected_rows() != 1) return BlobReleaseStatus::NotFound;
    if (!exec(tx, kAnyClaim, std::string(blob_id)).empty()) {
      tx.commit();
      return BlobReleaseStatus::ClaimReleased;
    }
    return remove();
  });
}

bool PostgresStore::remove_blob(std::string_view blob_id) {
  return run(*pool_, "remove_blob", Access::Write, [&](pqxx::transaction_base& tx) {
    const bool removed = exec(tx, kDeleteBlob, std::string(blob_id)).affected_rows() == 1;
    tx.commit();
    return removed;
  });
}

BlobUsage PostgresStore::blob_usage(std::string_view owner) {
  return run(*pool_, "blob_usage", Access::Read, [&](pqxx::transaction_base& tx) -> BlobUsage {
    const auto rows = exec(tx, kBlobUsage, std::string(owner));
    return {non_negative(rows[0][0]), non_negative(rows[0][1])};
  });
}

// ---- moving a relay between backends ----

namespace {

// Runs `query` through a cursor, kExportFetchRows rows per round trip, so
// that a large queue is never held in memory whole.
void for_each_row(pqxx::transaction_base& tx, const std::string& cursor, const std::string& query,
                  const std::function<void(const pqxx::row&)>& fn) {
  tx.exec("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + query);
  const std::string fetch = "FETCH FORWARD " + std::to_string(kExportFetchRows) + " FROM " + cursor;
  for (;;) {
    const auto rows = tx.exec(fetch);
    for (const auto& row : rows) fn(row);
    if (rows.size() < static_cast<std::size_t>(kExportFetchRows)) break;
  }
  tx.exec("CLOSE " + cursor);
}

}  // namespace

void PostgresStore::export_records(const std::function<void(const DumpRecord&)>& sink) {
  auto lease = pool_->borrow();
  pg::translate_errors("export_records", [&] {
    // One snapshot for the whole dump: REPEATABLE READ, read only.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*lease);
    for_each_row(tx, "dump_users",
                 "SELECT username, password_hash, signing_key, dh_key, identity_signature, created_at_ms FROM users "
                 "ORDER BY username",
                 [&](const pqxx::row& row) { sink(DumpRecord{read_user(row)}); });
    for_each_row(tx, "dump_tokens",
                 "SELECT t.token_sha256, u.username, t.device_name, t.expires_at_ms FROM tokens t "
                 "JOIN users u ON u.id = t.user_id ORDER BY u.username, t.token_sha256",
                 [&](const pqxx::row& row) {
                   sink(DumpRecord{TokenRecord{fixed_bytes<32>(row[0]), row[1].c_str(), row[2].c_str(),
                                               row[3].as<std::int64_t>()}});
                 });
    for_each_row(tx, "dump_invites", "SELECT code_sha256, expires_at_ms FROM invites ORDER BY code_sha256",
                 [&](const pqxx::row& row) {
                   sink(DumpRecord{InviteRecord{fixed_bytes<32>(row[0]), row[1].as<std::int64_t>()}});
                 });
    for_each_row(tx, "dump_signed_prekeys",
                 "SELECT u.username, s.prekey_id, s.public_key, s.signature FROM signed_prekeys s "
                 "JOIN users u ON u.id = s.user_id ORDER BY u.username",
                 [&](const pqxx::row& row) {
                   sink(DumpRecord{StoredSignedPrekey{
                       row[0].c_str(), SignedPrekey{static_cast<std::uint32_t>(row[1].as<std::int64_t>()),
                                                    bytes_of(row[2]), bytes_of(row[3])}}});
                 });
    for_each_row(
        tx, "dump_one_time_prekeys",
        "SELECT u.username, p.prekey_id, p.public_key FROM one_time_prekeys p "
        "JOIN users u ON u.id = p.user_id ORDER BY u.username, p.prekey_id",
        [&](const pqxx::row& row) {
          sink(DumpRecord{StoredOneTimePrekey{
              row[0].c_str(), OneTimePrekey{static_cast<std::uint32_t>(row[1].as<std::int64_t>()), bytes_of(row[2])}}});
        });
    for_each_row(
        tx, "dump_deliveries",
        "SELECT u.username, d.delivery_id, m.sender, m.message_id, m.envelope, m.server_time_ms, "
        "m.expires_at_ms FROM deliveries d JOIN messages m ON m.id = d.message_row "
        "JOIN users u ON u.id = d.recipient_id ORDER BY d.delivery_id",
        [&](const pqxx::row& row) {
          sink(DumpRecord{StoredDelivery{
              row[0].c_str(), QueuedEnvelope{row[1].as<std::int64_t>(), row[2].c_str(), fixed_bytes<16>(row[3]),
                                             bytes_of(row[4]), row[5].as<std::int64_t>(), row[6].as<std::int64_t>()}}});
        });
    // Blobs with their readers: one ordered pass over both, merged by blob_id.
    std::vector<StoredBlob> blobs;
    for_each_row(tx, "dump_blobs",
                 "SELECT b.blob_id, u.username, b.size, b.sha256, b.received, b.complete, b.expires_at_ms, "
                 "b.restricted FROM blobs b JOIN users u ON u.id = b.owner_id ORDER BY b.blob_id",
                 [&](const pqxx::row& row) {
                   StoredBlob blob;
                   blob.blob = BlobRecord{
                       row[0].c_str(),       row[1].c_str(),    non_negative(row[2]),      fixed_bytes<32>(row[3]),
                       non_negative(row[4]), row[5].as<bool>(), row[6].as<std::int64_t>(), row[7].as<bool>()};
                   const auto readers = tx.exec_params(
                       "SELECT u.username FROM blob_readers r JOIN users u ON u.id = r.reader_id "
                       "WHERE r.blob_id = $1 ORDER BY u.username",
                       blob.blob.id);
                   for (const auto& reader : readers) blob.readers.emplace_back(reader[0].c_str());
                   sink(DumpRecord{std::move(blob)});
                 });
    // The highest id ever handed out, acknowledged ones included: an importer
    // must never hand one out again (a repeated DeliverAck would delete the
    // new envelope). NULL while the sequence is unused.
    const auto sequence = tx.exec(
        "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('deliveries', 'delivery_id')::regclass), 0)");
    sink(DumpRecord{DeliverySequence{sequence[0][0].as<std::int64_t>()}});
  });
}

ImportCounts PostgresStore::import_records(const std::function<std::optional<DumpRecord>()>& next) {
  auto lease = pool_->borrow();
  // Not retried: next() cannot be rewound. Any failure rolls back the lot.
  return pg::translate_errors("import_records", [&] {
    pqxx::work tx(*lease);
    // Two imports at once (two nodes) would both see an empty store.
    tx.exec("LOCK TABLE users IN EXCLUSIVE MODE");
    if (!tx.exec("SELECT 1 FROM users LIMIT 1").empty())
      throw StoreError("import_records: the store already holds users; import only into an empty store",
                       SQLITE_CONSTRAINT);

    ImportCounts counts;
    std::unordered_map<std::string, std::int64_t> ids;
    const auto id_of = [&](const std::string& name, const char* what) {
      auto it = ids.find(name);
      if (it == ids.end()) {
        throw StoreError(std::string("import_records: ") + what + " of a user not in the dump", SQLITE_CONSTRAINT);
      }
      return it->second;
    };
    const auto refuse_duplicate = [](const pqxx::result& result, const char* what) {
      if (result.affected_rows() != 1) {
        throw StoreError(std::string("import_records: the dump holds a ") + what + " twice", SQLITE_CONSTRAINT);
      }
    };
    // Messages rebuilt from the deliveries: one row per (sender, message_id),
    // shared by its recipients as commit_sends stored it.
    std::map<std::pair<std::string, MessageId>, std::int64_t> messages;
    std::unordered_map<std::int64_t, std::pair<std::uint64_t, std::uint64_t>> usage;  // user id -> (envelopes, bytes)
    std::int64_t max_delivery_id = 0;

    while (auto record = next()) {
      std::visit(
          [&](const auto& item) {
            using T = std::decay_t<decltype(item)>;
            if constexpr (std::is_same_v<T, UserRecord>) {
              const auto inserted =
                  exec(tx, kInsertUser, item.username, item.password_hash, bin(item.identity.signing_key),
                       bin(item.identity.dh_key), bin(item.identity.signature), item.created_at_ms);
              refuse_duplicate(inserted, "user");
              ids.emplace(item.username, first_int64(inserted));
              ++counts.users;
            } else if constexpr (std::is_same_v<T, TokenRecord>) {
              refuse_duplicate(tx.exec_params("INSERT INTO tokens (token_sha256, user_id, device_name, expires_at_ms) "
                                              "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                              bin(item.token_sha256), id_of(item.username, "a token"), item.device_name,
                                              item.expires_at_ms),
                               "token");
              ++counts.tokens;
            } else if constexpr (std::is_same_v<T, InviteRecord>) {
              refuse_duplicate(exec(tx, kAddInvite, bin(item.code_sha256), item.expires_at_ms), "invite");
              ++counts.invites;
            } else if constexpr (std::is_same_v<T, StoredSignedPrekey>) {
              refuse_duplicate(
                  tx.exec_params("INSERT INTO signed_prekeys (user_id, prekey_id, public_key, signature) "
                                 "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                 id_of(item.username, "a signed prekey"), static_cast<std::int64_t>(item.prekey.id),
                                 bin(item.prekey.public_key), bin(item.prekey.signature)),
                  "signed prekey");
              ++counts.signed_prekeys;
            } else if constexpr (std::is_same_v<T, StoredOneTimePrekey>) {
              refuse_duplicate(tx.exec_params("INSERT INTO one_time_prekeys (user_id, prekey_id, public_key) "
                                              "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                              id_of(item.username, "a one-time prekey"),
                                              static_cast<std::int64_t>(item.prekey.id), bin(item.prekey.public_key)),
                               "one-time prekey");
              ++counts.one_time_prekeys;
            } else if constexpr (std::is_same_v<T, StoredDelivery>) {
              const QueuedEnvelope& envelope = item.envelope;
              const std::int64_t recipient = id_of(item.recipient, "a delivery");
              const auto key = std::make_pair(envelope.sender, envelope.message_id);
              auto it = messages.find(key);
              if (it == messages.end()) {
                const auto inserted = exec(tx, kInsertMessage, envelope.sender, bin(envelope.message_id),
                                           bin(envelope.envelope), clamp_to_i64(envelope.envelope.size()),
                                           envelope.server_time_ms, envelope.expires_at_ms, std::int64_t{0});
                refuse_duplicate(inserted, "message");
                it = messages.emplace(key, first_int64(inserted)).first;
              }
              tx.exec_params("UPDATE messages SET pending = pending + 1 WHERE id = $1", it->second);
              refuse_duplicate(
                  tx.exec_params("INSERT INTO deliveries (delivery_id, recipient_id, message_row, envelope_size) "
                                 "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                 envelope.delivery_id, recipient, it->second, clamp_to_i64(envelope.envelope.size())),
                  "delivery id");
              auto& totals = usage[recipient];
              totals.first += 1;
              totals.second += envelope.envelope.size();
              max_delivery_id = std::max(max_delivery_id, envelope.delivery_id);
              ++counts.deliveries;
            } else if constexpr (std::is_same_v<T, StoredBlob>) {
              const BlobRecord& blob = item.blob;
              refuse_duplicate(
                  tx.exec_params("INSERT INTO blobs (blob_id, owner_id, size, sha256, received, complete, "
                                 "expires_at_ms, restricted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                                 "ON CONFLICT DO NOTHING",
                                 blob.id, id_of(blob.owner, "a blob"), clamp_to_i64(blob.size), bin(blob.sha256),
                                 clamp_to_i64(blob.received), blob.complete, blob.expires_at_ms, blob.restricted),
                  "blob");
              for (const std::string& reader : item.readers) {
                refuse_duplicate(exec(tx, kInsertReader, blob.id, id_of(reader, "a blob reader")), "blob reader");
              }
              ++counts.blobs;
            } else if constexpr (std::is_same_v<T, DeliverySequence>) {
              if (item.last_delivery_id < max_delivery_id) {
                throw StoreError("import_records: the dump's delivery sequence is below one of its delivery ids",
                                 SQLITE_CONSTRAINT);
              }
              max_delivery_id = item.last_delivery_id;
            } else {
              static_assert(sizeof(T) == 0, "every DumpRecord type must be imported");
            }
          },
          *record);
    }

    // queue_usage.last_delivery stays 0 ("none known"): every imported
    // delivery is stored before any relay serves this store, so a session
    // reads it when it connects, not from a live push.
    for (const auto& [id, totals] : usage) {
      exec(tx, kAddUsage, clamp_to_i64(totals.first), clamp_to_i64(totals.second), id);
    }
    if (max_delivery_id > 0) {
      // Later Sends draw ids above every imported one (and above any the
      // sequence already handed out here: ids are never reused).
      tx.exec_params(
          "SELECT setval(s, greatest($1, coalesce(pg_sequence_last_value(s), 0))) "
          "FROM (SELECT pg_get_serial_sequence('deliveries', 'delivery_id')::regclass AS s) q",
          max_delivery_id);
    }
    tx.commit();
    return counts;
  });
}

}  // namespace sotto::relayd
