// RelayConnection against a relay that misbehaves: a tiny TLS server in the
// test (lib/net's server context and stream, a self-signed certificate) that
// sends garbage, oversized or unexpected frames, refuses Hello, stays silent,
// or answers out of order. Each must end in a clean, named error.

#include <gtest/gtest.h>

#include <deque>
#include <string_view>
#include <vector>

#include "daemon/relay/relay_connection.h"
#include "lib/net/tls_context.h"
#include "lib/net/tls_stream.h"
#include "lib/wire/frame_codec.h"
#include "tests/integration/daemon/relay/relay_test_support.h"

namespace sotto::msgd::testing {
namespace {

using net::tcp;

enum class Behaviour {
  kGarbageForHelloOk,    // answers Hello with a frame that is not protobuf
  kRefuseHello,          // Error UNSUPPORTED_VERSION
  kWrongVersion,         // HelloOk with protocol_version 2
  kPlainText,            // not TLS at all
  kNoHandshake,          // accepts TCP, then nothing
  kOversizedAfterHello,  // a length prefix of 4 GiB
  kGarbageAfterHello,    // a frame that is not protobuf
  kErrorPush,            // Error SHUTTING_DOWN with request_id 0
  kUnexpectedZeroId,     // Ok with request_id 0
  kSilent,               // never answers anything after HelloOk
  kPongs,                // answers Pings, then closes after serve_for
  kReverseAnswers,       // answers three requests in reverse order, with a push first
};

struct ServerReport {
  int pings = 0;
  int frames = 0;
  std::string error;
};

struct ServerPlan {
  Behaviour behaviour;
  std::uint32_t idle_timeout_ms = 60000;
  milliseconds serve_for{1200};
};

std::string frame_bytes(const wire::Frame& frame) { return wire::encode_frame(frame); }

Awaitable<void> write_raw(net::TlsStream& stream, std::string bytes) {
  co_await stream.write_all(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

// The next frame from the client, or nullopt when it closed or sent garbage.
Awaitable<std::optional<wire::Frame>> next_frame(net::TlsStream& stream, wire::FrameDecoder& decoder,
                                                 std::deque<wire::Frame>& frames) {
  std::array<std::uint8_t, 4096> buffer{};
  while (frames.empty()) {
    std::size_t n = 0;
    try {
      n = co_await stream.read_some(buffer);
    } catch (const std::exception&) {
      co_return std::nullopt;
    }
    if (n == 0) co_return std::nullopt;
    auto result = decoder.feed(std::span<const std::uint8_t>(buffer.data(), n));
    for (auto& f : result.frames) frames.push_back(std::move(f));
    if (result.error) co_return std::nullopt;
  }
  wire::Frame frame = std::move(frames.front());
  frames.pop_front();
  co_return frame;
}

Awaitable<void> serve(tcp::acceptor* acceptor, SSL_CTX* tls, ServerPlan plan, ServerReport* report) {
  tcp::socket socket = co_await acceptor->async_accept(asio::use_awaitable);
  if (plan.behaviour == Behaviour::kPlainText) {
    const std::string_view reply = "HTTP/1.1 400 Bad Request\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(reply), asio::use_awaitable);
    socket.close();
    co_return;
  }
  if (plan.behaviour == Behaviour::kNoHandshake) {
    co_await sleep_for(milliseconds(5000));
    co_return;
  }
  net::TlsStream stream(std::move(socket), tls, net::TlsStream::Role::kServer);
  co_await stream.handshake();
  wire::FrameDecoder decoder;
  std::deque<wire::Frame> frames;
  const auto hello = co_await next_frame(stream, decoder, frames);
  if (!hello || hello->body_case() != wire::Frame::kHello) {
    report->error = "the client did not start with Hello";
    co_return;
  }
  if (hello->hello().client() != RelayConnection::client_name() || hello->hello().protocol_version() != 1 ||
      hello->request_id() == 0) {
    report->error = "unexpected Hello";
  }
  wire::Frame answer;
  answer.set_request_id(hello->request_id());
  switch (plan.behaviour) {
    case Behaviour::kGarbageForHelloOk:
      co_await write_raw(stream, std::string("\x00\x00\x00\x03\xff\xff\xff", 7));
      co_await sleep_for(milliseconds(2000));
      co_return;
    case Behaviour::kRefuseHello:
      answer.mutable_error()->set_code(wire::UNSUPPORTED_VERSION);
      answer.mutable_error()->set_reason("only version 7 here");
      co_await write_raw(stream, frame_bytes(answer));
      stream.shutdown_send();
      co_return;
    case Behaviour::kWrongVersion:
      answer.mutable_hello_ok()->set_protocol_version(2);
      break;
    default:
      answer.mutable_hello_ok()->set_protocol_version(1);
      break;
  }
  answer.mutable_hello_ok()->set_max_frame_size(1U << 20);
  answer.mutable_hello_ok()->set_server("fake-relay");
  answer.mutable_hello_ok()->set_idle_timeout_ms(plan.idle_timeout_ms);
  co_await write_raw(stream, frame_bytes(answer));

  wire::Frame push;
  switch (plan.behaviour) {
    case Behaviour::kOversizedAfterHello:
      co_await write_raw(stream, "\xff\xff\xff\xff");
      break;
    case Behaviour::kGarbageAfterHello:
      co_await write_raw(stream, std::string("\x00\x00\x00\x04garb", 8));
      break;
    case Behaviour::kErrorPush:
      push.mutable_error()->set_code(wire::SHUTTING_DOWN);
      push.mutable_error()->set_reason("draining\nmsgd: event=forged");
      co_await write_raw(stream, frame_bytes(push));
      break;
    case Behaviour::kUnexpectedZeroId:
      push.mutable_ok();
      co_await write_raw(stream, frame_bytes(push));
      break;
    case Behaviour::kReverseAnswers: {
      std::vector<wire::Frame> requests;
      while (requests.size() < 3) {
        auto f = co_await next_frame(stream, decoder, frames);
        if (!f) co_return;
        ++report->frames;
        if (f->body_case() == wire::Frame::kPing) {
          ++report->pings;
          continue;
        }
        requests.push_back(std::move(*f));
      }
      push.mutable_deliver()->set_delivery_id(99);
      push.mutable_deliver()->set_sender("carol");
      push.mutable_deliver()->set_envelope("sealed");
      std::string out = frame_bytes(push);
      for (auto it = requests.rbegin(); it != requests.rend(); ++it) {
        wire::Frame reply;
        reply.set_request_id(it->request_id());
        auto* entry = reply.mutable_presence_status()->add_entries();
        entry->set_username(it->presence().usernames(0));
        entry->set_online(true);
        out += frame_bytes(reply);
      }
      co_await write_raw(stream, out);
      break;
    }
    default:
      break;
  }
  // Then: count what the client sends (answering Pings only when told to)
  // until it closes, or until serve_for passes.
  const auto until = Clock::now() + plan.serve_for;
  for (;;) {
    auto f = co_await next_frame(stream, decoder, frames);
    if (!f) co_return;
    ++report->frames;
    if (f->body_case() != wire::Frame::kPing) continue;
    ++report->pings;
    if (plan.behaviour == Behaviour::kPongs || plan.behaviour == Behaviour::kReverseAnswers) {
      wire::Frame pong;
      pong.set_request_id(f->request_id());
      pong.mutable_pong();
      co_await write_raw(stream, frame_bytes(pong));
    }
    if (plan.behaviour == Behaviour::kPongs && Clock::now() >= until) {
      stream.shutdown_send();
      stream.close();
      co_return;
    }
  }
}

class HostileRelayTest : public RelayTestBase {
 protected:
  void SetUp() override {
    RelayTestBase::SetUp();
    net::ensure_self_signed_certificate(dir_ / "cert.pem", dir_ / "key.pem", "fake-relay");
    server_tls_ = net::make_server_context(dir_ / "cert.pem", dir_ / "key.pem");
    acceptor_.emplace(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  }
  RelayEndpoint endpoint() const { return RelayEndpoint{"127.0.0.1", acceptor_->local_endpoint().port()}; }
  void start_server(ServerPlan plan) {
    asio::co_spawn(io_, serve(&*acceptor_, server_tls_.get(), plan, &report_), asio::detached);
  }

  asio::io_context io_;
  net::SslCtxPtr server_tls_;
  net::SslCtxPtr client_tls_ = net::make_client_context();
  std::optional<tcp::acceptor> acceptor_;
  ServerReport report_;
  MemoryPinStore pins_;
};

struct ClientResult {
  std::shared_ptr<RelayConnection> connection;
  std::string open_error;
  milliseconds open_took{0};
  RunResult run;
  milliseconds lived{0};
  std::vector<wire::Frame> pushes;
};

Awaitable<void> open_and_run(RelayEndpoint endpoint, SSL_CTX* tls, PinStore* pins, milliseconds open_timeout,
                             ClientResult* out) {
  const auto start = Clock::now();
  try {
    out->connection = co_await RelayConnection::open(endpoint, tls, *pins, std::nullopt, open_timeout);
  } catch (const std::exception& e) {
    out->open_error = e.what();
  }
  out->open_took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  if (!out->connection) co_return;
  const auto up = Clock::now();
  out->connection->on_push([out](wire::Frame f) { out->pushes.push_back(std::move(f)); });
  co_await collect_run(out->connection, &out->run);
  out->lived = std::chrono::duration_cast<milliseconds>(Clock::now() - up);
}

TEST_F(HostileRelayTest, GarbageInsteadOfHelloOkFailsTheOpen) {
  start_server({Behaviour::kGarbageForHelloOk});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), &r), milliseconds(5000));
  EXPECT_FALSE(r.connection);
  EXPECT_NE(r.open_error.find("malformed frame"), std::string::npos) << r.open_error;
  EXPECT_NE(r.open_error.find("BAD_FRAME"), std::string::npos) << r.open_error;
  EXPECT_LT(r.open_took, milliseconds(1500)) << "the open waited for its timeout instead";
}

TEST_F(HostileRelayTest, RefusedHelloNamesTheRelaysReason) {
  start_server({Behaviour::kRefuseHello});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), &r), milliseconds(5000));
  EXPECT_FALSE(r.connection);
  EXPECT_EQ(r.open_error, "cannot connect to relay " + endpoint().to_string() +
                              ": the relay refused Hello: UNSUPPORTED_VERSION: only version 7 here");
  EXPECT_TRUE(report_.error.empty()) << report_.error;
}

