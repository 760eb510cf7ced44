#include "lib/net/tls_stream.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lib/net/tls_context.h"
#include "tests/support/temp_dir.h"

namespace sotto::net {
namespace tls_stream_test {

namespace asio = net::asio;
using namespace std::chrono_literals;

std::vector<std::uint8_t> pattern(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> bytes(size);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& b : bytes) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<std::uint8_t>(x >> 24);
  }
  return bytes;
}

// Reads until `size` bytes have come or the peer closed; what came.
Awaitable<std::vector<std::uint8_t>> read_bytes(TlsStream& stream, std::size_t size) {
  std::vector<std::uint8_t> got;
  std::vector<std::uint8_t> buf(3000);  // not a record's size: reads end inside records
  while (got.size() < size) {
    const std::size_t n = co_await stream.read_some(buf);
    if (n == 0) break;
    got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
  co_return got;
}

// Real TLS 1.3 over a loopback TCP connection, both ends TlsStreams with the
// contexts relayd and msgd use.
class TlsStreamTest : public ::testing::Test {
 protected:
  TlsStreamTest() {
    ensure_self_signed_certificate(dir_ / "cert.pem", dir_ / "key.pem", "tls_stream_test");
    server_tls_ = make_server_context(dir_ / "cert.pem", dir_ / "key.pem");
    client_tls_ = make_client_context();
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    asio::co_spawn(
        io_,
        [&]() -> Awaitable<void> {
          tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
          server_ = std::make_unique<TlsStream>(std::move(socket), server_tls_.get(), TlsStream::Role::kServer);
          co_await server_->handshake();
        },
        [this](std::exception_ptr e) { record(e); });
    asio::co_spawn(
        io_,
        [&]() -> Awaitable<void> {
          tcp::socket socket(io_);
          co_await socket.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
          client_ = std::make_unique<TlsStream>(std::move(socket), client_tls_.get(), TlsStream::Role::kClient);
          co_await client_->handshake();
        },
        [this](std::exception_ptr e) { record(e); });
    run();
  }

  void record(std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      failures_.push_back(ex.what());
    }
  }

  // Runs the io_context until every coroutine ended; fails on any exception
  // nobody expected.
  void run() {
    io_.restart();
    io_.run_for(20s);
    ASSERT_TRUE(io_.stopped()) << "the coroutines did not finish in time";
    ASSERT_TRUE(failures_.empty()) << failures_.front();
  }

  // With the writers already spawned: reads both ways until all has come,
  // then checks each side got exactly what the other sent.
  void expect_arrival(const std::vector<std::uint8_t>& to_server, const std::vector<std::uint8_t>& to_client) {
    std::vector<std::uint8_t> server_got;
    std::vector<std::uint8_t> client_got;
    spawn([&]() -> Awaitable<void> { server_got = co_await read_bytes(*server_, to_server.size()); });
    spawn([&]() -> Awaitable<void> { client_got = co_await read_bytes(*client_, to_client.size()); });
    run();
    EXPECT_EQ(server_got, to_server);
    EXPECT_EQ(client_got, to_client);
  }

  // Long enough for the other side's read to be waiting.
  Awaitable<void> a_moment() {
    asio::steady_timer timer(io_, 50ms);
    co_await timer.async_wait(asio::use_awaitable);
  }

  template <typename F>
  void spawn(F body) {
    asio::co_spawn(io_, std::move(body), [this](std::exception_ptr e) { record(e); });
  }

  sotto::testing::TempDir dir_;
  asio::io_context io_;
  SslCtxPtr server_tls_;
  SslCtxPtr client_tls_;
  std::unique_ptr<TlsStream> server_;
  std::unique_ptr<TlsStream> client_;
  std::vector<std::string> failures_;
};

TEST_F(TlsStreamTest, ManySmallRecordsArriveWholeAndInOrderBothWays) {
  // 300 records of 97 bytes each way: many arrive together, and a read
  // ends inside a record.
  const std::vector<std::uint8_t> to_server = pattern(300 * 97, 1);
  const std::vector<std::uint8_t> to_client = pattern(300 * 97, 2);
  for (auto [from, data] : {std::pair{client_.get(), &to_server}, std::pair{server_.get(), &to_client}}) {
    spawn([from, data]() -> Awaitable<void> {
      for (std::size_t at = 0; at < data->size(); at += 97) {
        co_await from->write_all(std::span(data->data() + at, 97));
      }
    });
  }
  expect_arrival(to_server, to_client);
}

