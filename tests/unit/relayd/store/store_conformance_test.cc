// The Store contract, checked against every backend: each case runs on
// SqliteStore and on PostgresStore (a fresh database of this process's
// PostgreSQL server, tests/support/postgres_server.h). A backend that misses
// a case fails it. Backend-specific cases live in sqlite_store_test.cc and
// postgres_store_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "lib/store/database.h"
#include "lib/store/store_error.h"
#include "relayd/store/postgres_schema.h"
#include "relayd/store/postgres_store.h"
#include "relayd/store/sqlite_store.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/relayd/store/store_test_data.h"

namespace sotto::relayd {
namespace {

using testdata::bytes;
using testdata::hash;
using testdata::kBlobLimits;
using testdata::kHour;
using testdata::kNow;
using testdata::kRoomy;
using testdata::message_id;
using testdata::send;
using testdata::user;

// One backend under test: a store that can be opened again (a relay
// restarting on the same data), and a way to count rows past the interface.
// Both schemas use the same table and column names, so the SQL is shared.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  virtual std::unique_ptr<Store> open() = 0;
  virtual std::int64_t raw_query(const std::string& sql) = 0;
};

class SqliteBackend final : public StoreBackend {
 public:
  std::unique_ptr<Store> open() override { return std::make_unique<SqliteStore>(path()); }
  std::int64_t raw_query(const std::string& sql) override {
    store::Database db(path());
    auto statement = db.prepare(sql);
    EXPECT_EQ(statement.step(), store::StepResult::Row);
    return statement.column_int64(0);
  }

 private:
  std::filesystem::path path() const { return dir_ / "relay.db"; }
  sotto::testing::TempDir dir_;
};

// A fresh database per test, copied from one migrated once per server
// (PostgresStore's constructor then finds nothing to do): a copy takes a
// third of the time that creating and migrating one does.
std::string fresh_postgres_database() {
  static std::once_flag migrated;
  auto& server = sotto::testing::PostgresServer::shared();
  std::call_once(migrated, [&] {
    server.create_database_once("sotto_migrated", [](const std::string& uri) { postgres_migrate(uri); });
  });
  return server.create_fresh_database("sotto_migrated");
}

class PostgresBackend final : public StoreBackend {
 public:
  PostgresBackend() : uri_(fresh_postgres_database()) {}
  std::unique_ptr<Store> open() override { return std::make_unique<PostgresStore>(uri_); }
  std::int64_t raw_query(const std::string& sql) override {
    pqxx::connection connection(uri_);
    pqxx::nontransaction tx(connection);
    return tx.exec1(sql)[0].as<std::int64_t>();
  }

 private:
  std::string uri_;
};

struct Backend {
  const char* name;
  std::function<std::unique_ptr<StoreBackend>()> make;
};

class StoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  StoreConformanceTest() : backend_(GetParam().make()), owned_(backend_->open()), store_(*owned_) {
    for (const char* name : {"alice", "bob", "carol"}) EXPECT_TRUE(store_.create_user(user(name)));
  }

  SendResult send_one(const PendingSend& pending, const QueueLimits& limits = kRoomy) {
    const auto results = store_.commit_sends(std::span(&pending, 1), limits);
    EXPECT_EQ(results.size(), 1u);
    return results.at(0);
  }

  // The same data opened by a second store object (a restarted relay).
  std::unique_ptr<Store> reopen() { return backend_->open(); }

  // Reads a number straight from the database, past the store's interface.
  std::int64_t raw_query(const std::string& sql) { return backend_->raw_query(sql); }

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<Store> owned_;
  Store& store_;
};

TEST_P(StoreConformanceTest, CommittedDataSurvivesClosingAndReopening) {
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "laptop", kNow + kHour));
  ASSERT_TRUE(store_.set_signed_prekey("bob", SignedPrekey{7, bytes(32, 7), bytes(64, 7)}));
  ASSERT_EQ(store_.add_one_time_prekeys("bob", std::vector{OneTimePrekey{1, bytes(32, 1)}}, {}).status,
            PrekeyUploadStatus::Stored);
  const auto sent = send_one(send("alice", 1, {"bob"}));
  ASSERT_EQ(store_.begin_blob("alice", "blob1", 10, hash(9), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);

  const auto reopened_store = reopen();
  Store& reopened = *reopened_store;
  EXPECT_EQ(reopened.list_users().size(), 3u);
  EXPECT_TRUE(reopened.find_token(hash(1), kNow).has_value());
  EXPECT_EQ(reopened.count_one_time_prekeys("bob"), 1u);
  const auto queued = reopened.pending("bob", 0, 10, kNow);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].delivery_id, sent.deliveries.at(0).delivery_id);
  EXPECT_EQ(queued[0].envelope, bytes(100, 1));
  EXPECT_TRUE(reopened.blob("blob1").has_value());
  EXPECT_EQ(reopened.queue_usage("bob"), (QueueUsage{1, 100}));
}

// ---- users ----

TEST_P(StoreConformanceTest, FindsAUserWithEveryField) {
  const auto found = store_.find_user("alice");
  ASSERT_TRUE(found.has_value());
  const UserRecord expected = user("alice");
  EXPECT_EQ(found->username, "alice");
  EXPECT_EQ(found->password_hash, expected.password_hash);
  EXPECT_EQ(found->identity.signing_key, expected.identity.signing_key);
  EXPECT_EQ(found->identity.dh_key, expected.identity.dh_key);
  EXPECT_EQ(found->identity.signature, expected.identity.signature);
  EXPECT_EQ(found->created_at_ms, kNow);
}

TEST_P(StoreConformanceTest, RefusesATakenUsername) {
  UserRecord again = user("alice");
  again.password_hash = "other";
  EXPECT_FALSE(store_.create_user(again));
  EXPECT_EQ(store_.find_user("alice")->password_hash, user("alice").password_hash);
}

TEST_P(StoreConformanceTest, FindsNoUnknownUserAndComparesNamesExactly) {
  EXPECT_FALSE(store_.find_user("dave").has_value());
  EXPECT_FALSE(store_.find_user("Alice").has_value());
  EXPECT_FALSE(store_.find_user("alice ").has_value());
}

TEST_P(StoreConformanceTest, ListsUsersInNameOrder) {
  ASSERT_TRUE(store_.create_user(user("aaron")));
  std::vector<std::string> names;
  for (const auto& record : store_.list_users()) names.push_back(record.username);
  EXPECT_EQ(names, (std::vector<std::string>{"aaron", "alice", "bob", "carol"}));
}

TEST_P(StoreConformanceTest, RemovingAnUnknownUserReportsNothing) {
  EXPECT_FALSE(store_.remove_user("dave").has_value());
}

