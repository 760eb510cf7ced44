// msgd's upkeep of stored sessions (daemon/service/messenger_sessions.cc): at
// start it removes the expired skipped keys of sessions that nothing loads,
// such as those of a contact who has gone quiet.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "daemon/store/session_store.h"
#include "daemon/store/state_database.h"
#include "lib/crypto/double_ratchet.h"
#include "lib/crypto/random.h"
#include "tests/integration/daemon/msgd/msgd_fixture.h"

namespace sotto::testing {
namespace {

class MsgdSessionsTest : public MsgdTest {};

crypto::Bytes bytes_of(std::string_view s) { return crypto::Bytes(s.begin(), s.end()); }

// Bob's side of a fresh session after he has received Alice's second message
// at `when`, so that he holds one skipped key, stamped `when`.
crypto::RatchetSession session_with_a_key_skipped_at(std::chrono::sys_seconds when) {
  const auto shared = crypto::random_secret(32);
  const crypto::Bytes ad = crypto::random_bytes(64);
  const auto bob_prekey = crypto::X25519KeyPair::generate();
  auto alice = crypto::RatchetSession::initiate(shared, ad, bob_prekey.public_key());
  auto bob = crypto::RatchetSession::respond(shared, ad, bob_prekey);
  alice.encrypt(bytes_of("never delivered"));
  bob.decrypt(alice.encrypt(bytes_of("delivered")), crypto::SkippedKeyExpiry(when));
  return bob;
}

std::size_t stored_session_size(msgd::StateDatabase& state, const std::string& peer) {
  auto select = state.db().prepare("SELECT length(state) FROM sessions WHERE peer = ?");
  select.bind(1, peer);
  EXPECT_EQ(select.step(), store::StepResult::Row);
  return static_cast<std::size_t>(select.column_int64(0));
}

TEST_F(MsgdSessionsTest, AtStartTheExpiredSkippedKeysOfIdleSessionsAreRemoved) {
  const std::filesystem::path data = dir_ / "alice" / "data";
  std::filesystem::create_directories(data);
  std::filesystem::permissions(data, std::filesystem::perms::owner_all);
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::size_t carol_before = 0;
  std::size_t dave_before = 0;
  {
    msgd::StateDatabase state(data);
    msgd::SessionStore sessions(state.db());
    // Carol's key is a year old; Dave's was skipped just now.
    sessions.save("carol", session_with_a_key_skipped_at(now - std::chrono::days(365)));
    sessions.save("dave", session_with_a_key_skipped_at(now));
    carol_before = stored_session_size(state, "carol");
    dave_before = stored_session_size(state, "dave");
  }

  auto& alice = add_user("alice");
  ASSERT_TRUE(alice.process().wait_for_output("event=skipped_keys_expired keys=1 sessions=1", std::chrono::seconds(20)))
      << alice.process().output();
  ASSERT_TRUE(alice.terminate_within(std::chrono::seconds(10)).has_value());

  msgd::StateDatabase state(data);
  // One entry of the stored form: ratchet key, N, message key and time.
  EXPECT_EQ(stored_session_size(state, "carol"), carol_before - (32 + 4 + 32 + 8));
  EXPECT_EQ(stored_session_size(state, "dave"), dave_before);
}

}  // namespace
}  // namespace sotto::testing