TEST_F(TlsStreamTest, OneMebibyteEachWayAtOnceArrivesIntact) {
  // Full 16 KiB records, with each stream reading and writing at the same
  // time.
  const std::vector<std::uint8_t> to_server = pattern(1 << 20, 3);
  const std::vector<std::uint8_t> to_client = pattern(1 << 20, 4);
  spawn([&]() -> Awaitable<void> { co_await client_->write_all(to_server); });
  spawn([&]() -> Awaitable<void> { co_await server_->write_all(to_client); });
  expect_arrival(to_server, to_client);
}

TEST_F(TlsStreamTest, AReadAfterThePeersCloseNotifyReturnsZero) {
  std::size_t got = 1;
  spawn([&]() -> Awaitable<void> {
    std::vector<std::uint8_t> buf(100);
    got = co_await client_->read_some(buf);  // waits: nothing has come yet
  });
  spawn([&]() -> Awaitable<void> {
    co_await a_moment();
    server_->shutdown_send();
  });
  run();
  EXPECT_EQ(got, 0u);
}

TEST_F(TlsStreamTest, DataBeforeTheCloseNotifyIsReadFirst) {
  const std::vector<std::uint8_t> last = pattern(200, 5);
  std::vector<std::uint8_t> got;
  spawn([&]() -> Awaitable<void> {
    co_await server_->write_all(last);
    server_->shutdown_send();
  });
  spawn([&]() -> Awaitable<void> { got = co_await read_bytes(*client_, 1 << 20); });  // stops at the close
  run();
  EXPECT_EQ(got, last);
}

TEST_F(TlsStreamTest, APeerThatClosesWithoutCloseNotifyIsATlsError) {
  // A truncation: OpenSSL refuses an end of stream with no close_notify.
  std::string error;
  spawn([&]() -> Awaitable<void> {
    std::vector<std::uint8_t> buf(100);
    try {
      (void)co_await client_->read_some(buf);
    } catch (const TlsError& e) {
      error = e.what();
    }
  });
  spawn([&]() -> Awaitable<void> {
    co_await a_moment();
    server_->close();
  });
  run();
  EXPECT_NE(error.find("unexpected eof"), std::string::npos) << error;
}

TEST_F(TlsStreamTest, AResetByThePeerEndsTheStreamLikeAClose) {
  // OpenSSL reports a reset as a system error with nothing on its error
  // queue, which read_some has always answered as the peer having gone: 0.
  // What matters is that the waiting read ends, and that nothing is raised
  // (no SIGPIPE, no hang).
  std::size_t got = 1;
  spawn([&]() -> Awaitable<void> {
    std::vector<std::uint8_t> buf(100);
    got = co_await client_->read_some(buf);
  });
  spawn([&]() -> Awaitable<void> {
    co_await a_moment();
    // Linger 0 and no shutdown first: closing sends a RST instead of a FIN.
    server_->socket().set_option(asio::socket_base::linger(true, 0));
    server_->socket().close();
  });
  run();
  EXPECT_EQ(got, 0u);
}

TEST_F(TlsStreamTest, WritingToAPeerThatResetIsATlsError) {
  // A peer that is gone is a TlsError for the writer. (Every program of
  // the project also ignores SIGPIPE, for writes after the first failure.)
  std::string error;
  spawn([&]() -> Awaitable<void> {
    server_->socket().set_option(asio::socket_base::linger(true, 0));
    server_->socket().close();
    co_await a_moment();
    const std::vector<std::uint8_t> data = pattern(64 * 1024, 6);
    try {
      for (int i = 0; i < 64; ++i) co_await client_->write_all(data);
    } catch (const TlsError& e) {
      error = e.what();
    }
  });
  run();
  EXPECT_NE(error.find("connection error"), std::string::npos) << error;
}

TEST_F(TlsStreamTest, ClosingTheStreamEndsAWaitingReadWithOperationAborted) {
  boost::system::error_code code;
  spawn([&]() -> Awaitable<void> {
    std::vector<std::uint8_t> buf(100);
    try {
      (void)co_await client_->read_some(buf);
    } catch (const boost::system::system_error& e) {
      code = e.code();
    }
  });
  spawn([&]() -> Awaitable<void> {
    co_await a_moment();
    client_->close();
  });
  run();
  EXPECT_EQ(code, asio::error::operation_aborted);
}

}  // namespace tls_stream_test
}  // namespace sotto::net
