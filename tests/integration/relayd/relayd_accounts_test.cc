// Accounts over real TLS against a real relayd process: register, login,
// resume, logout, wrong passwords, revoked tokens, registration modes, rate limits.

#include <algorithm>
#include <cmath>
#include <iostream>

#include "tests/integration/relayd/relayd_fixture.h"

namespace sotto::testing {
namespace {

using AccountsTest = RelaydTest;

TEST_F(AccountsTest, RegisterLoginResumeAndLogout) {
  start_relayd();
  std::string token;
  {
    auto alice = connect_as("alice", &token);
    EXPECT_EQ(token.size(), 32u);
  }
  {
    auto c = connect();
    c->hello();
    const auto reply = c->login("ALICE", "correct horse battery");
    ASSERT_EQ(reply.body_case(), wire::Frame::kToken) << reply.error().reason();
    EXPECT_EQ(reply.token().username(), "alice");
  }
  auto resumed = resume_as(token);
  wire::Frame logout;
  logout.mutable_logout();
  EXPECT_EQ(resumed->request(logout).body_case(), wire::Frame::kOk);
  EXPECT_TRUE(resumed->wait_closed(std::chrono::seconds(5)));

  auto again = connect();
  again->hello();
  const auto reply = again->resume(token);
  ASSERT_EQ(reply.body_case(), wire::Frame::kError);
  EXPECT_EQ(reply.error().code(), wire::UNAUTHENTICATED);
}

TEST_F(AccountsTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  start_relayd();
  connect_as("bob");
  auto c = connect();
  c->hello();
  const auto wrong = c->login("bob", "not the password");
  const auto unknown = c->login("nobody", "not the password");
  ASSERT_EQ(wrong.body_case(), wire::Frame::kError);
  ASSERT_EQ(unknown.body_case(), wire::Frame::kError);
  EXPECT_EQ(wrong.error().code(), wire::BAD_CREDENTIALS);
  EXPECT_EQ(unknown.error().code(), wire::BAD_CREDENTIALS);
  EXPECT_EQ(wrong.error().reason(), unknown.error().reason());
}

TEST_F(AccountsTest, UsernameTakenAndInvalidUsernamesAreRefused) {
  start_relayd();
  connect_as("carol");
  auto c = connect();
  c->hello();
  EXPECT_EQ(c->register_user("Carol", "another password", identity_).error().code(), wire::USERNAME_TAKEN);
  for (const std::string& bad :
       std::vector<std::string>{"ab", "has space", "slash/name", std::string(33, 'a'), "ünïcode"}) {
    const auto reply = c->register_user(bad, "another password", identity_);
    ASSERT_EQ(reply.body_case(), wire::Frame::kError) << bad;
    EXPECT_EQ(reply.error().code(), wire::INVALID_ARGUMENT) << bad;
  }
}

TEST_F(AccountsTest, IdentityWithABadSignatureIsRefused) {
  start_relayd();
  auto c = connect();
  c->hello();
  wire::Frame f;
  auto* r = f.mutable_register_();
  r->set_username("mallory");
  r->set_password("a long password");
  *r->mutable_identity() = identity_.to_wire();
  r->mutable_identity()->mutable_signature()->at(0) ^= 1;
  const auto reply = c->request(f);
  ASSERT_EQ(reply.body_case(), wire::Frame::kError);
  EXPECT_EQ(reply.error().code(), wire::INVALID_ARGUMENT);
}

TEST_F(AccountsTest, RevokedTokensNoLongerResume) {
  start_relayd();
  std::string token;
  connect_as("dave", &token);
  const auto result = run_relayd_command({"user", "revoke-tokens", "dave", "--config", relayd().config_path().string(),
                                          "--state-dir", relayd().state_dir().string()});
  ASSERT_EQ(result.status, 0) << result.output;
  auto c = connect();
  c->hello();
  EXPECT_EQ(c->resume(token).error().code(), wire::UNAUTHENTICATED);
}

// A password-guessing flood spread over many source addresses, each staying
// under the per-address limit, still reaches the password check only as often
// as the per-account limit allows; other accounts are not affected.
TEST_F(AccountsTest, ALoginFloodFromAHundredAddressesIsLimitedPerAccount) {
  constexpr int kAddresses = 100;
  constexpr int kAttemptsPerAddress = 10;
  constexpr int kBurst = 5;
  constexpr double kPerMinute = 10;
  start_relayd(
      "rate_limits:\n"
      "  login_per_account: {rate: 10, per: 1m, burst: 5}\n"
      "  login_per_address: {rate: 30, per: 1m, burst: 10}\n");
  connect_as("alice");
  connect_as("bob");

  const auto started = std::chrono::steady_clock::now();
  int checked = 0;  // answered BAD_CREDENTIALS: the password was really tried
  int limited = 0;
  int other = 0;
  std::uint32_t retry_after_ms = 0;
  for (int a = 0; a < kAddresses; ++a) {
    RelayTestClient::Options options;
    options.source_address = "127.0.0." + std::to_string(a + 2);
    std::unique_ptr<RelayTestClient> c;
    int failures_here = 0;
    for (int i = 0; i < kAttemptsPerAddress; ++i) {
      if (!c) {
        c = std::make_unique<RelayTestClient>(relayd().port(), options);
        ASSERT_TRUE(c->handshake_ok()) << options.source_address << ": " << c->handshake_error();
        c->hello();
        failures_here = 0;
      }
      const auto reply = c->login("alice", "guess " + std::to_string(a) + "." + std::to_string(i));
      if (reply.body_case() != wire::Frame::kError) {
        ++other;
      } else if (reply.error().code() == wire::BAD_CREDENTIALS) {
        ++checked;
        // The fifth failure on a connection closes it (protocol.md, section 5).
        if (++failures_here == 5) c.reset();
      } else if (reply.error().code() == wire::RATE_LIMITED) {
        ++limited;
        retry_after_ms = std::max(retry_after_ms, reply.error().retry_after_ms());
      } else {
        ++other;
      }
    }
  }
  const double minutes =
      std::chrono::duration<double, std::ratio<60>>(std::chrono::steady_clock::now() - started).count();

  EXPECT_EQ(checked + limited, kAddresses * kAttemptsPerAddress);
  EXPECT_EQ(other, 0);
  // Each address stayed within its own burst, so only the account's bucket
  // can have said no: the burst, plus what refilled while the flood ran.
  const int allowed = kBurst + static_cast<int>(std::ceil(minutes * kPerMinute));
  EXPECT_GE(checked, kBurst);
  EXPECT_LE(checked, allowed) << "over " << minutes * 60 << " s";
  EXPECT_GE(limited, kAddresses * kAttemptsPerAddress - allowed);
  EXPECT_GT(retry_after_ms, 0u);
  std::cout << "login flood: " << kAddresses * kAttemptsPerAddress << " attempts from " << kAddresses
            << " addresses in " << minutes * 60 << " s; " << checked << " reached the password check, " << limited
            << " were refused RATE_LIMITED\n";

  // bob, from yet another address, logs in as usual.
  RelayTestClient::Options elsewhere;
  elsewhere.source_address = "127.0.1.1";
  RelayTestClient b(relayd().port(), elsewhere);
  b.hello();
  EXPECT_EQ(b.login("bob", "correct horse battery").body_case(), wire::Frame::kToken);
}

TEST_F(AccountsTest, LoginAttemptsAreRateLimitedPerAccountEvenForUnknownAccounts) {
  start_relayd("rate_limits:\n  login_per_account: {rate: 3, per: 1h, burst: 3}\n");
  auto c = connect();
  c->hello();
  wire::Frame last;
  for (int i = 0; i < 4; ++i) last = c->login("ghost", "wrong password " + std::to_string(i));
  ASSERT_EQ(last.body_case(), wire::Frame::kError);
  EXPECT_EQ(last.error().code(), wire::RATE_LIMITED);
  EXPECT_GT(last.error().retry_after_ms(), 0u);
}

TEST_F(AccountsTest, ClosedRegistrationRefusesAndInvitesAreSingleUse) {
  start_relayd("accounts:\n  registration: invite\n");
  auto c = connect();
  c->hello();
  EXPECT_EQ(c->register_user("erin", "a long password", identity_).error().code(), wire::REGISTRATION_CLOSED);
  const auto invite = run_relayd_command(
      {"invite", "create", "--config", relayd().config_path().string(), "--state-dir", relayd().state_dir().string()});
  ASSERT_EQ(invite.status, 0) << invite.output;
  std::string code = invite.output.substr(0, invite.output.find('\n'));
  EXPECT_EQ(c->register_user("erin", "a long password", identity_, code).body_case(), wire::Frame::kToken);
  auto d = connect();
  d->hello();
  EXPECT_EQ(d->register_user("frank", "a long password", identity_, code).error().code(), wire::REGISTRATION_CLOSED);
}

TEST_F(AccountsTest, AdminCreatedAccountTakesItsIdentityOnFirstLoginOnly) {
  start_relayd("accounts:\n  registration: closed\n");
  const auto added = run_relayd_command({"user", "add", "gina", "--password-stdin", "--config",
                                         relayd().config_path().string(), "--state-dir", relayd().state_dir().string()},
                                        "ginas password\n");
  ASSERT_EQ(added.status, 0) << added.output;
  auto c = connect();
  c->hello();
  const auto without = c->login("gina", "ginas password");
  ASSERT_EQ(without.body_case(), wire::Frame::kError);
  EXPECT_EQ(without.error().code(), wire::INVALID_ARGUMENT);
  EXPECT_NE(without.error().reason().find("identity"), std::string::npos);

  wire::Frame login;
  login.mutable_login()->set_username("gina");
  login.mutable_login()->set_password("ginas password");
  *login.mutable_login()->mutable_identity() = identity_.to_wire();
  ASSERT_EQ(c->request(login).body_case(), wire::Frame::kToken);

  // A later login cannot swap the identity key: the first one stays.
  RelayTestClient::Identity other;
  auto d = connect();
  d->hello();
  *login.mutable_login()->mutable_identity() = other.to_wire();
  ASSERT_EQ(d->request(login).body_case(), wire::Frame::kToken);
  // The relay checks a signed prekey against the stored identity: one signed
  // by the first key is accepted, one signed by the second is not.
  auto publish_signed_by = [&](const RelayTestClient::Identity& signer) {
    wire::Frame f;
    const auto spk = crypto::X25519KeyPair::generate();
    const auto sig = signer.signing.sign(spk.public_key());
    auto* p = f.mutable_publish_prekeys()->mutable_signed_prekey();
    p->set_id(1);
    p->set_public_key(std::string(spk.public_key().begin(), spk.public_key().end()));
    p->set_signature(std::string(sig.begin(), sig.end()));
    return d->request(f);
  };
  EXPECT_EQ(publish_signed_by(identity_).body_case(), wire::Frame::kPrekeyStatus);
  EXPECT_EQ(publish_signed_by(other).error().code(), wire::INVALID_ARGUMENT);
  const auto list = run_relayd_command(
      {"user", "list", "--config", relayd().config_path().string(), "--state-dir", relayd().state_dir().string()});
  EXPECT_NE(list.output.find("gina\tdevices=2\tidentity=set"), std::string::npos) << list.output;
}

}  // namespace
}  // namespace sotto::testing
