#include "daemon/store/account_store.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "daemon/store/state_database.h"
#include "lib/crypto/random.h"
#include "lib/store/store_error.h"
#include "tests/unit/daemon/store/state_test_support.h"

namespace sotto::msgd {
namespace {

using testing::TempDir;

TEST(MsgdStoreAccount, StartsEmpty) {
  TempDir dir;
  StateDatabase state(dir.path());
  AccountStore account(state.db());
  EXPECT_EQ(account.username(), std::nullopt);
  EXPECT_FALSE(account.token().has_value());
  EXPECT_EQ(account.token_expires_at_ms(), std::nullopt);
  EXPECT_EQ(account.relay_pin("relay.example:7443"), std::nullopt);
  EXPECT_EQ(account.get_int("last_rotation_ms"), std::nullopt);
}

TEST(MsgdStoreAccount, UsernameRoundTripsAndSurvivesReopen) {
  TempDir dir;
  {
    StateDatabase state(dir.path());
    AccountStore account(state.db());
    account.set_username("alice");
    EXPECT_EQ(account.username(), "alice");
    account.set_username("ålice-\xE2\x9C\x93");
  }
  StateDatabase state(dir.path());
  EXPECT_EQ(AccountStore(state.db()).username(), "ålice-\xE2\x9C\x93");
}

TEST(MsgdStoreAccount, RefusesAnEmptyUsername) {
  TempDir dir;
  StateDatabase state(dir.path());
  AccountStore account(state.db());
  EXPECT_THROW(account.set_username(""), store::StoreError);
  EXPECT_EQ(account.username(), std::nullopt);
}

TEST(MsgdStoreAccount, TokenRoundTripsSurvivesReopenAndClears) {
  TempDir dir;
  const crypto::Bytes token = crypto::random_bytes(32);
  {
    StateDatabase state(dir.path());
    AccountStore(state.db()).set_token(token, 1'700'000'000'123);
  }
  StateDatabase state(dir.path());
  AccountStore account(state.db());
  const auto stored = account.token();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(crypto::Bytes(stored->view().begin(), stored->view().end()), token);
  EXPECT_EQ(account.token_expires_at_ms(), 1'700'000'000'123);

  const crypto::Bytes other = crypto::random_bytes(32);
  account.set_token(other, 5);
  const auto replaced = account.token();
  ASSERT_TRUE(replaced.has_value());
  EXPECT_EQ(crypto::Bytes(replaced->view().begin(), replaced->view().end()), other);
  EXPECT_EQ(account.token_expires_at_ms(), 5);

  account.clear_token();
  EXPECT_FALSE(account.token().has_value());
  EXPECT_EQ(account.token_expires_at_ms(), std::nullopt);
  account.clear_token();  // clearing twice is harmless
  EXPECT_FALSE(account.token().has_value());
}

TEST(MsgdStoreAccount, RefusesAnEmptyToken) {
  TempDir dir;
  StateDatabase state(dir.path());
  AccountStore account(state.db());
  EXPECT_THROW(account.set_token({}, 1), std::runtime_error);
  EXPECT_FALSE(account.token().has_value());
}

TEST(MsgdStoreAccount, RelayPinsAreKeptPerRelayAndForgetReturnsTheRemovedOne) {
  TempDir dir;
  StateDatabase state(dir.path());
  AccountStore account(state.db());
  account.set_relay_pin("a.example:7443", "sha256:aa");
  account.set_relay_pin("b.example:7443", "sha256:bb");
  account.set_relay_pin("a.example:7444", "sha256:cc");
  EXPECT_EQ(account.relay_pin("a.example:7443"), "sha256:aa");
  EXPECT_EQ(account.relay_pin("b.example:7443"), "sha256:bb");
  EXPECT_EQ(account.relay_pin("a.example:7444"), "sha256:cc");

  account.set_relay_pin("a.example:7443", "sha256:dd");
  EXPECT_EQ(account.relay_pin("a.example:7443"), "sha256:dd");

  EXPECT_EQ(account.forget_relay_pin("a.example:7443"), "sha256:dd");
  EXPECT_EQ(account.relay_pin("a.example:7443"), std::nullopt);
  EXPECT_EQ(account.forget_relay_pin("a.example:7443"), std::nullopt);
  EXPECT_EQ(account.relay_pin("b.example:7443"), "sha256:bb");
}

TEST(MsgdStoreAccount, HostileKeysAreStoredLiterally) {
  TempDir dir;
  StateDatabase state(dir.path());
  AccountStore account(state.db());
  const std::string hostile = "x'); DROP TABLE relay_pins; --";
  account.set_relay_pin(hostile, "fp");
  account.set_int(hostile, 3);
  EXPECT_EQ(account.relay_pin(hostile), "fp");
  EXPECT_EQ(account.get_int(hostile), 3);
  EXPECT_EQ(account.relay_pin("x"), std::nullopt);
  EXPECT_THROW(account.set_relay_pin("", "fp"), store::StoreError);
  EXPECT_THROW(account.set_relay_pin("r:1", ""), store::StoreError);
  EXPECT_THROW(account.set_int("", 1), store::StoreError);
}

TEST(MsgdStoreAccount, IntegerSettingsRoundTripTheWholeRange) {
  TempDir dir;
  {
    StateDatabase state(dir.path());
    AccountStore account(state.db());
    account.set_int("min", std::numeric_limits<std::int64_t>::min());
    account.set_int("max", std::numeric_limits<std::int64_t>::max());
    account.set_int("zero", 7);
    account.set_int("zero", 0);
  }
  StateDatabase state(dir.path());
  AccountStore account(state.db());
  EXPECT_EQ(account.get_int("min"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(account.get_int("max"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(account.get_int("zero"), 0);
  EXPECT_EQ(account.get_int("Zero"), std::nullopt);
}

}  // namespace
}  // namespace sotto::msgd
