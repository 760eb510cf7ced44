#include "daemon/store/key_store.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <stdexcept>

#include "daemon/store/state_database.h"
#include "lib/crypto/error.h"
#include "lib/store/store_error.h"
#include "lib/store/transaction.h"
#include "tests/unit/daemon/store/state_test_support.h"

namespace sotto::msgd {
namespace {

using testing::flip_blob_byte;
using testing::TempDir;

bool same_secret(const crypto::SecretBytes& a, const crypto::SecretBytes& b) { return a == b; }

TEST(MsgdStoreKeys, IdentityRoundTripsAndSurvivesReopen) {
  TempDir dir;
  const auto identity = crypto::IdentityKeyPair::generate();
  {
    StateDatabase state(dir.path());
    KeyStore keys(state.db());
    EXPECT_FALSE(keys.identity().has_value());
    keys.save_identity(identity);
  }
  StateDatabase state(dir.path());
  const auto loaded = KeyStore(state.db()).identity();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->public_key(), identity.public_key());
  EXPECT_TRUE(loaded->public_key().verify());
  EXPECT_TRUE(same_secret(loaded->serialize(), identity.serialize()));
  // The loaded private keys are the real ones: they sign as the identity.
  const crypto::Bytes message{1, 2, 3};
  EXPECT_TRUE(crypto::ed25519_verify(identity.public_key().signing_key, message, loaded->sign(message)));
}

TEST(MsgdStoreKeys, AnIdentityIsNeverReplaced) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  const auto first = crypto::IdentityKeyPair::generate();
  keys.save_identity(first);
  EXPECT_THROW(keys.save_identity(crypto::IdentityKeyPair::generate()), std::runtime_error);
  EXPECT_EQ(keys.identity()->public_key(), first.public_key());
}

TEST(MsgdStoreKeys, ACorruptedIdentityBlobIsAnErrorNotAWrongKey) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  keys.save_identity(crypto::IdentityKeyPair::generate());
  for (std::size_t offset : {0u, 4u, 10u, 40u}) {
    flip_blob_byte(state.db(), "identity", "key_pair", "slot", 1, offset);
    EXPECT_THROW(keys.identity(), crypto::CryptoError) << "offset " << offset;
    flip_blob_byte(state.db(), "identity", "key_pair", "slot", 1, offset);  // back to the original
    EXPECT_NO_THROW(keys.identity());
  }
  state.db().exec("UPDATE identity SET key_pair = substr(key_pair, 1, 20)");
  EXPECT_THROW(keys.identity(), crypto::CryptoError);
  state.db().exec("UPDATE identity SET key_pair = X''");
  EXPECT_THROW(keys.identity(), crypto::CryptoError);
}

TEST(MsgdStoreKeys, ABlobOfAnotherKindIsRefused) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  const auto prekey = crypto::OneTimePrekeyPair::generate(1);
  auto insert = state.db().prepare("INSERT INTO identity (slot, key_pair) VALUES (1, ?)");
  insert.bind(1, prekey.serialize().view());
  insert.step();
  EXPECT_THROW(keys.identity(), crypto::CryptoError);
}

TEST(MsgdStoreKeys, SignedPrekeyIdsAreMonotonicAndPersisted) {
  TempDir dir;
  {
    StateDatabase state(dir.path());
    KeyStore keys(state.db());
    EXPECT_EQ(keys.next_signed_prekey_id(), 1u);
    EXPECT_EQ(keys.next_signed_prekey_id(), 2u);
  }
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  EXPECT_EQ(keys.next_signed_prekey_id(), 3u);
  // An id the caller picked itself moves the counter past it.
  const auto identity = crypto::IdentityKeyPair::generate();
  keys.add_signed_prekey(crypto::SignedPrekeyPair::generate(10, identity), 0);
  EXPECT_EQ(keys.next_signed_prekey_id(), 11u);
}

