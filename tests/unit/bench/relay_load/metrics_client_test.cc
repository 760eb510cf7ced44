#include "bench/relay_load/metrics_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "lib/net/asio.h"
#include "relayd/server/metrics.h"

namespace sotto::relay_load {
namespace {

namespace asio = net::asio;
using net::tcp;

// A one-connection HTTP endpoint on 127.0.0.1 that answers with a fixed
// response (or stays silent), standing in for relayd's metrics listener.
class CannedHttpServer {
 public:
  explicit CannedHttpServer(std::string response, bool silent = false)
      : response_(std::move(response)),
        silent_(silent),
        acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    thread_ = std::thread([this] { serve(); });
  }
  // Every test connects once, so the server thread is never stuck in accept.
  ~CannedHttpServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    stop_.notify_all();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string request() {
    std::lock_guard lock(mutex_);
    return request_;
  }

 private:
  void serve() {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    acceptor_.accept(socket, ec);
    if (ec) return;
    std::string request;
    std::array<char, 1024> buf{};
    while (request.find("\r\n\r\n") == std::string::npos) {
      const std::size_t n = socket.read_some(asio::buffer(buf), ec);
      if (ec) return;
      request.append(buf.data(), n);
    }
    {
      std::lock_guard lock(mutex_);
      request_ = request;
    }
    if (silent_) {
      // Hold the connection open without answering until the test ends.
      std::unique_lock lock(mutex_);
      stop_.wait(lock, [this] { return stopping_; });
      return;
    }
    asio::write(socket, asio::buffer(response_), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }

  std::string response_;
  bool silent_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::string request_;
};

TEST(MetricsClient, ReturnsTheBodyOfAnOkAnswerToGetMetrics) {
  const std::string body = "sotto_relayd_commit_batches_total 3\n";
  CannedHttpServer server("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  const auto text = fetch_metrics_text(server.port(), std::chrono::seconds(5));
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, body);
  EXPECT_EQ(server.request().rfind("GET /metrics HTTP/1.1\r\n", 0), 0u);
}

TEST(MetricsClient, HasNothingForAnAnswerOtherThanOk) {
  CannedHttpServer server("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_FALSE(fetch_metrics_text(server.port(), std::chrono::seconds(5)).has_value());
}

TEST(MetricsClient, GivesUpOnASilentEndpointAtTheTimeout) {
  CannedHttpServer server("", /*silent=*/true);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(fetch_metrics_text(server.port(), std::chrono::milliseconds(300)).has_value());
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(300));
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(MetricsClient, HasNothingWhenNobodyListens) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    port = acceptor.local_endpoint().port();
  }
  EXPECT_FALSE(fetch_metrics_text(port, std::chrono::seconds(2)).has_value());
}

TEST(MetricsClient, ReadsTheCommitCountersAsRelaydRendersThem) {
  relayd::Metrics metrics;
  metrics.record_batch(3);
  metrics.record_batch(5);
  const auto counters = parse_commit_counters(metrics.render(0));
  ASSERT_TRUE(counters.has_value());
  EXPECT_EQ(counters->envelopes, 8.0);
  EXPECT_EQ(counters->batches, 2.0);
  EXPECT_EQ(counters->max_batch, 5.0);
}

TEST(MetricsClient, ReadsTheDurabilityHistogramsAsRelaydRendersThem) {
  relayd::Metrics metrics;
  metrics.record_batch(1);
  const auto before = parse_commit_counters(metrics.render(0));
  ASSERT_TRUE(before.has_value());
  ASSERT_TRUE(before->wait && before->write && before->sync);

  for (int i = 0; i < 100; ++i) metrics.commit_wait.observe(std::chrono::microseconds(800));  // 0.75–1 ms
  metrics.commit_sync.observe(std::chrono::milliseconds(4));
  const auto after = parse_commit_counters(metrics.render(0));
  ASSERT_TRUE(after.has_value());
  ASSERT_TRUE(after->wait && after->sync);
  EXPECT_EQ(after->wait->back(), 100.0);
  EXPECT_NEAR(*histogram_quantile(0.5, *before->wait, *after->wait), 0.000875, 1e-12);
  EXPECT_NEAR(*histogram_quantile(0.5, *before->sync, *after->sync), 0.004, 1e-12);  // half way in 3–5 ms
  EXPECT_FALSE(histogram_quantile(0.5, *before->write, *after->write).has_value());  // nothing written between
}

TEST(MetricsClient, LeavesAHistogramOutWhenAnyBucketIsMissing) {
  relayd::Metrics metrics;
  std::string text = metrics.render(0);
  const std::string bucket = "sotto_relayd_commit_sync_seconds_bucket{le=\"0.002\"}";
  const auto at = text.find(bucket);
  ASSERT_NE(at, std::string::npos);
  text.erase(at, text.find('\n', at) + 1 - at);
  const auto counters = parse_commit_counters(text);
  ASSERT_TRUE(counters.has_value());
  EXPECT_FALSE(counters->sync.has_value());
  EXPECT_TRUE(counters->wait.has_value());
}

}  // namespace
}  // namespace sotto::relay_load
