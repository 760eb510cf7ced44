#include "bench/relay_load/relay_connection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "lib/net/tls_context.h"

namespace sotto::relay_load {
namespace {

namespace asio = net::asio;
using net::tcp;
using namespace std::chrono_literals;

// The client's peer in these tests is a TLS server built from the lib/net
// parts relayd uses, scripted per test to play just the frames the test needs.

struct ServerSide {
  std::unique_ptr<net::TlsStream> stream;
  wire::FrameDecoder decoder;
  std::deque<wire::Frame> backlog;

  net::Awaitable<wire::Frame> read_frame() {
    while (backlog.empty()) {
      std::array<std::uint8_t, 4096> buf{};
      const std::size_t n = co_await stream->read_some(buf);
      if (n == 0) throw std::runtime_error("the client closed");
      auto result = decoder.feed(std::span<const std::uint8_t>(buf.data(), n));
      if (result.error) throw std::runtime_error("the client sent a bad frame");
      for (auto& f : result.frames) backlog.push_back(std::move(f));
    }
    wire::Frame frame = std::move(backlog.front());
    backlog.pop_front();
    co_return frame;
  }

  net::Awaitable<void> write(const std::string& bytes) {
    co_await stream->write_all(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  }
};

net::Awaitable<void> accept_tls(tcp::acceptor& acceptor, SSL_CTX* tls, ServerSide& server) {
  tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
  server.stream = std::make_unique<net::TlsStream>(std::move(socket), tls, net::TlsStream::Role::kServer);
  co_await server.stream->handshake();
}

class RelayConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("relay_connection_test." + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    net::ensure_self_signed_certificate(dir_ / "cert.pem", dir_ / "key.pem", "relay_connection_test");
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  std::shared_ptr<RelayConnection> make_client() {
    return std::make_shared<RelayConnection>(io_.get_executor(), client_tls_.get());
  }

  void run() {
    io_.run_for(10s);
    ASSERT_TRUE(io_.stopped()) << "the test's coroutines did not finish in time";
  }

  static inline std::filesystem::path dir_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
  net::SslCtxPtr server_tls_ = net::make_server_context(dir_ / "cert.pem", dir_ / "key.pem");
  net::SslCtxPtr client_tls_ = net::make_client_context();
  ServerSide server_;
};

wire::Frame ping_frame(std::uint64_t request_id = 0) {
  wire::Frame f;
  f.set_request_id(request_id);
  f.mutable_ping();
  return f;
}

// Spawns a coroutine on io and records an exception it ends with.
void spawn(asio::io_context& io, net::Awaitable<void> task, std::string& failure) {
  asio::co_spawn(io, std::move(task), [&failure](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      failure = ex.what();
    }
  });
}

// ---- answers and pushes ----

net::Awaitable<void> push_twice_then_answer(tcp::acceptor& acceptor, SSL_CTX* tls, ServerSide& server) {
  co_await accept_tls(acceptor, tls, server);
  const wire::Frame request = co_await server.read_frame();
  std::string out;
  wire::Frame deliver;
  deliver.mutable_deliver()->set_delivery_id(7);
  wire::append_frame(deliver, out);
  wire::Frame status;
  status.mutable_prekey_status()->set_one_time_remaining(3);
  wire::append_frame(status, out);
  wire::Frame pong = ping_frame(request.request_id());
  pong.mutable_pong();
  wire::append_frame(pong, out);
  co_await server.write(out);
  (void)co_await server.read_frame();  // until the client goes away
}

struct Seen {
  std::vector<wire::Frame> frames;
  bool buffered_after_answer = false;
  std::string error;
};

net::Awaitable<void> request_then_read_pushes(std::shared_ptr<RelayConnection> client, tcp::endpoint server,
                                              Seen& seen) {
  co_await client->open(server, std::nullopt);
  wire::Frame ping = ping_frame();
  seen.frames.push_back(co_await client->request(ping));
  seen.buffered_after_answer = client->has_buffered_frames();
  seen.frames.push_back(co_await client->next_frame());
  seen.frames.push_back(co_await client->next_frame());
  client->close();
}

TEST_F(RelayConnectionTest, RequestReturnsItsAnswerAndKeepsEarlierPushesInOrder) {
  std::string server_failure, client_failure;
  Seen seen;
  spawn(io_, push_twice_then_answer(acceptor_, server_tls_.get(), server_), server_failure);
  spawn(io_, request_then_read_pushes(make_client(), acceptor_.local_endpoint(), seen), client_failure);
  run();
  ASSERT_EQ(client_failure, "");
  ASSERT_EQ(seen.frames.size(), 3u);
  EXPECT_EQ(seen.frames[0].body_case(), wire::Frame::kPong);
  EXPECT_EQ(seen.frames[0].request_id(), 1u);
  EXPECT_TRUE(seen.buffered_after_answer);
  EXPECT_EQ(seen.frames[1].body_case(), wire::Frame::kDeliver);
  EXPECT_EQ(seen.frames[1].deliver().delivery_id(), 7u);
  EXPECT_EQ(seen.frames[2].body_case(), wire::Frame::kPrekeyStatus);
}

// ---- queued frames ----

net::Awaitable<void> read_many(tcp::acceptor& acceptor, SSL_CTX* tls, ServerSide& server, int count,
                               std::vector<std::uint64_t>& ids) {
  co_await accept_tls(acceptor, tls, server);
  for (int i = 0; i < count; ++i) {
    const wire::Frame f = co_await server.read_frame();
    ids.push_back(f.request_id());
  }
  wire::Frame pong;
  pong.set_request_id(ids.back());
  pong.mutable_pong();
  co_await server.write(wire::encode_frame(pong));
  (void)co_await server.read_frame();
}

net::Awaitable<void> queue_many(std::shared_ptr<RelayConnection> client, tcp::endpoint server, int count,
                                wire::Frame& last) {
  co_await client->open(server, std::nullopt);
  for (int i = 0; i < count; ++i) {
    wire::Frame f = ping_frame();
    client->queue(f);
  }
  last = co_await client->next_frame();
  client->close();
}

TEST_F(RelayConnectionTest, QueuedFramesArriveInOrderWithConsecutiveRequestIds) {
  constexpr int kCount = 500;
  std::string server_failure, client_failure;
  std::vector<std::uint64_t> ids;
  wire::Frame last;
  spawn(io_, read_many(acceptor_, server_tls_.get(), server_, kCount, ids), server_failure);
  spawn(io_, queue_many(make_client(), acceptor_.local_endpoint(), kCount, last), client_failure);
  run();
  ASSERT_EQ(client_failure, "");
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(ids[static_cast<std::size_t>(i)], static_cast<std::uint64_t>(i + 1));
  EXPECT_EQ(last.body_case(), wire::Frame::kPong);
  EXPECT_EQ(last.request_id(), static_cast<std::uint64_t>(kCount));
}

// ---- failures ----

net::Awaitable<void> handshake_then(tcp::acceptor& acceptor, SSL_CTX* tls, ServerSide& server, std::string bytes,
                                    bool close_after) {
  co_await accept_tls(acceptor, tls, server);
  if (!bytes.empty()) co_await server.write(bytes);
  if (close_after) {
    server.stream->close();
    co_return;
  }
  try {
    (void)co_await server.read_frame();
    for (;;) (void)co_await server.read_frame();
  } catch (const std::exception&) {
    // The client closed: the script is over.
  }
}

net::Awaitable<void> read_one(std::shared_ptr<RelayConnection> client, tcp::endpoint server,
                              std::chrono::milliseconds deadline, std::string& error,
                              std::chrono::steady_clock::duration& took) {
  const auto start = std::chrono::steady_clock::now();
  try {
    co_await client->open(server, std::nullopt);
    if (deadline.count() > 0) client->set_deadline(std::chrono::steady_clock::now() + deadline);
    wire::Frame ping = ping_frame();
    (void)co_await client->request(ping);
    error = "no error";
  } catch (const ConnectionError& e) {
    error = e.what();
  }
  took = std::chrono::steady_clock::now() - start;
  client->close();
}

TEST_F(RelayConnectionTest, APeerThatClosesIsAConnectionError) {
  std::string server_failure, client_failure, error;
  std::chrono::steady_clock::duration took{};
  spawn(io_, handshake_then(acceptor_, server_tls_.get(), server_, "", true), server_failure);
  spawn(io_, read_one(make_client(), acceptor_.local_endpoint(), 0ms, error, took), client_failure);
  run();
  EXPECT_EQ(client_failure, "");
  EXPECT_NE(error, "no error");
  EXPECT_FALSE(error.empty());
}

TEST_F(RelayConnectionTest, TheDeadlineClosesAConnectionThatGetsNoAnswer) {
  std::string server_failure, client_failure, error;
  std::chrono::steady_clock::duration took{};
  spawn(io_, handshake_then(acceptor_, server_tls_.get(), server_, "", false), server_failure);
  spawn(io_, read_one(make_client(), acceptor_.local_endpoint(), 200ms, error, took), client_failure);
  run();
  EXPECT_EQ(client_failure, "");
  EXPECT_NE(error, "no error");
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 5s);
}

TEST_F(RelayConnectionTest, AnImpossibleFrameLengthIsAConnectionError) {
  std::string server_failure, client_failure, error;
  std::chrono::steady_clock::duration took{};
  spawn(io_, handshake_then(acceptor_, server_tls_.get(), server_, std::string(4, '\xff'), false), server_failure);
  spawn(io_, read_one(make_client(), acceptor_.local_endpoint(), 0ms, error, took), client_failure);
  run();
  EXPECT_EQ(client_failure, "");
  EXPECT_NE(error.find("malformed"), std::string::npos) << error;
}

TEST_F(RelayConnectionTest, AConnectionLevelErrorAnswersAPendingRequest) {
  wire::Frame error_frame;
  error_frame.mutable_error()->set_code(wire::SHUTTING_DOWN);
  std::string server_failure, client_failure;
  Seen seen;
  // The server answers the request with a request-id-0 Error, as relayd does
  // when it is draining.
  auto script = [](tcp::acceptor& acceptor, SSL_CTX* tls, ServerSide& server,
                   std::string bytes) -> net::Awaitable<void> {
    co_await accept_tls(acceptor, tls, server);
    (void)co_await server.read_frame();
    co_await server.write(bytes);
    server.stream->close();
  };
  spawn(io_, script(acceptor_, server_tls_.get(), server_, wire::encode_frame(error_frame)), server_failure);
  auto client_script = [](std::shared_ptr<RelayConnection> client, tcp::endpoint server,
                          Seen& out) -> net::Awaitable<void> {
    co_await client->open(server, std::nullopt);
    wire::Frame ping = ping_frame();
    out.frames.push_back(co_await client->request(ping));
    client->close();
  };
  spawn(io_, client_script(make_client(), acceptor_.local_endpoint(), seen), client_failure);
  run();
  ASSERT_EQ(client_failure, "");
  ASSERT_EQ(seen.frames.size(), 1u);
  EXPECT_EQ(seen.frames[0].body_case(), wire::Frame::kError);
  EXPECT_EQ(seen.frames[0].error().code(), wire::SHUTTING_DOWN);
}

TEST_F(RelayConnectionTest, ConnectingWhereNobodyListensIsAConnectionError) {
  const auto endpoint = acceptor_.local_endpoint();
  acceptor_.close();
  std::string client_failure, error;
  std::chrono::steady_clock::duration took{};
  spawn(io_, read_one(make_client(), endpoint, 0ms, error, took), client_failure);
  run();
  EXPECT_EQ(client_failure, "");
  EXPECT_NE(error.find("connect"), std::string::npos) << error;
}

TEST_F(RelayConnectionTest, ConnectsFromTheSourceAddressItIsGiven) {
  std::string server_failure, client_failure;
  tcp::endpoint peer;
  auto script = [](tcp::acceptor& acceptor, tcp::endpoint& seen_peer) -> net::Awaitable<void> {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    seen_peer = socket.remote_endpoint();
  };
  spawn(io_, script(acceptor_, peer), server_failure);
  auto client_script = [](std::shared_ptr<RelayConnection> client, tcp::endpoint server) -> net::Awaitable<void> {
    try {
      co_await client->open(server, asio::ip::make_address("127.0.0.9"));
    } catch (const ConnectionError&) {
      // The server side hangs up before TLS; only the address matters here.
    }
    client->close();
  };
  spawn(io_, client_script(make_client(), acceptor_.local_endpoint()), client_failure);
  run();
  EXPECT_EQ(server_failure, "");
  EXPECT_EQ(peer.address().to_string(), "127.0.0.9");
}

}  // namespace
}  // namespace sotto::relay_load