TEST(MsgdStoreKeys, SignedPrekeyIdsRunOutWithAnErrorNotAWrap) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  state.db().exec("UPDATE prekey_state SET next_signed_prekey_id = 4294967295");
  EXPECT_EQ(keys.next_signed_prekey_id(), 4294967295u);
  EXPECT_THROW(keys.next_signed_prekey_id(), std::runtime_error);
  EXPECT_THROW(keys.next_signed_prekey_id(), std::runtime_error);
}

TEST(MsgdStoreKeys, AddedSignedPrekeyBecomesCurrentAndLoadsById) {
  TempDir dir;
  const auto identity = crypto::IdentityKeyPair::generate();
  {
    StateDatabase state(dir.path());
    KeyStore keys(state.db());
    EXPECT_FALSE(keys.current_signed_prekey().has_value());
    const auto first = crypto::SignedPrekeyPair::generate(keys.next_signed_prekey_id(), identity);
    keys.add_signed_prekey(first, 1000);
    EXPECT_EQ(keys.current_signed_prekey()->pair.id(), first.id());
    const auto second = crypto::SignedPrekeyPair::generate(keys.next_signed_prekey_id(), identity);
    keys.add_signed_prekey(second, 2000);
  }
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  const auto current = keys.current_signed_prekey();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->pair.id(), 2u);
  EXPECT_EQ(current->created_at_ms, 2000);
  EXPECT_TRUE(current->pair.public_prekey().verify(identity.public_key().signing_key));

  const auto old = keys.signed_prekey(1);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->id(), 1u);
  EXPECT_TRUE(old->public_prekey().verify(identity.public_key().signing_key));
  EXPECT_NE(old->public_prekey().public_key, current->pair.public_prekey().public_key);
  EXPECT_FALSE(keys.signed_prekey(3).has_value());
}

TEST(MsgdStoreKeys, ASignedPrekeyIdCannotBeStoredTwice) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  const auto identity = crypto::IdentityKeyPair::generate();
  const auto first = crypto::SignedPrekeyPair::generate(5, identity);
  keys.add_signed_prekey(first, 1);
  EXPECT_THROW(keys.add_signed_prekey(crypto::SignedPrekeyPair::generate(5, identity), 2), store::StoreError);
  EXPECT_EQ(keys.signed_prekey(5)->public_prekey(), first.public_prekey());
}

TEST(MsgdStoreKeys, PruneKeepsTheCurrentPrekeyAndNewerOnes) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  const auto identity = crypto::IdentityKeyPair::generate();
  keys.add_signed_prekey(crypto::SignedPrekeyPair::generate(1, identity), 100);
  keys.add_signed_prekey(crypto::SignedPrekeyPair::generate(2, identity), 200);
  keys.add_signed_prekey(crypto::SignedPrekeyPair::generate(3, identity), 300);
  keys.add_signed_prekey(crypto::SignedPrekeyPair::generate(4, identity), 150);  // current, though not the newest

  keys.prune_signed_prekeys(250);
  EXPECT_FALSE(keys.signed_prekey(1).has_value());
  EXPECT_FALSE(keys.signed_prekey(2).has_value());
  EXPECT_TRUE(keys.signed_prekey(3).has_value());
  EXPECT_TRUE(keys.signed_prekey(4).has_value());

  keys.prune_signed_prekeys(1'000'000);
  EXPECT_FALSE(keys.signed_prekey(3).has_value());
  ASSERT_TRUE(keys.signed_prekey(4).has_value());
  EXPECT_EQ(keys.current_signed_prekey()->pair.id(), 4u);
}

TEST(MsgdStoreKeys, ACorruptedSignedPrekeyBlobIsAnError) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  keys.add_signed_prekey(crypto::SignedPrekeyPair::generate(1, crypto::IdentityKeyPair::generate()), 1);
  flip_blob_byte(state.db(), "signed_prekeys", "key_pair", "prekey_id", 1, 12);
  EXPECT_THROW(keys.signed_prekey(1), crypto::CryptoError);
  EXPECT_THROW(keys.current_signed_prekey(), crypto::CryptoError);
}