TEST_P(StoreConformanceTest, RemovingAUserRemovesEverythingOfTheirs) {
  ASSERT_TRUE(store_.add_token(hash(1), "bob", "phone", kNow + kHour));
  ASSERT_TRUE(store_.add_token(hash(2), "alice", "laptop", kNow + kHour));
  ASSERT_TRUE(store_.set_signed_prekey("bob", SignedPrekey{1, bytes(32, 1), bytes(64, 1)}));
  ASSERT_EQ(store_.add_one_time_prekeys("bob", std::vector{OneTimePrekey{1, bytes(32, 1)}}, {}).status,
            PrekeyUploadStatus::Stored);
  ASSERT_EQ(send_one(send("alice", 1, {"bob", "carol"})).status, SendStatus::Stored);
  ASSERT_EQ(send_one(send("bob", 2, {"carol"})).status, SendStatus::Stored);
  ASSERT_EQ(store_.begin_blob("bob", "b2", 10, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
  ASSERT_EQ(store_.begin_blob("bob", "b1", 10, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
  ASSERT_EQ(store_.begin_blob("alice", "a1", 10, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);

  const auto removed = store_.remove_user("bob");
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->blob_ids, (std::vector<std::string>{"b1", "b2"}));

  EXPECT_FALSE(store_.find_user("bob").has_value());
  EXPECT_FALSE(store_.find_token(hash(1), kNow).has_value());
  EXPECT_TRUE(store_.find_token(hash(2), kNow).has_value());
  EXPECT_FALSE(store_.blob("b1").has_value());
  EXPECT_TRUE(store_.blob("a1").has_value());
  EXPECT_EQ(store_.queue_usage("bob"), QueueUsage{});
  // Carol still gets both envelopes, including the one bob sent.
  EXPECT_EQ(store_.pending("carol", 0, 10, kNow).size(), 2u);
  EXPECT_EQ(store_.queue_depth(), 2u);
  EXPECT_EQ(raw_query("SELECT count(*) FROM one_time_prekeys"), 0);
  EXPECT_EQ(raw_query("SELECT count(*) FROM signed_prekeys"), 0);

  // The name is free again, and the new bob starts with nothing.
  ASSERT_TRUE(store_.create_user(user("bob")));
  EXPECT_TRUE(store_.pending("bob", 0, 10, kNow).empty());
  EXPECT_FALSE(store_.take_bundle("bob").has_value());
}

TEST_P(StoreConformanceTest, RegistrationByInviteCreatesTheUserAndUsesTheInvite) {
  ASSERT_TRUE(store_.add_invite(hash(5), kNow + kHour));
  EXPECT_EQ(store_.create_user_with_invite(user("dave"), hash(5), kNow), CreateUserStatus::Created);
  EXPECT_TRUE(store_.find_user("dave").has_value());
  EXPECT_FALSE(store_.consume_invite(hash(5), kNow));
}

TEST_P(StoreConformanceTest, RegistrationByInviteWithATakenNameKeepsTheInvite) {
  ASSERT_TRUE(store_.add_invite(hash(5), kNow + kHour));
  EXPECT_EQ(store_.create_user_with_invite(user("alice"), hash(5), kNow), CreateUserStatus::UsernameTaken);
  EXPECT_TRUE(store_.consume_invite(hash(5), kNow));
}

TEST_P(StoreConformanceTest, RegistrationWithAnUnknownOrExpiredInviteCreatesNobody) {
  ASSERT_TRUE(store_.add_invite(hash(5), kNow));
  EXPECT_EQ(store_.create_user_with_invite(user("dave"), hash(6), kNow - 1), CreateUserStatus::InvalidInvite);
  EXPECT_EQ(store_.create_user_with_invite(user("dave"), hash(5), kNow), CreateUserStatus::InvalidInvite);
  EXPECT_FALSE(store_.find_user("dave").has_value());
}

// ---- tokens ----

TEST_P(StoreConformanceTest, FindsAnUnexpiredToken) {
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "laptop", kNow + kHour));
  const auto found = store_.find_token(hash(1), kNow);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->token_sha256, hash(1));
  EXPECT_EQ(found->username, "alice");
  EXPECT_EQ(found->device_name, "laptop");
  EXPECT_EQ(found->expires_at_ms, kNow + kHour);
  EXPECT_FALSE(store_.find_token(hash(2), kNow).has_value());
}

TEST_P(StoreConformanceTest, ATokenExpiresAtItsExpiryTime) {
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "laptop", kNow + kHour));
  EXPECT_TRUE(store_.find_token(hash(1), kNow + kHour - 1).has_value());
  EXPECT_FALSE(store_.find_token(hash(1), kNow + kHour).has_value());
}

TEST_P(StoreConformanceTest, AddTokenRefusesAnUnknownUserAndARepeatedHash) {
  EXPECT_FALSE(store_.add_token(hash(1), "dave", "x", kNow + kHour));
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "laptop", kNow + kHour));
  EXPECT_FALSE(store_.add_token(hash(1), "bob", "phone", kNow + kHour));
  EXPECT_EQ(store_.find_token(hash(1), kNow)->username, "alice");
}

TEST_P(StoreConformanceTest, ARevokedTokenIsNoLongerFound) {
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "laptop", kNow + kHour));
  EXPECT_TRUE(store_.revoke_token(hash(1)));
  EXPECT_FALSE(store_.find_token(hash(1), kNow).has_value());
  EXPECT_FALSE(store_.revoke_token(hash(1)));
}

TEST_P(StoreConformanceTest, RevokingAUsersTokensLeavesOtherUsersTokens) {
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "laptop", kNow + kHour));
  ASSERT_TRUE(store_.add_token(hash(2), "alice", "phone", kNow + kHour));
  ASSERT_TRUE(store_.add_token(hash(3), "bob", "phone", kNow + kHour));
  EXPECT_EQ(store_.revoke_user_tokens("alice"), 2u);
  EXPECT_FALSE(store_.find_token(hash(1), kNow).has_value());
  EXPECT_FALSE(store_.find_token(hash(2), kNow).has_value());
  EXPECT_TRUE(store_.find_token(hash(3), kNow).has_value());
  EXPECT_EQ(store_.revoke_user_tokens("alice"), 0u);
  EXPECT_EQ(store_.revoke_user_tokens("dave"), 0u);
}

// ---- the revocation log ----

std::vector<Sha256Hash> revoked_hashes(const std::vector<TokenRevocation>& log) {
  std::vector<Sha256Hash> hashes;
  for (const auto& entry : log) hashes.push_back(entry.token_sha256);
  return hashes;
}

TEST_P(StoreConformanceTest, EveryWayATokenGoesIsLoggedInOrder) {
  EXPECT_EQ(store_.last_token_revocation(), 0);
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "laptop", kNow + kHour));
  ASSERT_TRUE(store_.add_token(hash(2), "bob", "phone", kNow + kHour));
  ASSERT_TRUE(store_.add_token(hash(3), "bob", "laptop", kNow + kHour));
  ASSERT_TRUE(store_.add_token(hash(4), "carol", "phone", kNow + kHour));
  ASSERT_TRUE(store_.add_token(hash(5), "carol", "old", kNow - 1));
  ASSERT_TRUE(store_.add_token(hash(6), "alice", "phone", kNow + kHour));

  ASSERT_TRUE(store_.revoke_token(hash(1)));             // Logout
  ASSERT_EQ(store_.revoke_user_tokens("bob"), 2u);       // relayd user revoke
  ASSERT_TRUE(store_.remove_user("carol").has_value());  // the account, by ON DELETE CASCADE
  ASSERT_EQ(store_.change_password("alice", "$argon2id$new"), std::optional<std::uint64_t>(1));

  const auto log = store_.token_revocations_after(0, 100);
  ASSERT_EQ(log.size(), 6u);
  const auto hashes = revoked_hashes(log);
  EXPECT_EQ(hashes[0], hash(1));
  EXPECT_EQ(std::set<Sha256Hash>(hashes.begin() + 1, hashes.begin() + 3), (std::set<Sha256Hash>{hash(2), hash(3)}));
  EXPECT_EQ(std::set<Sha256Hash>(hashes.begin() + 3, hashes.begin() + 5), (std::set<Sha256Hash>{hash(4), hash(5)}));
  EXPECT_EQ(hashes[5], hash(6));
  for (std::size_t i = 1; i < log.size(); ++i) EXPECT_GT(log[i].seq, log[i - 1].seq);
  EXPECT_EQ(store_.last_token_revocation(), log.back().seq);

  // Read from where a relay stopped, a page at a time.
  const auto tail = store_.token_revocations_after(log[2].seq, 2);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].seq, log[3].seq);
  EXPECT_EQ(tail[1].seq, log[4].seq);
  EXPECT_TRUE(store_.token_revocations_after(log.back().seq, 100).empty());
}

