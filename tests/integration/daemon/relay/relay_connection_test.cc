// RelayConnection against real relayd processes: pinning on first use and
// after a certificate change, configured pins, requests matched by id (also
// many at once), pushes, and what a request sees when relayd dies.

#include "daemon/relay/relay_connection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "lib/net/tls_context.h"
#include "tests/integration/daemon/relay/relay_test_support.h"
#include "tests/integration/support/relay_test_client.h"
#include "tests/integration/support/relayd_process.h"

namespace sotto::msgd::testing {
namespace {

using sotto::testing::RelaydProcess;
using sotto::testing::RelayTestClient;

constexpr milliseconds kOpenTimeout{5000};
constexpr milliseconds kScenarioLimit{15000};
constexpr const char* kPassword = "correct horse battery";

wire::Frame register_frame(const std::string& username) {
  static const RelayTestClient::Identity identity;
  wire::Frame frame;
  auto* r = frame.mutable_register_();
  r->set_username(username);
  r->set_password(kPassword);
  *r->mutable_identity() = identity.to_wire();
  r->set_device_name("msgd-test");
  return frame;
}

class RelayConnectionTest : public RelayTestBase {
 protected:
  void TearDown() override {
    if (HasFailure() && relayd_) std::cerr << "---- relayd log ----\n" << relayd_->log() << "--------------------\n";
    relayd_.reset();
    RelayTestBase::TearDown();
  }
  RelayEndpoint endpoint() const { return RelayEndpoint{"127.0.0.1", relayd_->port()}; }