TEST(MsgdStoreKeys, OneTimePrekeysGetFreshIdsAndRoundTrip) {
  TempDir dir;
  std::vector<crypto::OneTimePrekeyPair> generated;
  {
    StateDatabase state(dir.path());
    KeyStore keys(state.db());
    EXPECT_EQ(keys.one_time_prekey_count(), 0u);
    EXPECT_TRUE(keys.generate_one_time_prekeys(0).empty());
    generated = keys.generate_one_time_prekeys(5);
    auto more = keys.generate_one_time_prekeys(3);
    for (auto& prekey : more) generated.push_back(std::move(prekey));
  }
  ASSERT_EQ(generated.size(), 8u);
  std::set<crypto::X25519PublicKey> public_keys;
  for (std::size_t i = 0; i < generated.size(); ++i) {
    EXPECT_EQ(generated[i].id(), i + 1);
    public_keys.insert(generated[i].public_prekey().public_key);
  }
  EXPECT_EQ(public_keys.size(), 8u) << "every prekey is a fresh key";

  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  EXPECT_EQ(keys.one_time_prekey_count(), 8u);
  for (const auto& prekey : generated) {
    const auto loaded = keys.one_time_prekey(prekey.id());
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(loaded->public_prekey(), prekey.public_prekey());
    EXPECT_TRUE(loaded->serialize() == prekey.serialize());
  }
  EXPECT_FALSE(keys.one_time_prekey(9).has_value());
  EXPECT_EQ(keys.generate_one_time_prekeys(1).front().id(), 9u);
}

TEST(MsgdStoreKeys, RemovedOneTimePrekeysAreGoneAndTheirIdsNotReused) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  keys.generate_one_time_prekeys(3);
  keys.remove_one_time_prekey(3);
  keys.remove_one_time_prekey(2);
  keys.remove_one_time_prekey(2);  // a second use of the same prekey is harmless here
  EXPECT_EQ(keys.one_time_prekey_count(), 1u);
  EXPECT_FALSE(keys.one_time_prekey(3).has_value());
  EXPECT_TRUE(keys.one_time_prekey(1).has_value());
  EXPECT_EQ(keys.generate_one_time_prekeys(1).front().id(), 4u);
}

TEST(MsgdStoreKeys, ARolledBackGenerationLeavesNothing) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  {
    store::Transaction transaction(state.db());
    keys.generate_one_time_prekeys(4);
  }
  EXPECT_EQ(keys.one_time_prekey_count(), 0u);
  EXPECT_EQ(keys.generate_one_time_prekeys(1).front().id(), 1u);
}

TEST(MsgdStoreKeys, OneTimePrekeyIdsRunOutWithAnErrorAndNoPartialBatch) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  state.db().exec("UPDATE prekey_state SET next_one_time_prekey_id = 4294967294");
  EXPECT_THROW(keys.generate_one_time_prekeys(3), std::runtime_error);
  EXPECT_EQ(keys.one_time_prekey_count(), 0u);
  const auto last = keys.generate_one_time_prekeys(2);
  EXPECT_EQ(last.front().id(), 4294967294u);
  EXPECT_EQ(last.back().id(), 4294967295u);
  EXPECT_THROW(keys.generate_one_time_prekeys(1), std::runtime_error);
  EXPECT_EQ(keys.one_time_prekey_count(), 2u);
}

TEST(MsgdStoreKeys, ACorruptedOneTimePrekeyBlobIsAnError) {
  TempDir dir;
  StateDatabase state(dir.path());
  KeyStore keys(state.db());
  keys.generate_one_time_prekeys(2);
  flip_blob_byte(state.db(), "one_time_prekeys", "key_pair", "prekey_id", 2, 20);
  EXPECT_THROW(keys.one_time_prekey(2), crypto::CryptoError);
  EXPECT_NO_THROW(keys.one_time_prekey(1));
}

}  // namespace
}  // namespace sotto::msgd
