#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "lib/net/asio.h"
#include "lib/net/tls_stream.h"
#include "lib/wire/frame_codec.h"
#include "lib/wire/relay.pb.h"

namespace sotto::relay_load {

// The connection failed: refused, reset, closed by the relay, timed out, or
// the relay sent bytes that are not frames. what() says which.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One client connection to relayd: TCP, TLS 1.3 (lib/net's TlsStream, as
// relayd uses), and lib/wire frames. Frames to send are queued and a writer
// coroutine writes whatever has gathered in one TLS write, so a burst of
// pipelined Sends costs one system call rather than one each.
//
// Creating one makes the process ignore SIGPIPE (see relay_connection.cc).
//
// All calls come from the thread of the io_context the connection was created
// on. One coroutine reads (next_frame or request) at a time; any number may
// queue frames.
class RelayConnection : public std::enable_shared_from_this<RelayConnection> {
 public:
  using Clock = std::chrono::steady_clock;

  RelayConnection(net::asio::any_io_executor executor, SSL_CTX* tls);
  RelayConnection(const RelayConnection&) = delete;
  RelayConnection& operator=(const RelayConnection&) = delete;

  // Connects (from source, when given; port chosen by the kernel), completes
  // the TLS handshake and starts the writer. Throws ConnectionError.
  net::Awaitable<void> open(net::tcp::endpoint server, std::optional<net::asio::ip::address> source);

  // Closes the connection when the deadline passes (one deadline at a time; a
  // later call replaces it). Pending reads and writes then fail.
  void set_deadline(Clock::time_point deadline);
  void clear_deadline();

  std::uint64_t next_request_id() { return next_request_id_++; }

  // Queues a frame to be written. A frame without a request id gets the next one.
  void queue(wire::Frame& frame);

  // The next frame from the relay, in order. Throws ConnectionError.
  net::Awaitable<wire::Frame> next_frame();
  // Whether next_frame() can answer without reading the socket: the reader
  // uses it to acknowledge a whole read's worth of deliveries at once.
  bool has_buffered_frames() const { return !held_.empty() || !decoded_.empty(); }

  // Queues frame (giving it a request id if it has none) and returns the frame
  // answering it (the same request id, or a connection-level Error with
  // request id 0). Pushes that arrive first are held for next_frame(). Taken
  // by reference so that no copy of a password or token is left unwiped: the
  // caller wipes its frame. Throws ConnectionError.
  net::Awaitable<wire::Frame> request(wire::Frame& frame);

  // Applies the relay's HelloOk.max_frame_size to frames read from now on.
  void set_max_frame_size(std::uint32_t bytes);

  void close();
  // Says goodbye first (TLS close_notify, so the relay sees an orderly close
  // rather than a truncated stream) when no write is half done; then close().
  void close_gracefully();
  bool is_open() const { return !closed_; }

 private:
  // self keeps the connection alive while the loop runs.
  net::Awaitable<void> write_loop(std::shared_ptr<RelayConnection> self);
  // Reads once from the socket and decodes what came (possibly no whole frame).
  net::Awaitable<void> read_more();

  net::asio::any_io_executor executor_;
  SSL_CTX* tls_;
  net::tcp::socket socket_;  // until the handshake: then owned by stream_
  std::optional<net::TlsStream> stream_;
  wire::FrameDecoder decoder_;
  std::optional<std::string> decode_error_;
  std::deque<wire::Frame> decoded_;  // read, not yet handed out
  std::deque<wire::Frame> held_;     // pushes set aside by request()
  std::string pending_;              // encoded frames not yet written
  std::string writing_;
  net::asio::steady_timer write_signal_;
  net::asio::steady_timer deadline_timer_;
  std::uint64_t deadline_generation_ = 0;
  std::uint64_t next_request_id_ = 1;
  std::uint32_t max_frame_size_;
  bool closed_ = false;
};

}  // namespace sotto::relay_load
