#include "bench/relay_load/metrics_client.h"

#include <array>

#include "bench/relay_load/prometheus_text.h"
#include "lib/net/asio.h"

namespace sotto::relay_load {

namespace asio = net::asio;
using net::tcp;

namespace {

// A bound on what a misbehaving endpoint can make us hold.
constexpr std::size_t kMaxResponseBytes = 1u << 20;

net::Awaitable<std::optional<std::string>> http_get_metrics(std::uint16_t port) {
  auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  co_await socket.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), asio::use_awaitable);
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
  std::string response;
  std::array<char, 4096> buf{};
  for (;;) {
    boost::system::error_code ec;
    const std::size_t n =
        co_await socket.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    response.append(buf.data(), n);
    if (ec == asio::error::eof) break;
    if (ec) co_return std::nullopt;
    if (response.size() > kMaxResponseBytes) co_return std::nullopt;
  }
  if (!response.starts_with("HTTP/1.1 200") && !response.starts_with("HTTP/1.0 200")) co_return std::nullopt;
  const std::size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) co_return std::nullopt;
  co_return response.substr(body + 4);
}

}  // namespace

std::optional<std::string> fetch_metrics_text(std::uint16_t port, std::chrono::milliseconds timeout) {
  asio::io_context io;
  std::optional<std::string> result;
  asio::co_spawn(io, http_get_metrics(port), [&result](std::exception_ptr error, std::optional<std::string> body) {
    if (!error) result = std::move(body);
  });
  io.run_for(timeout);
  if (!io.stopped()) return std::nullopt;  // timed out; the socket closes with io
  return result;
}

std::optional<CommitCounters> parse_commit_counters(const std::string& body) {
  const auto envelopes = prometheus_value(body, "sotto_relayd_commit_envelopes_total");
  const auto batches = prometheus_value(body, "sotto_relayd_commit_batches_total");
  const auto max_batch = prometheus_value(body, "sotto_relayd_commit_batch_max");
  if (!envelopes || !batches || !max_batch) return std::nullopt;
  return CommitCounters{*envelopes,
                        *batches,
                        *max_batch,
                        parse_histogram(body, "sotto_relayd_commit_wait_seconds"),
                        parse_histogram(body, "sotto_relayd_commit_write_seconds"),
                        parse_histogram(body, "sotto_relayd_commit_sync_seconds")};
}

std::optional<HistogramCounts> parse_histogram(const std::string& body, const std::string& name) {
  HistogramCounts counts{};
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const auto value =
        prometheus_value(body, name + "_bucket{le=\"" + relayd::LatencyHistogram::bucket_label(i) + "\"}");
    if (!value) return std::nullopt;
    counts[i] = *value;
  }
  return counts;
}

}  // namespace sotto::relay_load