TEST_P(StoreConformanceTest, ExpiredTokensAreLoggedAndTheLogIsPrunedAfterAnHour) {
  // The log's times come from the database's clock, so this test works in today's time.
  const std::int64_t today =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "laptop", today - 1));
  ASSERT_TRUE(store_.add_token(hash(2), "alice", "phone", today + 10 * kHour));
  EXPECT_EQ(store_.expire(today).tokens, 1u);
  const auto log = store_.token_revocations_after(0, 100);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].token_sha256, hash(1));
  store_.expire(today + kHour - 2000);
  EXPECT_EQ(store_.token_revocations_after(0, 100).size(), 1u);
  // An hour and a bit later the entry is gone, and seq still never goes back.
  store_.expire(today + kHour + 2000);
  EXPECT_TRUE(store_.token_revocations_after(0, 100).empty());
  ASSERT_TRUE(store_.revoke_token(hash(2)));
  EXPECT_GT(store_.token_revocations_after(0, 100).at(0).seq, log[0].seq);
}

TEST_P(StoreConformanceTest, ChangingAPasswordReplacesTheHashAndRevokesOnlyThatUsersTokens) {
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "laptop", kNow + kHour));
  ASSERT_TRUE(store_.add_token(hash(2), "bob", "phone", kNow + kHour));
  EXPECT_EQ(store_.change_password("alice", "$argon2id$new"), std::optional<std::uint64_t>(1));
  EXPECT_EQ(store_.find_user("alice")->password_hash, "$argon2id$new");
  EXPECT_FALSE(store_.find_token(hash(1), kNow).has_value());
  EXPECT_TRUE(store_.find_token(hash(2), kNow).has_value());
  EXPECT_EQ(store_.change_password("dave", "$argon2id$x"), std::nullopt);
  EXPECT_EQ(store_.token_revocations_after(0, 100).size(), 1u);
}

TEST_P(StoreConformanceTest, ListsAUsersUnexpiredTokensSoonestFirst) {
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "laptop", kNow + 2 * kHour));
  ASSERT_TRUE(store_.add_token(hash(2), "alice", "phone", kNow + kHour));
  ASSERT_TRUE(store_.add_token(hash(3), "alice", "old", kNow - 1));
  ASSERT_TRUE(store_.add_token(hash(4), "bob", "phone", kNow + kHour));
  const auto tokens = store_.list_tokens("alice", kNow);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].device_name, "phone");
  EXPECT_EQ(tokens[1].device_name, "laptop");
  EXPECT_EQ(tokens[1].username, "alice");
}

// ---- invites ----

TEST_P(StoreConformanceTest, AnInviteCanBeConsumedExactlyOnce) {
  ASSERT_TRUE(store_.add_invite(hash(1), kNow + kHour));
  EXPECT_FALSE(store_.add_invite(hash(1), kNow + kHour));
  EXPECT_FALSE(store_.consume_invite(hash(2), kNow));
  EXPECT_TRUE(store_.consume_invite(hash(1), kNow));
  EXPECT_FALSE(store_.consume_invite(hash(1), kNow));
}

TEST_P(StoreConformanceTest, AnExpiredInviteIsRefused) {
  ASSERT_TRUE(store_.add_invite(hash(1), kNow));
  EXPECT_FALSE(store_.consume_invite(hash(1), kNow));
}

// ---- prekeys ----

TEST_P(StoreConformanceTest, NoBundleForAnUnknownUserOrBeforeASignedPrekey) {
  EXPECT_FALSE(store_.take_bundle("dave").has_value());
  ASSERT_EQ(store_.add_one_time_prekeys("bob", std::vector{OneTimePrekey{1, bytes(32, 1)}}, {}).status,
            PrekeyUploadStatus::Stored);
  EXPECT_FALSE(store_.take_bundle("bob").has_value());
  EXPECT_EQ(store_.count_one_time_prekeys("bob"), 1u) << "a bundle that was not handed out used up a prekey";
}

TEST_P(StoreConformanceTest, BundleHandsOutOneTimePrekeysOnceThenFallsBackToTheSignedPrekey) {
  ASSERT_TRUE(store_.set_signed_prekey("bob", SignedPrekey{9, bytes(32, 9), bytes(64, 9)}));
  const std::vector<OneTimePrekey> uploaded{{20, bytes(32, 20)}, {10, bytes(32, 10)}};
  const auto upload = store_.add_one_time_prekeys("bob", uploaded, {});
  EXPECT_EQ(upload.status, PrekeyUploadStatus::Stored);
  EXPECT_EQ(upload.stored, 2u);

  const auto first = store_.take_bundle("bob");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->identity.signing_key, user("bob").identity.signing_key);
  EXPECT_EQ(first->identity.dh_key, user("bob").identity.dh_key);
  EXPECT_EQ(first->identity.signature, user("bob").identity.signature);
  EXPECT_EQ(first->signed_prekey.id, 9u);
  EXPECT_EQ(first->signed_prekey.public_key, bytes(32, 9));
  EXPECT_EQ(first->signed_prekey.signature, bytes(64, 9));
  ASSERT_TRUE(first->one_time_prekey.has_value());
  EXPECT_EQ(first->one_time_prekey->id, 10u);
  EXPECT_EQ(first->one_time_prekey->public_key, bytes(32, 10));
  EXPECT_EQ(first->one_time_remaining, 1u);

  const auto second = store_.take_bundle("bob");
  ASSERT_TRUE(second.has_value() && second->one_time_prekey.has_value());
  EXPECT_EQ(second->one_time_prekey->id, 20u);
  EXPECT_EQ(second->one_time_remaining, 0u);

  const auto third = store_.take_bundle("bob");
  ASSERT_TRUE(third.has_value());
  EXPECT_FALSE(third->one_time_prekey.has_value());
  EXPECT_EQ(third->signed_prekey.id, 9u);
  EXPECT_EQ(store_.count_one_time_prekeys("bob"), 0u);
}

TEST_P(StoreConformanceTest, ASignedPrekeyReplacesThePreviousOne) {
  EXPECT_FALSE(store_.set_signed_prekey("dave", SignedPrekey{1, bytes(32, 1), bytes(64, 1)}));
  ASSERT_TRUE(store_.set_signed_prekey("bob", SignedPrekey{1, bytes(32, 1), bytes(64, 1)}));
  ASSERT_TRUE(store_.set_signed_prekey("bob", SignedPrekey{2, bytes(32, 2), bytes(64, 2)}));
  const auto bundle = store_.take_bundle("bob");
  ASSERT_TRUE(bundle.has_value());
  EXPECT_EQ(bundle->signed_prekey.id, 2u);
  EXPECT_EQ(bundle->signed_prekey.public_key, bytes(32, 2));
}

TEST_P(StoreConformanceTest, UploadingAOneTimePrekeyIdAgainReplacesIt) {
  ASSERT_TRUE(store_.set_signed_prekey("bob", SignedPrekey{1, bytes(32, 1), bytes(64, 1)}));
  ASSERT_EQ(store_.add_one_time_prekeys("bob", std::vector{OneTimePrekey{5, bytes(32, 1)}}, {}).stored, 1u);
  const auto again = store_.add_one_time_prekeys("bob", std::vector{OneTimePrekey{5, bytes(32, 2)}}, {});
  EXPECT_EQ(again.status, PrekeyUploadStatus::Stored);
  EXPECT_EQ(again.stored, 1u);
  EXPECT_EQ(store_.take_bundle("bob")->one_time_prekey->public_key, bytes(32, 2));
}