TEST_F(HostileRelayTest, AnotherProtocolVersionIsRefused) {
  start_server({Behaviour::kWrongVersion});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), &r), milliseconds(5000));
  EXPECT_FALSE(r.connection);
  EXPECT_EQ(r.open_error, "cannot connect to relay " + endpoint().to_string() +
                              ": the relay speaks protocol version 2; msgd speaks 1");
}

TEST_F(HostileRelayTest, APlainTextServerFailsTheTlsHandshake) {
  start_server({Behaviour::kPlainText});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), &r), milliseconds(5000));
  EXPECT_FALSE(r.connection);
  EXPECT_TRUE(r.open_error.starts_with("cannot connect to relay " + endpoint().to_string() + ": ")) << r.open_error;
  EXPECT_EQ(pins_.saves, 0) << "nothing is pinned without a TLS handshake";
}

TEST_F(HostileRelayTest, AServerThatNeverHandshakesTimesOutOnTime) {
  start_server({Behaviour::kNoHandshake});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(300), &r), milliseconds(5000));
  EXPECT_FALSE(r.connection);
  EXPECT_EQ(r.open_error, "TIMEOUT: could not connect to relay " + endpoint().to_string() + " within 300 ms");
  EXPECT_GE(r.open_took, milliseconds(290));
  EXPECT_LT(r.open_took, milliseconds(1500));
}