  net::SslCtxPtr tls_ = net::make_client_context();
  MemoryPinStore pins_;
  std::unique_ptr<RelaydProcess> relayd_;
};

// What one open() showed. The connection itself does not outlive open_once's
// io_context (its sockets and timers belong to it).
struct OpenResult {
  bool opened = false;
  std::string fingerprint;
  wire::HelloOk hello;
  milliseconds ping_interval{0};
  std::string error;
  std::optional<RelayPinMismatch> mismatch;
};

Awaitable<void> try_open(RelayEndpoint endpoint, SSL_CTX* tls, PinStore* pins, std::optional<std::string> configured,
                         OpenResult* out) {
  try {
    auto connection = co_await RelayConnection::open(endpoint, tls, *pins, std::move(configured), kOpenTimeout);
    out->opened = true;
    out->fingerprint = connection->fingerprint();
    out->hello = connection->server_hello();
    out->ping_interval = connection->ping_interval();
    connection->close();
  } catch (const RelayPinMismatch& e) {
    out->mismatch = e;
    out->error = e.what();
  } catch (const std::exception& e) {
    out->error = e.what();
  }
}

OpenResult open_once(const RelayEndpoint& endpoint, SSL_CTX* tls, PinStore& pins,
                     std::optional<std::string> configured = std::nullopt) {
  asio::io_context io;
  OpenResult result;
  run_until_done(io, try_open(endpoint, tls, &pins, std::move(configured), &result), kScenarioLimit);
  return result;
}

TEST_F(RelayConnectionTest, FirstConnectionPinsTheCertificateAndTheSameRelayIsAcceptedAgain) {
  relayd_ = std::make_unique<RelaydProcess>(dir_ / "relayd");
  relayd_->start();
  const std::string fingerprint = presented_fingerprint(relayd_->port());

  const OpenResult first = open_once(endpoint(), tls_.get(), pins_);
  ASSERT_TRUE(first.opened) << first.error;
  EXPECT_EQ(first.fingerprint, fingerprint);
  EXPECT_EQ(pins_.pins[endpoint().to_string()], fingerprint);
  EXPECT_EQ(pins_.saves, 1);
  const wire::HelloOk& hello = first.hello;
  EXPECT_EQ(hello.protocol_version(), 1U);
  EXPECT_GT(hello.idle_timeout_ms(), 0U);
  EXPECT_EQ(first.ping_interval, milliseconds(hello.idle_timeout_ms() / 3));

  const OpenResult second = open_once(endpoint(), tls_.get(), pins_);
  EXPECT_TRUE(second.opened) << second.error;
  EXPECT_EQ(pins_.saves, 1) << "an accepted pin is not saved again";
}

TEST_F(RelayConnectionTest, ADifferentRelayOnTheSameAddressIsRefusedNamingBothFingerprints) {
  const std::uint16_t port = free_loopback_port();
  relayd_ = make_relayd_on_port(dir_ / "first", port);
  relayd_->start();
  ASSERT_EQ(relayd_->port(), port);
  const OpenResult first = open_once(endpoint(), tls_.get(), pins_);
  ASSERT_TRUE(first.opened) << first.error;
  const std::string pinned = first.fingerprint;
  relayd_->kill9();

  // Another relayd with its own state (so its own self-signed certificate).
  relayd_ = make_relayd_on_port(dir_ / "second", port);
  relayd_->start();
  const std::string presented = presented_fingerprint(port);
  ASSERT_NE(presented, pinned);

  const OpenResult second = open_once(endpoint(), tls_.get(), pins_);
  EXPECT_FALSE(second.opened);
  ASSERT_TRUE(second.mismatch) << "expected RelayPinMismatch, got: " << second.error;
  EXPECT_EQ(second.mismatch->pinned(), pinned);
  EXPECT_EQ(second.mismatch->presented(), presented);
  EXPECT_NE(second.error.find(pinned), std::string::npos) << second.error;
  EXPECT_NE(second.error.find(presented), std::string::npos) << second.error;
  EXPECT_NE(second.error.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << second.error;
  EXPECT_NE(second.error.find("msgctl relay forget"), std::string::npos) << second.error;
  EXPECT_EQ(pins_.pins[endpoint().to_string()], pinned) << "the old pin must stay";
}

TEST_F(RelayConnectionTest, ConfiguredFingerprintWrongIsRefusedRightIsAccepted) {
  relayd_ = std::make_unique<RelaydProcess>(dir_ / "relayd");
  relayd_->start();
  const std::string fingerprint = presented_fingerprint(relayd_->port());
  const std::string wrong = "sha256:" + std::string(64, '0');

  const OpenResult refused = open_once(endpoint(), tls_.get(), pins_, wrong);
  EXPECT_FALSE(refused.opened);
  ASSERT_TRUE(refused.mismatch) << refused.error;
  EXPECT_EQ(refused.mismatch->source(), RelayPinMismatch::Source::kConfigured);
  EXPECT_NE(refused.error.find(wrong), std::string::npos);
  EXPECT_NE(refused.error.find(fingerprint), std::string::npos);

  // Upper case, as some tools print it.
  std::string upper = fingerprint;
  for (std::size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  const OpenResult accepted = open_once(endpoint(), tls_.get(), pins_, upper);
  EXPECT_TRUE(accepted.opened) << accepted.error;
  EXPECT_EQ(pins_.saves, 0) << "a configured pin is not a first use";

  const OpenResult malformed = open_once(endpoint(), tls_.get(), pins_, std::string("sha256:nothex"));
  EXPECT_FALSE(malformed.opened);
  EXPECT_NE(malformed.error.find("64 hex digits"), std::string::npos) << malformed.error;
}

struct Exchange {
  wire::Frame request;
  std::optional<wire::Frame> answer;
  std::string error;
};

Awaitable<void> exchange(std::shared_ptr<RelayConnection> connection, Exchange* slot, int* outstanding) {
  try {
    slot->answer = co_await connection->request(slot->request);
  } catch (const std::exception& e) {
    slot->error = e.what();
  }
  --*outstanding;
}

struct RequestScenario {
  std::optional<wire::Frame> registered;
  std::vector<Exchange> exchanges;
  RunResult run;
  std::vector<wire::Frame> pushes;
  std::string error;
};

Awaitable<void> register_and_fan_out(RelayEndpoint endpoint, SSL_CTX* tls, PinStore* pins, std::uint16_t port,
                                     RequestScenario* out) {
  auto connection = co_await RelayConnection::open(endpoint, tls, *pins, std::nullopt, kOpenTimeout);
  connection->on_push([out](wire::Frame frame) { out->pushes.push_back(std::move(frame)); });
  asio::co_spawn(co_await asio::this_coro::executor, collect_run(connection, &out->run), asio::detached);
  out->registered = co_await connection->request(register_frame("alice"));

  // Requests of three kinds at once; each must get the answer to its own id.
  for (int i = 0; i < 12; ++i) {
    Exchange e;
    switch (i % 3) {
      case 0:
        e.request.mutable_ping();
        break;
      case 1:
        e.request.mutable_presence()->add_usernames("alice");
        break;
      default:
        e.request.mutable_fetch_bundle()->set_username("nobody" + std::to_string(i));
        break;
    }
    out->exchanges.push_back(std::move(e));
  }
  int outstanding = static_cast<int>(out->exchanges.size());
  const auto executor = co_await asio::this_coro::executor;
  for (auto& e : out->exchanges) asio::co_spawn(executor, exchange(connection, &e, &outstanding), asio::detached);
  const auto deadline = Clock::now() + milliseconds(5000);
  while (outstanding > 0 && Clock::now() < deadline) co_await sleep_for(milliseconds(5));

  // A push: bob (the blocking test client) sends alice an envelope.
  RelayTestClient bob(port);
  bob.hello();
  const auto bob_token = bob.register_user("bob", kPassword, RelayTestClient::Identity{});
  if (bob_token.body_case() != wire::Frame::kToken) throw std::runtime_error("bob could not register");
  const auto ack = bob.send_envelope(sotto::testing::test_message_id(1), {"alice"}, "ciphertext");
  if (ack.body_case() != wire::Frame::kSendAck) throw std::runtime_error("bob's Send was refused");
  const auto push_deadline = Clock::now() + milliseconds(3000);
  const auto has_delivery = [out] {
    return std::any_of(out->pushes.begin(), out->pushes.end(),
                       [](const wire::Frame& f) { return f.body_case() == wire::Frame::kDeliver; });
  };
  while (!has_delivery() && Clock::now() < push_deadline) co_await sleep_for(milliseconds(10));
  connection->close();
  co_await wait_for(&out->run.done, milliseconds(2000));
}

TEST_F(RelayConnectionTest, RequestsAreAnsweredByIdEvenManyAtOnceAndPushesArrive) {
  relayd_ = std::make_unique<RelaydProcess>(dir_ / "relayd");
  relayd_->start();
  asio::io_context io;
  RequestScenario s;
  run_until_done(io, register_and_fan_out(endpoint(), tls_.get(), &pins_, relayd_->port(), &s), kScenarioLimit);

  ASSERT_TRUE(s.registered);
  ASSERT_EQ(s.registered->body_case(), wire::Frame::kToken) << s.registered->error().reason();
  EXPECT_EQ(s.registered->token().username(), "alice");
  EXPECT_EQ(s.registered->token().token().size(), 32U);

  ASSERT_EQ(s.exchanges.size(), 12U);
  std::vector<std::uint64_t> ids;
  for (const auto& e : s.exchanges) {
    ASSERT_TRUE(e.answer) << e.error;
    EXPECT_NE(e.answer->request_id(), 0U);
    ids.push_back(e.answer->request_id());
    switch (e.request.body_case()) {
      case wire::Frame::kPing:
        EXPECT_EQ(e.answer->body_case(), wire::Frame::kPong);
        break;
      case wire::Frame::kPresence:
        ASSERT_EQ(e.answer->body_case(), wire::Frame::kPresenceStatus);
        ASSERT_EQ(e.answer->presence_status().entries_size(), 1);
        EXPECT_EQ(e.answer->presence_status().entries(0).username(), "alice");
        EXPECT_TRUE(e.answer->presence_status().entries(0).online());
        break;
      default:
        ASSERT_EQ(e.answer->body_case(), wire::Frame::kError);
        EXPECT_EQ(e.answer->error().code(), wire::NOT_FOUND);
        break;
    }
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end()) << "two requests shared an id";

  // relayd pushes PrekeyStatus at registration (alice has no one-time
  // prekeys yet), then the Deliver.
  std::vector<wire::Frame> deliveries;
  bool prekey_status = false;
  for (const auto& push : s.pushes) {
    EXPECT_EQ(push.request_id(), 0U);
    if (push.body_case() == wire::Frame::kDeliver) deliveries.push_back(push);
    if (push.body_case() == wire::Frame::kPrekeyStatus) prekey_status = true;
  }
  EXPECT_TRUE(prekey_status);
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].deliver().sender(), "bob");
  EXPECT_EQ(deliveries[0].deliver().envelope(), "ciphertext");

  EXPECT_TRUE(s.run.done);
  EXPECT_EQ(s.run.reason, "closed by msgd");
}

struct DeathScenario {
  std::string request_error;
  RunResult run;
  milliseconds noticed_after{0};
};

Awaitable<void> request_then_kill(RelayEndpoint endpoint, SSL_CTX* tls, PinStore* pins, RelaydProcess* relayd,
                                  DeathScenario* out) {
  auto connection = co_await RelayConnection::open(endpoint, tls, *pins, std::nullopt, kOpenTimeout);
  asio::co_spawn(co_await asio::this_coro::executor, collect_run(connection, &out->run), asio::detached);
  relayd->kill9();
  const auto killed_at = Clock::now();
  try {
    wire::Frame ping;
    ping.mutable_ping();
    (void)co_await connection->request(ping, milliseconds(3000));
    out->request_error = "(answered)";
  } catch (const RelayConnectionLost& e) {
    out->request_error = e.what();
  }
  out->noticed_after = std::chrono::duration_cast<milliseconds>(Clock::now() - killed_at);
  co_await wait_for(&out->run.done, milliseconds(2000));
  // Requests on a dead connection fail at once.
  try {
    wire::Frame ping;
    ping.mutable_ping();
    (void)co_await connection->request(ping);
    out->request_error += " | second request answered";
  } catch (const RelayConnectionLost&) {
  }
}

TEST_F(RelayConnectionTest, ARequestFailsPromptlyWhenRelaydDies) {
  relayd_ = std::make_unique<RelaydProcess>(dir_ / "relayd");
  relayd_->start();
  asio::io_context io;
  DeathScenario s;
  run_until_done(io, request_then_kill(endpoint(), tls_.get(), &pins_, relayd_.get(), &s), kScenarioLimit);
  // EOF or a reset, depending on whether the Ping reached the dead port first.
  EXPECT_TRUE(s.request_error == "relay closed the connection" ||
              s.request_error.starts_with("connection to the relay failed") ||
              s.request_error.starts_with("writing to the relay failed"))
      << s.request_error;
  EXPECT_LT(s.noticed_after, milliseconds(2000)) << "the request waited for its timeout";
  EXPECT_TRUE(s.run.done);
  EXPECT_EQ(s.run.reason, s.request_error) << "run() and the request report the same end";
}

TEST_F(RelayConnectionTest, NobodyListeningIsAClearError) {
  const RelayEndpoint nowhere{"127.0.0.1", free_loopback_port()};
  const OpenResult result = open_once(nowhere, tls_.get(), pins_);
  EXPECT_FALSE(result.opened);
  EXPECT_NE(result.error.find("cannot connect to relay " + nowhere.to_string()), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("refused"), std::string::npos) << result.error;
  EXPECT_EQ(pins_.saves, 0);
}

TEST_F(RelayConnectionTest, AnUnresolvableHostIsAClearError) {
  const RelayEndpoint nowhere{"no-such-host.invalid", 7443};
  const OpenResult result = open_once(nowhere, tls_.get(), pins_);
  EXPECT_FALSE(result.opened);
  EXPECT_NE(result.error.find("cannot connect to relay no-such-host.invalid:7443"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace sotto::msgd::testing