TEST_P(StoreConformanceTest, AnUploadAboveThePrekeyLimitStoresNothing) {
  std::vector<OneTimePrekey> prekeys;
  for (std::uint32_t id = 0; id < 8; ++id) prekeys.push_back({id, bytes(32, 1)});
  const PrekeyLimits limits{.max_one_time_prekeys = 10};
  ASSERT_EQ(store_.add_one_time_prekeys("bob", prekeys, limits).stored, 8u);

  std::vector<OneTimePrekey> more;
  for (std::uint32_t id = 100; id < 103; ++id) more.push_back({id, bytes(32, 1)});
  const auto refused = store_.add_one_time_prekeys("bob", more, limits);
  EXPECT_EQ(refused.status, PrekeyUploadStatus::LimitExceeded);
  EXPECT_EQ(refused.stored, 8u);
  EXPECT_EQ(store_.count_one_time_prekeys("bob"), 8u);

  more.pop_back();
  EXPECT_EQ(store_.add_one_time_prekeys("bob", more, limits).stored, 10u);
}

TEST_P(StoreConformanceTest, UploadingPrekeysForAnUnknownUserIsRefused) {
  EXPECT_EQ(store_.add_one_time_prekeys("dave", std::vector{OneTimePrekey{1, bytes(32, 1)}}, {}).status,
            PrekeyUploadStatus::UnknownUser);
  EXPECT_EQ(store_.count_one_time_prekeys("dave"), 0u);
}

TEST_P(StoreConformanceTest, ConcurrentFetchesHandOutEachOneTimePrekeyExactlyOnce) {
  constexpr int kThreads = 8;
  constexpr int kFetchesPerThread = 50;
  constexpr std::uint32_t kPrekeys = 100;
  ASSERT_TRUE(store_.set_signed_prekey("bob", SignedPrekey{1, bytes(32, 1), bytes(64, 1)}));
  std::vector<OneTimePrekey> prekeys;
  for (std::uint32_t id = 1; id <= kPrekeys; ++id) prekeys.push_back({id, bytes(32, static_cast<std::uint8_t>(id))});
  ASSERT_EQ(store_.add_one_time_prekeys("bob", prekeys, {}).stored, kPrekeys);

  std::vector<std::vector<std::uint32_t>> handed_out(kThreads);
  std::atomic<int> fallbacks{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kFetchesPerThread; ++i) {
        const auto bundle = store_.take_bundle("bob");
        if (!bundle) {
          ++failures;
        } else if (bundle->one_time_prekey) {
          handed_out[static_cast<std::size_t>(t)].push_back(bundle->one_time_prekey->id);
        } else {
          ++fallbacks;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::vector<std::uint32_t> all;
  for (const auto& ids : handed_out) all.insert(all.end(), ids.begin(), ids.end());
  std::sort(all.begin(), all.end());
  std::vector<std::uint32_t> expected(kPrekeys);
  for (std::uint32_t i = 0; i < kPrekeys; ++i) expected[i] = i + 1;
  EXPECT_EQ(all, expected) << "some prekey was handed out twice or never";
  EXPECT_EQ(fallbacks.load(), kThreads * kFetchesPerThread - static_cast<int>(kPrekeys));
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_.count_one_time_prekeys("bob"), 0u);
}

// ---- envelopes ----

TEST_P(StoreConformanceTest, StoresASendOncePerRecipient) {
  const auto result = send_one(send("alice", 1, {"bob", "carol"}));
  EXPECT_EQ(result.status, SendStatus::Stored);
  EXPECT_EQ(result.server_time_ms, kNow);
  ASSERT_EQ(result.deliveries.size(), 2u);
  EXPECT_EQ(result.deliveries[0].recipient, "bob");
  EXPECT_EQ(result.deliveries[1].recipient, "carol");
  EXPECT_LT(result.deliveries[0].delivery_id, result.deliveries[1].delivery_id);

  const auto queued = store_.pending("bob", 0, 10, kNow);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].delivery_id, result.deliveries[0].delivery_id);
  EXPECT_EQ(queued[0].sender, "alice");
  EXPECT_EQ(queued[0].message_id, message_id(1));
  EXPECT_EQ(queued[0].envelope, bytes(100, 1));
  EXPECT_EQ(queued[0].server_time_ms, kNow);
  EXPECT_EQ(queued[0].expires_at_ms, kNow + kHour);
  EXPECT_EQ(store_.pending("carol", 0, 10, kNow).size(), 1u);
  EXPECT_TRUE(store_.pending("alice", 0, 10, kNow).empty());
  EXPECT_EQ(store_.queue_usage("bob"), (QueueUsage{1, 100}));
  EXPECT_EQ(store_.queue_depth(), 2u);
  // The envelope is stored once for both recipients.
  EXPECT_EQ(raw_query("SELECT count(*) FROM messages"), 1);
}

TEST_P(StoreConformanceTest, DeliveryIdsIncreaseWithinAndAcrossBatches) {
  const std::vector<PendingSend> batch{send("alice", 1, {"bob"}), send("alice", 2, {"bob"}), send("carol", 3, {"bob"})};
  const auto first = store_.commit_sends(batch, kRoomy);
  const auto second = send_one(send("alice", 4, {"bob"}));
  std::vector<std::int64_t> ids;
  for (const auto& result : first) ids.push_back(result.deliveries.at(0).delivery_id);
  ids.push_back(second.deliveries.at(0).delivery_id);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), ids.size());
}

TEST_P(StoreConformanceTest, DeliveryIdsAreNeverReusedAfterTheNewestIsDeleted) {
  const auto first = send_one(send("alice", 1, {"bob"}));
  const std::int64_t id = first.deliveries.at(0).delivery_id;
  ASSERT_EQ(store_.ack_deliveries(std::vector{DeliveryAck{"bob", id}}), 1u);
  const auto second = send_one(send("alice", 2, {"bob"}));
  EXPECT_GT(second.deliveries.at(0).delivery_id, id);
  // A late repeat of the first ack must not touch the new envelope.
  EXPECT_EQ(store_.ack_deliveries(std::vector{DeliveryAck{"bob", id}}), 0u);
  EXPECT_EQ(store_.pending("bob", 0, 10, kNow).size(), 1u);
}

TEST_P(StoreConformanceTest, ARepeatedMessageIdFromTheSameSenderIsStoredOnce) {
  const auto first = send_one(send("alice", 1, {"bob"}));
  PendingSend again = send("alice", 1, {"bob", "carol"}, 50);
  again.server_time_ms = kNow + 5;
  const auto repeat = send_one(again);
  EXPECT_EQ(repeat.status, SendStatus::Duplicate);
  EXPECT_EQ(repeat.server_time_ms, kNow) << "the ack must repeat the original server time";
  EXPECT_TRUE(repeat.deliveries.empty());
  EXPECT_EQ(store_.pending("bob", 0, 10, kNow).size(), 1u);
  EXPECT_TRUE(store_.pending("carol", 0, 10, kNow).empty());
  // The same id from another sender is a different message.
  EXPECT_EQ(send_one(send("carol", 1, {"bob"})).status, SendStatus::Stored);
}

TEST_P(StoreConformanceTest, ARepeatWithinOneBatchIsADuplicate) {
  const std::vector<PendingSend> batch{send("alice", 1, {"bob"}), send("alice", 1, {"bob"})};
  const auto results = store_.commit_sends(batch, kRoomy);
  EXPECT_EQ(results.at(0).status, SendStatus::Stored);
  EXPECT_EQ(results.at(1).status, SendStatus::Duplicate);
  EXPECT_EQ(store_.queue_usage("bob").envelopes, 1u);
}