TEST_F(HostileRelayTest, AnOversizedFrameEndsTheConnection) {
  start_server({Behaviour::kOversizedAfterHello});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), &r), milliseconds(5000));
  ASSERT_TRUE(r.connection) << r.open_error;
  EXPECT_TRUE(r.run.done);
  EXPECT_TRUE(r.run.reason.starts_with("the relay sent a malformed frame: FRAME_TOO_LARGE")) << r.run.reason;
  EXPECT_FALSE(r.connection->is_open());
}

TEST_F(HostileRelayTest, AnUnparsableFrameEndsTheConnection) {
  start_server({Behaviour::kGarbageAfterHello});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), &r), milliseconds(5000));
  ASSERT_TRUE(r.connection) << r.open_error;
  EXPECT_TRUE(r.run.reason.starts_with("the relay sent a malformed frame: BAD_FRAME")) << r.run.reason;
}

TEST_F(HostileRelayTest, AnErrorWithoutRequestIdEndsTheConnectionWithItsReason) {
  start_server({Behaviour::kErrorPush});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), &r), milliseconds(5000));
  ASSERT_TRUE(r.connection) << r.open_error;
  // The relay's newline does not survive into msgd's reason (or its log).
  EXPECT_EQ(r.run.reason, "SHUTTING_DOWN: draining?msgd: event=forged");
}

TEST_F(HostileRelayTest, ANonPushWithoutRequestIdEndsTheConnection) {
  start_server({Behaviour::kUnexpectedZeroId});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), &r), milliseconds(5000));
  ASSERT_TRUE(r.connection) << r.open_error;
  EXPECT_EQ(r.run.reason, "the relay sent a frame with request_id 0 that is not a push");
}

TEST_F(HostileRelayTest, KeepAlivePingsAnAnsweringRelayAndStaysUp) {
  start_server({Behaviour::kPongs, 300, milliseconds(1200)});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), &r), milliseconds(5000));
  ASSERT_TRUE(r.connection) << r.open_error;
  EXPECT_EQ(r.connection->ping_interval(), milliseconds(100));
  EXPECT_EQ(r.run.reason, "relay closed the connection");
  EXPECT_GE(r.lived, milliseconds(1150)) << "closed early: " << r.run.reason;
  // One Ping per 100 ms of silence from msgd: about 12 in 1.2 s.
  EXPECT_GE(report_.pings, 8);
  EXPECT_LE(report_.pings, 16);
}

