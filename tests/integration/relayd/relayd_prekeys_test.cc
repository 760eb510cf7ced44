// Prekey bundles: a one-time prekey is handed out at most once, even when many
// clients fetch at the same moment; the signed prekey is the fallback; the
// owner hears when its stock runs low.

#include <mutex>
#include <set>
#include <thread>

#include "tests/integration/relayd/relayd_fixture.h"

namespace sotto::testing {
namespace {

using PrekeysTest = RelaydTest;

wire::Frame publish(RelayTestClient& c, const RelayTestClient::Identity& id, std::uint32_t first, std::uint32_t count) {
  wire::Frame f;
  auto* p = f.mutable_publish_prekeys();
  const auto spk = crypto::X25519KeyPair::generate();
  const auto sig = id.signing.sign(spk.public_key());
  p->mutable_signed_prekey()->set_id(1);
  p->mutable_signed_prekey()->set_public_key(std::string(spk.public_key().begin(), spk.public_key().end()));
  p->mutable_signed_prekey()->set_signature(std::string(sig.begin(), sig.end()));
  for (std::uint32_t i = 0; i < count; ++i) {
    auto* k = p->add_one_time_prekeys();
    k->set_id(first + i);
    const auto pair = crypto::X25519KeyPair::generate();
    k->set_public_key(std::string(pair.public_key().begin(), pair.public_key().end()));
  }
  return c.request(f);
}

wire::Frame fetch(RelayTestClient& c, const std::string& user) {
  wire::Frame f;
  f.mutable_fetch_bundle()->set_username(user);
  return c.request(f);
}

TEST_F(PrekeysTest, ConcurrentFetchesHandOutEachOneTimePrekeyExactlyOnce) {
  start_relayd();
  auto bob = connect_as("bob");
  const auto status = publish(*bob, identity_, 100, 40);
  ASSERT_EQ(status.body_case(), wire::Frame::kPrekeyStatus) << status.error().reason();
  EXPECT_EQ(status.prekey_status().one_time_remaining(), 40u);

  std::string token;
  connect_as("fetcher", &token);
  std::mutex mutex;
  std::multiset<std::uint32_t> handed_out;
  int fallbacks = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      auto c = resume_as(token);
      for (int i = 0; i < 10; ++i) {
        const auto reply = fetch(*c, "bob");
        ASSERT_EQ(reply.body_case(), wire::Frame::kBundle) << reply.error().reason();
        std::lock_guard lock(mutex);
        if (reply.bundle().has_one_time_prekey()) {
          handed_out.insert(reply.bundle().one_time_prekey().id());
        } else {
          ++fallbacks;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(handed_out.size(), 40u);
  EXPECT_EQ(std::set<std::uint32_t>(handed_out.begin(), handed_out.end()).size(), 40u) << "a prekey went out twice";
  EXPECT_EQ(fallbacks, 20);
}

TEST_F(PrekeysTest, OwnerIsToldWhenPrekeysRunLow) {
  start_relayd();
  auto bob = connect_as("bob");
  ASSERT_EQ(publish(*bob, identity_, 1, 20).body_case(), wire::Frame::kPrekeyStatus);
  auto alice = connect_as("alice");
  ASSERT_EQ(fetch(*alice, "bob").body_case(), wire::Frame::kBundle);
  // bob was told at login that he had none; the fetch brings news of 19.
  std::optional<wire::Frame> push;
  do {
    push = bob->next_push(std::chrono::seconds(5));
    ASSERT_TRUE(push.has_value());
    ASSERT_EQ(push->body_case(), wire::Frame::kPrekeyStatus);
  } while (push->prekey_status().one_time_remaining() == 0);
  EXPECT_EQ(push->prekey_status().one_time_remaining(), 19u);
}

TEST_F(PrekeysTest, LoginReportsLowPrekeysAtOnce) {
  start_relayd();
  auto bob = connect_as("bob");
  auto push = bob->next_push(std::chrono::seconds(5));
  ASSERT_TRUE(push.has_value());
  ASSERT_EQ(push->body_case(), wire::Frame::kPrekeyStatus);
  EXPECT_EQ(push->prekey_status().one_time_remaining(), 0u);
  EXPECT_EQ(push->prekey_status().low_mark(), 20u);
}

TEST_F(PrekeysTest, SignedPrekeyWithABadSignatureIsRefused) {
  start_relayd();
  auto bob = connect_as("bob");
  RelayTestClient::Identity other;
  const auto reply = publish(*bob, other, 1, 1);  // signed by a key that is not bob's
  ASSERT_EQ(reply.body_case(), wire::Frame::kError);
  EXPECT_EQ(reply.error().code(), wire::INVALID_ARGUMENT);
}

TEST_F(PrekeysTest, BundleOfAUserWithoutPrekeysIsNotFound) {
  start_relayd();
  connect_as("bob");
  auto alice = connect_as("alice");
  EXPECT_EQ(fetch(*alice, "bob").error().code(), wire::NOT_FOUND);
  EXPECT_EQ(fetch(*alice, "nobody").error().code(), wire::NOT_FOUND);
}

}  // namespace
}  // namespace sotto::testing