TEST_P(StoreConformanceTest, DuplicatesAreRecognisedAfterDeliveryUntilTheEnvelopeExpires) {
  const auto first = send_one(send("alice", 1, {"bob"}));
  ASSERT_EQ(store_.ack_deliveries(std::vector{DeliveryAck{"bob", first.deliveries.at(0).delivery_id}}), 1u);
  EXPECT_EQ(send_one(send("alice", 1, {"bob"})).status, SendStatus::Duplicate);
  EXPECT_TRUE(store_.pending("bob", 0, 10, kNow).empty());
  // Once acknowledged by everyone, only the record is kept, not the envelope.
  EXPECT_EQ(raw_query("SELECT count(*) FROM messages WHERE envelope IS NULL"), 1);

  store_.expire(kNow + kHour);
  EXPECT_EQ(send_one(send("alice", 1, {"bob"})).status, SendStatus::Stored);
}

TEST_P(StoreConformanceTest, AnUnknownRecipientStoresNothingForThatSendOnly) {
  const std::vector<PendingSend> batch{send("alice", 1, {"bob", "dave"}), send("alice", 2, {"bob"})};
  const auto results = store_.commit_sends(batch, kRoomy);
  EXPECT_EQ(results.at(0).status, SendStatus::UnknownRecipient);
  EXPECT_EQ(results.at(0).recipient, "dave");
  EXPECT_TRUE(results.at(0).deliveries.empty());
  EXPECT_EQ(results.at(1).status, SendStatus::Stored);
  const auto queued = store_.pending("bob", 0, 10, kNow);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].message_id, message_id(2));
  // Not recorded either: the sender may retry the same id once dave exists.
  ASSERT_TRUE(store_.create_user(user("dave")));
  EXPECT_EQ(send_one(send("alice", 1, {"bob", "dave"})).status, SendStatus::Stored);
}

TEST_P(StoreConformanceTest, AFullQueueByCountStoresNothingForThatSend) {
  const QueueLimits limits{.max_envelopes = 2, .max_bytes = 1 << 20};
  ASSERT_EQ(send_one(send("alice", 1, {"carol"}), limits).status, SendStatus::Stored);
  ASSERT_EQ(send_one(send("alice", 2, {"carol"}), limits).status, SendStatus::Stored);
  const auto full = send_one(send("alice", 3, {"bob", "carol"}), limits);
  EXPECT_EQ(full.status, SendStatus::QueueFull);
  EXPECT_EQ(full.recipient, "carol");
  EXPECT_TRUE(store_.pending("bob", 0, 10, kNow).empty()) << "bob got a copy of a refused send";
  EXPECT_EQ(store_.queue_usage("carol"), (QueueUsage{2, 200}));
  EXPECT_EQ(store_.queue_usage("bob"), QueueUsage{});
}

TEST_P(StoreConformanceTest, AFullQueueByBytesStoresNothingForThatSend) {
  const QueueLimits limits{.max_envelopes = 100, .max_bytes = 250};
  ASSERT_EQ(send_one(send("alice", 1, {"bob"}, 200), limits).status, SendStatus::Stored);
  EXPECT_EQ(send_one(send("alice", 2, {"bob"}, 51), limits).status, SendStatus::QueueFull);
  EXPECT_EQ(send_one(send("alice", 3, {"bob"}, 50), limits).status, SendStatus::Stored);
  EXPECT_EQ(store_.queue_usage("bob"), (QueueUsage{2, 250}));
}

TEST_P(StoreConformanceTest, QuotasCountEarlierSendsOfTheSameBatch) {
  const QueueLimits limits{.max_envelopes = 2, .max_bytes = 1 << 20};
  const std::vector<PendingSend> batch{send("alice", 1, {"bob"}), send("carol", 2, {"bob"}), send("alice", 3, {"bob"}),
                                       send("alice", 4, {"carol"})};
  const auto results = store_.commit_sends(batch, limits);
  EXPECT_EQ(results.at(0).status, SendStatus::Stored);
  EXPECT_EQ(results.at(1).status, SendStatus::Stored);
  EXPECT_EQ(results.at(2).status, SendStatus::QueueFull);
  EXPECT_EQ(results.at(3).status, SendStatus::Stored);
  EXPECT_EQ(store_.queue_usage("bob"), (QueueUsage{2, 200}));
}

TEST_P(StoreConformanceTest, ARecipientNamedTwiceIsQueuedOnce) {
  const auto result = send_one(send("alice", 1, {"bob", "bob", "carol", "bob"}));
  EXPECT_EQ(result.status, SendStatus::Stored);
  EXPECT_EQ(result.deliveries.size(), 2u);
  EXPECT_EQ(store_.queue_usage("bob").envelopes, 1u);
}

TEST_P(StoreConformanceTest, PendingSkipsExpiredEnvelopesAndPagesInDeliveryOrder) {
  PendingSend short_lived = send("alice", 1, {"bob"});
  short_lived.expires_at_ms = kNow + 10;
  const std::vector<PendingSend> batch{short_lived, send("alice", 2, {"bob"}), send("alice", 3, {"bob"}),
                                       send("alice", 4, {"bob"})};
  store_.commit_sends(batch, kRoomy);

  EXPECT_EQ(store_.pending("bob", 0, 10, kNow).size(), 4u);
  const auto page = store_.pending("bob", 0, 2, kNow + 10);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].message_id, message_id(2));
  EXPECT_EQ(page[1].message_id, message_id(3));
  const auto rest = store_.pending("bob", page[1].delivery_id, 10, kNow + 10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].message_id, message_id(4));
  EXPECT_TRUE(store_.pending("dave", 0, 10, kNow).empty());
}

TEST_P(StoreConformanceTest, AckDeletesOnlyTheAcknowledgingRecipientsRows) {
  const auto result = send_one(send("alice", 1, {"bob", "carol"}));
  const std::int64_t bobs = result.deliveries.at(0).delivery_id;
  const std::int64_t carols = result.deliveries.at(1).delivery_id;

  // Bob tries to acknowledge carol's copy: nothing happens.
  EXPECT_EQ(store_.ack_deliveries(std::vector{DeliveryAck{"bob", carols}}), 0u);
  EXPECT_EQ(store_.pending("carol", 0, 10, kNow).size(), 1u);

  EXPECT_EQ(store_.ack_deliveries(
                std::vector{DeliveryAck{"bob", bobs}, DeliveryAck{"bob", bobs}, DeliveryAck{"dave", carols}}),
            1u);
  EXPECT_TRUE(store_.pending("bob", 0, 10, kNow).empty());
  EXPECT_EQ(store_.pending("carol", 0, 10, kNow).size(), 1u);
  EXPECT_EQ(store_.queue_usage("bob"), QueueUsage{});
  EXPECT_EQ(store_.queue_usage("carol"), (QueueUsage{1, 100}));
  EXPECT_EQ(store_.queue_depth(), 1u);
}

// A group Send keeps its envelope once (messages.envelope), shared by every
// recipient's delivery row: the bytes must stay until the last of them has
// acknowledged, and go then.