TEST_F(HostileRelayTest, ASilentRelayIsDeclaredDeadAfterTwoThirdsOfItsIdleTimeout) {
  start_server({Behaviour::kSilent, 300});
  ClientResult r;
  run_until_done(io_, open_and_run(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), &r), milliseconds(5000));
  ASSERT_TRUE(r.connection) << r.open_error;
  EXPECT_EQ(r.run.reason, "TIMEOUT: nothing from the relay for 200 ms");
  EXPECT_GE(r.lived, milliseconds(190));
  EXPECT_LT(r.lived, milliseconds(1000));
  EXPECT_GE(report_.pings, 1) << "msgd gave up without pinging";
}

struct RequestResult {
  ClientResult client;
  std::vector<std::string> asked;
  std::vector<std::optional<wire::Frame>> answers;
  std::vector<std::string> errors;
  milliseconds waited{0};
};

Awaitable<void> ask(std::shared_ptr<RelayConnection> connection, std::string name, milliseconds timeout,
                    std::optional<wire::Frame>* answer, std::string* error, int* outstanding) {
  wire::Frame frame;
  frame.mutable_presence()->add_usernames(name);
  try {
    *answer = co_await connection->request(frame, timeout);
  } catch (const RelayConnectionLost& e) {
    *error = e.what();
  }
  --*outstanding;
}

Awaitable<void> ask_several(RelayEndpoint endpoint, SSL_CTX* tls, PinStore* pins, milliseconds timeout, int count,
                            RequestResult* out) {
  out->client.connection = co_await RelayConnection::open(endpoint, tls, *pins, std::nullopt, milliseconds(3000));
  auto connection = out->client.connection;
  connection->on_push([out](wire::Frame f) { out->client.pushes.push_back(std::move(f)); });
  const auto executor = co_await asio::this_coro::executor;
  asio::co_spawn(executor, collect_run(connection, &out->client.run), asio::detached);
  out->answers.resize(static_cast<std::size_t>(count));
  out->errors.resize(static_cast<std::size_t>(count));
  int outstanding = count;
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    out->asked.push_back("user" + std::to_string(i));
    asio::co_spawn(executor,
                   ask(connection, out->asked.back(), timeout, &out->answers[static_cast<std::size_t>(i)],
                       &out->errors[static_cast<std::size_t>(i)], &outstanding),
                   asio::detached);
  }
  while (outstanding > 0) co_await sleep_for(milliseconds(5));
  out->waited = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  connection->close();
  co_await wait_for(&out->client.run.done, milliseconds(1000));
}

TEST_F(HostileRelayTest, AnswersOutOfOrderReachTheirOwnRequests) {
  start_server({Behaviour::kReverseAnswers});
  RequestResult r;
  run_until_done(io_, ask_several(endpoint(), client_tls_.get(), &pins_, milliseconds(3000), 3, &r),
                 milliseconds(5000));
  ASSERT_EQ(r.answers.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(r.answers[i]) << r.errors[i];
    ASSERT_EQ(r.answers[i]->body_case(), wire::Frame::kPresenceStatus);
    EXPECT_EQ(r.answers[i]->presence_status().entries(0).username(), r.asked[i]);
  }
  ASSERT_EQ(r.client.pushes.size(), 1U);
  EXPECT_EQ(r.client.pushes[0].deliver().sender(), "carol");
  EXPECT_EQ(r.client.run.reason, "closed by msgd");
}

TEST_F(HostileRelayTest, AnUnansweredRequestTimesOutAndClosesTheConnection) {
  start_server({Behaviour::kSilent, 60000});
  RequestResult r;
  run_until_done(io_, ask_several(endpoint(), client_tls_.get(), &pins_, milliseconds(300), 2, &r), milliseconds(5000));
  ASSERT_EQ(r.errors.size(), 2U);
  // The first timeout closes the connection; the other request fails with it.
  for (const auto& error : r.errors) {
    EXPECT_EQ(error, "TIMEOUT: the relay did not answer a request within 300 ms");
  }
  EXPECT_GE(r.waited, milliseconds(290));
  EXPECT_LT(r.waited, milliseconds(1500));
  EXPECT_EQ(r.client.run.reason, "TIMEOUT: the relay did not answer a request within 300 ms");
  EXPECT_EQ(report_.frames, 2) << "both requests reached the relay";
}

}  // namespace
}  // namespace sotto::msgd::testing