TEST_P(StoreConformanceTest, TheSharedBodyOfAGroupSendIsDroppedOnlyWithTheLastRecipientsAck) {
  ASSERT_TRUE(store_.create_user(user("dave")));
  const auto result = send_one(send("alice", 1, {"bob", "carol", "dave"}));
  ASSERT_EQ(result.deliveries.size(), 3u);
  EXPECT_EQ(raw_query("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(raw_query("SELECT count(*) FROM deliveries"), 3);
  const auto body_kept = [&] { return raw_query("SELECT count(*) FROM messages WHERE envelope IS NOT NULL") == 1; };

  ASSERT_EQ(store_.ack_deliveries(std::vector{DeliveryAck{"bob", result.deliveries[0].delivery_id}}), 1u);
  EXPECT_TRUE(body_kept());
  // A repeated ack must not count twice towards the last one.
  ASSERT_EQ(store_.ack_deliveries(std::vector{DeliveryAck{"bob", result.deliveries[0].delivery_id}}), 0u);
  ASSERT_EQ(store_.ack_deliveries(std::vector{DeliveryAck{"carol", result.deliveries[1].delivery_id}}), 1u);
  EXPECT_TRUE(body_kept());
  const auto left = store_.pending("dave", 0, 10, kNow);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].envelope, bytes(100, 1)) << "dave's copy lost its bytes before dave acknowledged";

  ASSERT_EQ(store_.ack_deliveries(std::vector{DeliveryAck{"dave", result.deliveries[2].delivery_id}}), 1u);
  EXPECT_FALSE(body_kept());
  // The idempotency record stays until the envelope's expiry.
  EXPECT_EQ(raw_query("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(send_one(send("alice", 1, {"bob"})).status, SendStatus::Duplicate);
}

// The body is stored once, but each recipient's quota is charged the whole
// envelope: what one recipient may hold does not depend on who else got it.

TEST_P(StoreConformanceTest, EachRecipientOfAGroupSendIsChargedTheWholeEnvelope) {
  ASSERT_TRUE(store_.create_user(user("dave")));
  const QueueLimits limits{.max_envelopes = 100, .max_bytes = 250};
  ASSERT_EQ(send_one(send("alice", 1, {"bob", "carol", "dave"}), limits).status, SendStatus::Stored);
  ASSERT_EQ(send_one(send("alice", 2, {"bob", "carol", "dave"}), limits).status, SendStatus::Stored);
  for (const char* name : {"bob", "carol", "dave"}) EXPECT_EQ(store_.queue_usage(name), (QueueUsage{2, 200})) << name;

  // Carol holds 10 bytes more than the others, so 45 more would take her
  // alone past 250: refused for all three.
  ASSERT_EQ(send_one(send("alice", 3, {"carol"}, 10), limits).status, SendStatus::Stored);
  const auto refused = send_one(send("alice", 4, {"bob", "dave", "carol"}, 45), limits);
  EXPECT_EQ(refused.status, SendStatus::QueueFull);
  EXPECT_EQ(refused.recipient, "carol");
  EXPECT_EQ(store_.queue_usage("bob"), (QueueUsage{2, 200}));
  EXPECT_EQ(store_.queue_usage("dave"), (QueueUsage{2, 200}));
  EXPECT_EQ(raw_query("SELECT count(*) FROM messages"), 3);

  // Expiry gives every recipient its share back.
  store_.expire(kNow + kHour);
  for (const char* name : {"bob", "carol", "dave"}) EXPECT_EQ(store_.queue_usage(name), QueueUsage{}) << name;
  EXPECT_EQ(raw_query("SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(raw_query("SELECT count(*) FROM deliveries"), 0);
}

TEST_P(StoreConformanceTest, AcknowledgingFreesQueueSpace) {
  const QueueLimits limits{.max_envelopes = 1, .max_bytes = 1 << 20};
  const auto first = send_one(send("alice", 1, {"bob"}), limits);
  ASSERT_EQ(send_one(send("alice", 2, {"bob"}), limits).status, SendStatus::QueueFull);
  ASSERT_EQ(store_.ack_deliveries(std::vector{DeliveryAck{"bob", first.deliveries.at(0).delivery_id}}), 1u);
  EXPECT_EQ(send_one(send("alice", 2, {"bob"}), limits).status, SendStatus::Stored);
}

TEST_P(StoreConformanceTest, AWriteBatchDeletesItsAcksBeforeItsSendsTakeQueueSpace) {
  // One transaction: the ack frees bob's only slot, so the send that
  // follows it in the same batch fits.
  const QueueLimits limits{.max_envelopes = 1, .max_bytes = 1 << 20};
  const auto first = send_one(send("alice", 1, {"bob"}), limits);
  const std::vector acks{DeliveryAck{"bob", first.deliveries.at(0).delivery_id}};
  const std::vector sends{send("alice", 2, {"bob"})};
  const auto written = store_.write_batch(sends, acks, limits);
  store_.sync_writes();
  EXPECT_EQ(written.acked, 1u);
  ASSERT_EQ(written.sends.size(), 1u);
  EXPECT_EQ(written.sends[0].status, SendStatus::Stored);
  const auto left = store_.pending("bob", 0, 10, kNow);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].message_id, message_id(2));
}

TEST_P(StoreConformanceTest, AWrittenBatchSurvivesReopeningOnceSynced) {
  const std::vector sends{send("alice", 1, {"bob"}), send("carol", 2, {"bob"})};
  store_.write_batch(sends, {}, kRoomy);
  store_.sync_writes();
  // Another store on the same file, as relayd after a restart.
  const auto reopened_store = reopen();
  Store& reopened = *reopened_store;
  EXPECT_EQ(reopened.pending("bob", 0, 10, kNow).size(), 2u);
  EXPECT_EQ(raw_query("SELECT count(*) FROM deliveries"), 2);
}

TEST_P(StoreConformanceTest, ExpiryRemovesWhatHasExpiredAndNothingElse) {
  PendingSend old_send = send("alice", 1, {"bob", "carol"});
  old_send.expires_at_ms = kNow + 10;
  const std::vector<PendingSend> batch{old_send, send("alice", 2, {"bob"})};
  store_.commit_sends(batch, kRoomy);
  ASSERT_TRUE(store_.add_token(hash(1), "alice", "old", kNow + 10));
  ASSERT_TRUE(store_.add_token(hash(2), "alice", "new", kNow + kHour));
  ASSERT_TRUE(store_.add_invite(hash(3), kNow + 10));
  ASSERT_TRUE(store_.add_invite(hash(4), kNow + kHour));
  ASSERT_EQ(store_.begin_blob("alice", "old", 10, hash(5), kNow + 10, kBlobLimits), BlobBeginStatus::Started);
  ASSERT_EQ(store_.begin_blob("alice", "new", 10, hash(5), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);

  EXPECT_EQ(store_.expire(kNow + 9).envelopes, 0u);
  const ExpiryResult result = store_.expire(kNow + 10);
  EXPECT_EQ(result.envelopes, 2u);
  EXPECT_EQ(result.tokens, 1u);
  EXPECT_EQ(result.invites, 1u);
  EXPECT_EQ(result.blob_ids, std::vector<std::string>{"old"});

  EXPECT_EQ(store_.queue_usage("bob"), (QueueUsage{1, 100}));
  EXPECT_EQ(store_.queue_usage("carol"), QueueUsage{});
  EXPECT_EQ(store_.queue_depth(), 1u);
  EXPECT_EQ(store_.pending("bob", 0, 10, kNow).size(), 1u);
  EXPECT_TRUE(store_.find_token(hash(2), kNow).has_value());
  EXPECT_TRUE(store_.consume_invite(hash(4), kNow));
  EXPECT_TRUE(store_.blob("new").has_value());
  EXPECT_FALSE(store_.blob("old").has_value());
  EXPECT_EQ(raw_query("SELECT count(*) FROM deliveries"), 1);
}

TEST_P(StoreConformanceTest, ExpiryCountsOnlyUnacknowledgedDeliveries) {
  PendingSend old_send = send("alice", 1, {"bob", "carol"});
  old_send.expires_at_ms = kNow + 10;
  const auto result = send_one(old_send);
  ASSERT_EQ(store_.ack_deliveries(std::vector{DeliveryAck{"bob", result.deliveries.at(0).delivery_id}}), 1u);
  EXPECT_EQ(store_.expire(kNow + 10).envelopes, 1u);
  EXPECT_EQ(store_.queue_depth(), 0u);
  EXPECT_EQ(raw_query("SELECT count(*) FROM messages"), 0);
}

// ---- blobs ----

TEST_P(StoreConformanceTest, BeginsABlobAndTracksItsUpload) {
  ASSERT_EQ(store_.begin_blob("alice", "b1", 100, hash(7), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
  auto record = store_.blob("b1");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->id, "b1");
  EXPECT_EQ(record->owner, "alice");
  EXPECT_EQ(record->size, 100u);
  EXPECT_EQ(record->sha256, hash(7));
  EXPECT_EQ(record->received, 0u);
  EXPECT_FALSE(record->complete);
  EXPECT_EQ(record->expires_at_ms, kNow + kHour);

  EXPECT_FALSE(record->restricted);

  EXPECT_EQ(store_.complete_blob("b1", {}, kNow + 2 * kHour).status, BlobCompleteStatus::NotReady)
      << "completed before every byte arrived";
  EXPECT_FALSE(store_.set_blob_received("b1", 101, kNow + 2 * kHour));
  EXPECT_EQ(store_.blob("b1")->expires_at_ms, kNow + kHour) << "a refused update moved the expiry";
  EXPECT_TRUE(store_.set_blob_received("b1", 60, kNow + 2 * kHour));
  EXPECT_EQ(store_.blob("b1")->received, 60u);
  EXPECT_EQ(store_.blob("b1")->expires_at_ms, kNow + 2 * kHour) << "a chunk moves the upload window";
  EXPECT_TRUE(store_.set_blob_received("b1", 100, kNow + 3 * kHour));
  EXPECT_EQ(store_.complete_blob("b1", {}, kNow + 30 * kHour).status, BlobCompleteStatus::Completed);
  record = store_.blob("b1");
  EXPECT_TRUE(record->complete);
  EXPECT_FALSE(record->restricted);
  EXPECT_EQ(record->expires_at_ms, kNow + 30 * kHour) << "completion starts the TTL";
  EXPECT_FALSE(store_.set_blob_received("b1", 10, kNow)) << "a complete blob changed";
  EXPECT_EQ(store_.complete_blob("b1", {}, kNow).status, BlobCompleteStatus::NotReady) << "completed twice";
  EXPECT_EQ(store_.blob("b1")->expires_at_ms, kNow + 30 * kHour);
  EXPECT_FALSE(store_.set_blob_received("nope", 0, kNow));
  EXPECT_EQ(store_.complete_blob("nope", {}, kNow).status, BlobCompleteStatus::NotReady);
}

TEST_P(StoreConformanceTest, RefusesABlobAboveTheSizeCap) {
  EXPECT_EQ(store_.begin_blob("alice", "b1", 1001, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::TooLarge);
  EXPECT_EQ(store_.begin_blob("alice", "b1", 1000, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
}

TEST_P(StoreConformanceTest, RefusesABlobBeyondTheOwnersQuotaCountingUnfinishedUploads) {
  ASSERT_EQ(store_.begin_blob("alice", "b1", 1000, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
  ASSERT_EQ(store_.begin_blob("alice", "b2", 1000, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
  EXPECT_EQ(store_.begin_blob("alice", "b3", 501, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::QuotaExceeded);
  EXPECT_EQ(store_.begin_blob("bob", "b3", 501, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::Started)
      << "another user's quota was charged";
  EXPECT_EQ(store_.begin_blob("alice", "b4", 500, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
  EXPECT_EQ(store_.blob_usage("alice"), (BlobUsage{3, 2500}));

  EXPECT_TRUE(store_.remove_blob("b1"));
  EXPECT_FALSE(store_.remove_blob("b1"));
  EXPECT_EQ(store_.blob_usage("alice"), (BlobUsage{2, 1500}));
  EXPECT_EQ(store_.begin_blob("alice", "b5", 1000, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
}

TEST_P(StoreConformanceTest, RefusesABlobForAnUnknownOwnerOrATakenId) {
  EXPECT_EQ(store_.begin_blob("dave", "b1", 10, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::UnknownOwner);
  ASSERT_EQ(store_.begin_blob("alice", "b1", 10, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
  EXPECT_EQ(store_.begin_blob("bob", "b1", 10, hash(2), kNow + kHour, kBlobLimits), BlobBeginStatus::IdTaken);
  EXPECT_EQ(store_.blob("b1")->owner, "alice");
}

TEST_P(StoreConformanceTest, RefusesHostileBlobIds) {
  for (const std::string& id : {std::string("../x"), std::string(), std::string(65, 'a'), std::string("a\0b", 3),
                                std::string("a/b"), std::string("."), std::string("..")}) {
    EXPECT_EQ(store_.begin_blob("alice", id, 10, hash(1), kNow + kHour, kBlobLimits), BlobBeginStatus::InvalidId)
        << "id of " << id.size() << " bytes";
  }
  EXPECT_EQ(store_.blob_usage("alice"), BlobUsage{});
}

// ---- blob readers and release ----

class BlobReadersTest : public StoreConformanceTest {
 protected:
  BlobReadersTest() { EXPECT_TRUE(store_.create_user(user("dave"))); }

  // A fully received upload of alice's, not yet complete.
  void upload(const std::string& id, std::uint64_t size = 100) {
    ASSERT_EQ(store_.begin_blob("alice", id, size, hash(7), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
    ASSERT_TRUE(store_.set_blob_received(id, size, kNow + kHour));
  }
  BlobCompleteStatus complete(const std::string& id, std::vector<std::string> readers) {
    return store_.complete_blob(id, readers, kNow + 30 * kHour).status;
  }
};

TEST_P(BlobReadersTest, CompletingWithReadersGivesEachAClaimAndRestrictsTheBlob) {
  upload("b1");
  ASSERT_EQ(complete("b1", {"carol", "bob"}), BlobCompleteStatus::Completed);
  EXPECT_TRUE(store_.blob("b1")->restricted);
  EXPECT_EQ(store_.blob_readers("b1"), (std::vector<std::string>{"bob", "carol"}));
  EXPECT_TRUE(store_.holds_blob_claim("b1", "bob"));
  EXPECT_TRUE(store_.holds_blob_claim("b1", "carol"));
  EXPECT_FALSE(store_.holds_blob_claim("b1", "dave"));
  EXPECT_FALSE(store_.holds_blob_claim("b1", "alice")) << "the owner needs no claim";
  EXPECT_FALSE(store_.holds_blob_claim("nope", "bob"));
}

TEST_P(BlobReadersTest, ACompleteBlobsReadersNeverChange) {
  upload("b1");
  ASSERT_EQ(complete("b1", {"bob"}), BlobCompleteStatus::Completed);
  EXPECT_EQ(complete("b1", {"dave"}), BlobCompleteStatus::NotReady);
  EXPECT_EQ(complete("b1", {}), BlobCompleteStatus::NotReady);
  EXPECT_EQ(store_.blob_readers("b1"), std::vector<std::string>{"bob"});
  EXPECT_TRUE(store_.blob("b1")->restricted);
}

TEST_P(BlobReadersTest, AnUnknownReaderChangesNothing) {
  upload("b1");
  const auto result = store_.complete_blob("b1", std::vector<std::string>{"bob", "zed"}, kNow + 30 * kHour);
  EXPECT_EQ(result.status, BlobCompleteStatus::UnknownReader);
  EXPECT_EQ(result.reader, "zed");
  const auto record = store_.blob("b1");
  EXPECT_FALSE(record->complete);
  EXPECT_FALSE(record->restricted);
  EXPECT_EQ(record->expires_at_ms, kNow + kHour);
  EXPECT_TRUE(store_.blob_readers("b1").empty());
  EXPECT_EQ(complete("b1", {"bob"}), BlobCompleteStatus::Completed) << "the upload stayed completable";
}

TEST_P(BlobReadersTest, EachReaderReleasesOnceAndTheLastReleaseRemovesTheBlob) {
  upload("b1", 1000);
  ASSERT_EQ(complete("b1", {"bob", "carol"}), BlobCompleteStatus::Completed);
  EXPECT_EQ(store_.release_blob("b1", "bob", kNow), BlobReleaseStatus::ClaimReleased);
  EXPECT_FALSE(store_.holds_blob_claim("b1", "bob"));
  EXPECT_EQ(store_.release_blob("b1", "bob", kNow), BlobReleaseStatus::NotFound) << "released twice";
  EXPECT_EQ(store_.blob_usage("alice"), (BlobUsage{1, 1000}));
  EXPECT_EQ(store_.release_blob("b1", "carol", kNow), BlobReleaseStatus::Removed);
  EXPECT_FALSE(store_.blob("b1").has_value());
  EXPECT_EQ(store_.blob_usage("alice"), BlobUsage{}) << "the owner's quota was not freed";
  EXPECT_EQ(raw_query("SELECT count(*) FROM blob_readers"), 0);
}

TEST_P(BlobReadersTest, TheOwnerRemovesAPartialOrACompleteBlobAtOnce) {
  ASSERT_EQ(store_.begin_blob("alice", "partial", 100, hash(7), kNow + kHour, kBlobLimits), BlobBeginStatus::Started);
  EXPECT_EQ(store_.release_blob("partial", "alice", kNow), BlobReleaseStatus::Removed);
  EXPECT_FALSE(store_.blob("partial").has_value());
  upload("whole");
  ASSERT_EQ(complete("whole", {"bob", "carol"}), BlobCompleteStatus::Completed);
  EXPECT_EQ(store_.release_blob("whole", "alice", kNow), BlobReleaseStatus::Removed);
  EXPECT_FALSE(store_.blob("whole").has_value());
  EXPECT_EQ(raw_query("SELECT count(*) FROM blob_readers"), 0) << "claims outlived their blob";
  EXPECT_EQ(store_.blob_usage("alice"), BlobUsage{});
}

TEST_P(BlobReadersTest, AStrangerAnUnknownBlobOrAnExpiredOneReleasesNothing) {
  upload("open");
  ASSERT_EQ(complete("open", {}), BlobCompleteStatus::Completed);
  upload("shared");
  ASSERT_EQ(complete("shared", {"bob"}), BlobCompleteStatus::Completed);
  EXPECT_EQ(store_.release_blob("open", "bob", kNow), BlobReleaseStatus::NotFound) << "no claims without readers";
  EXPECT_EQ(store_.release_blob("shared", "dave", kNow), BlobReleaseStatus::NotFound);
  EXPECT_EQ(store_.release_blob("shared", "nobody", kNow), BlobReleaseStatus::NotFound);
  EXPECT_EQ(store_.release_blob("nope", "alice", kNow), BlobReleaseStatus::NotFound);
  EXPECT_EQ(store_.release_blob("shared", "alice", kNow + 30 * kHour), BlobReleaseStatus::NotFound)
      << "an expired blob is gone";
  EXPECT_EQ(store_.release_blob("shared", "bob", kNow + 30 * kHour), BlobReleaseStatus::NotFound);
  EXPECT_TRUE(store_.blob("open").has_value());
  EXPECT_EQ(store_.blob_readers("shared"), std::vector<std::string>{"bob"});
}

TEST_P(BlobReadersTest, ExpiryRemovesBlobsWithTheirClaims) {
  upload("b1");
  ASSERT_EQ(complete("b1", {"bob"}), BlobCompleteStatus::Completed);
  EXPECT_TRUE(store_.expire(kNow + 30 * kHour - 1).blob_ids.empty());
  EXPECT_EQ(store_.expire(kNow + 30 * kHour).blob_ids, std::vector<std::string>{"b1"});
  EXPECT_EQ(raw_query("SELECT count(*) FROM blob_readers"), 0);
}

TEST_P(BlobReadersTest, RemovingAReaderRemovesTheBlobsWhoseLastClaimTheyHeld) {
  upload("only_bob");
  ASSERT_EQ(complete("only_bob", {"bob"}), BlobCompleteStatus::Completed);
  upload("bob_and_carol");
  ASSERT_EQ(complete("bob_and_carol", {"bob", "carol"}), BlobCompleteStatus::Completed);
  const auto removed = store_.remove_user("bob");
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->blob_ids, std::vector<std::string>{"only_bob"});
  EXPECT_FALSE(store_.blob("only_bob").has_value());
  ASSERT_TRUE(store_.blob("bob_and_carol").has_value());
  EXPECT_TRUE(store_.blob("bob_and_carol")->restricted);
  EXPECT_EQ(store_.blob_readers("bob_and_carol"), std::vector<std::string>{"carol"});
  // A new account with the old name inherits nothing.
  ASSERT_TRUE(store_.create_user(user("bob")));
  EXPECT_FALSE(store_.holds_blob_claim("bob_and_carol", "bob"));
}

TEST_P(StoreConformanceTest, ReadsAndWritesFromSeveralThreadsAllTakeEffect) {
  constexpr int kWriters = 2;
  constexpr int kBatchesPerWriter = 10;
  constexpr int kSendsPerBatch = 5;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int b = 0; b < kBatchesPerWriter; ++b) {
        std::vector<PendingSend> batch;
        for (int s = 0; s < kSendsPerBatch; ++s) {
          const auto id = static_cast<std::uint8_t>((w * kBatchesPerWriter + b) * kSendsPerBatch + s);
          batch.push_back(send(w == 0 ? "alice" : "carol", id, {"bob"}));
        }
        for (const auto& result : store_.commit_sends(batch, kRoomy)) EXPECT_EQ(result.status, SendStatus::Stored);
      }
    });
  }
  threads.emplace_back([&] {
    while (!done) {
      EXPECT_LE(store_.queue_usage("bob").envelopes, 100u);
      EXPECT_TRUE(store_.find_user("alice").has_value());
      ++reads;
    }
  });
  for (int w = 0; w < kWriters; ++w) threads[static_cast<std::size_t>(w)].join();
  done = true;
  threads.back().join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(store_.queue_usage("bob").envelopes, 100u);
  EXPECT_EQ(store_.pending("bob", 0, 1000, kNow).size(), 100u);
}

const Backend kBackends[] = {
    {"Sqlite", [] { return std::unique_ptr<StoreBackend>(std::make_unique<SqliteBackend>()); }},
    {"Postgres", [] { return std::unique_ptr<StoreBackend>(std::make_unique<PostgresBackend>()); }},
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(, StoreConformanceTest, ::testing::ValuesIn(kBackends), backend_name);
INSTANTIATE_TEST_SUITE_P(, BlobReadersTest, ::testing::ValuesIn(kBackends), backend_name);

}  // namespace
}  // namespace sotto::relayd
