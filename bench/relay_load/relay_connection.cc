#include "bench/relay_load/relay_connection.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <mutex>

#include "lib/wire/limits.h"

namespace sotto::relay_load {

namespace asio = net::asio;
using net::tcp;

namespace {

// One read buffer per io thread, as relayd does: a read's bytes go into the
// decoder (which copies what it keeps) before the thread runs anything else,
// so thousands of idle connections need no buffer of their own. 64 KiB takes
// several TLS records (16 KiB each, RFC 8446 section 5.1) per system call.
constexpr std::size_t kReadBufferBytes = 64 * 1024;
thread_local std::array<std::uint8_t, kReadBufferBytes> t_read_buffer;

// A writer that has sent a large burst gives its buffer back rather than
// keeping the peak for the rest of the run.
constexpr std::size_t kKeepWriteBufferBytes = 64 * 1024;

// OpenSSL writes to the socket with write(2), so a write to a connection the
// relay has already closed raises SIGPIPE, whose default action kills the
// process. A load tool must count that as a lost connection, not die: the
// signal is ignored (for the whole process, once) and the write fails with EPIPE.
void ignore_sigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

RelayConnection::RelayConnection(asio::any_io_executor executor, SSL_CTX* tls)
    : executor_(executor),
      tls_(tls),
      socket_(executor),
      decoder_(wire::kMaxMaxFrameBytes),
      write_signal_(executor),
      deadline_timer_(executor),
      max_frame_size_(wire::kMaxMaxFrameBytes) {
  ignore_sigpipe();
}

net::Awaitable<void> RelayConnection::open(tcp::endpoint server, std::optional<asio::ip::address> source) {
  try {
    socket_.open(server.protocol());
    if (source) socket_.bind(tcp::endpoint(*source, 0));
    co_await socket_.async_connect(server, asio::use_awaitable);
    socket_.set_option(tcp::no_delay(true));
    if (closed_) throw ConnectionError("closed before the TLS handshake");
    stream_.emplace(std::move(socket_), tls_, net::TlsStream::Role::kClient);
    co_await stream_->handshake();
  } catch (const ConnectionError&) {
    close();
    throw;
  } catch (const std::exception& e) {
    const bool timed_out = closed_;
    close();
    throw ConnectionError(timed_out ? std::string("timed out connecting") : std::string("connect: ") + e.what());
  }
  asio::co_spawn(executor_, write_loop(shared_from_this()), asio::detached);
}

void RelayConnection::set_deadline(Clock::time_point deadline) {
  const std::uint64_t generation = ++deadline_generation_;
  deadline_timer_.expires_at(deadline);
  deadline_timer_.async_wait([weak = weak_from_this(), generation](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    // A handler already queued when the deadline was moved must not fire.
    if (self && self->deadline_generation_ == generation) self->close();
  });
}

void RelayConnection::clear_deadline() {
  ++deadline_generation_;
  deadline_timer_.cancel();
}

void RelayConnection::queue(wire::Frame& frame) {
  if (closed_) return;
  if (frame.request_id() == 0) frame.set_request_id(next_request_id());
  wire::append_frame(frame, pending_, max_frame_size_);
  write_signal_.cancel();
}

net::Awaitable<void> RelayConnection::write_loop([[maybe_unused]] std::shared_ptr<RelayConnection> self) {
  try {
    while (!closed_) {
      if (pending_.empty()) {
        write_signal_.expires_at(Clock::time_point::max());
        boost::system::error_code ec;
        co_await write_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      writing_.swap(pending_);
      co_await stream_->write_all(std::span(reinterpret_cast<const std::uint8_t*>(writing_.data()), writing_.size()));
      // The bytes may include a password (Login) or a token (Resume).
      OPENSSL_cleanse(writing_.data(), writing_.size());
      writing_.clear();
      if (writing_.capacity() > kKeepWriteBufferBytes) std::string().swap(writing_);
    }
  } catch (const std::exception&) {
    // The reader sees the same failure and reports it.
  }
  close();
}

net::Awaitable<void> RelayConnection::read_more() {
  if (decode_error_) throw ConnectionError("the relay sent a malformed frame: " + *decode_error_);
  if (closed_ || !stream_) throw ConnectionError("the connection is closed");
  std::size_t n = 0;
  try {
    n = co_await stream_->read_some(t_read_buffer);
  } catch (const std::exception& e) {
    const bool by_us = closed_;
    close();
    throw ConnectionError(by_us ? std::string("closed (deadline or stop)") : std::string("read: ") + e.what());
  }
  if (n == 0) {
    close();
    throw ConnectionError("the relay closed the connection");
  }
  auto result = decoder_.feed(std::span<const std::uint8_t>(t_read_buffer.data(), n));
  for (auto& frame : result.frames) decoded_.push_back(std::move(frame));
  if (result.error) {
    decode_error_ = result.error->reason;
    close();
  }
}

net::Awaitable<wire::Frame> RelayConnection::next_frame() {
  if (!held_.empty()) {
    wire::Frame frame = std::move(held_.front());
    held_.pop_front();
    co_return frame;
  }
  while (decoded_.empty()) co_await read_more();
  wire::Frame frame = std::move(decoded_.front());
  decoded_.pop_front();
  co_return frame;
}

net::Awaitable<wire::Frame> RelayConnection::request(wire::Frame& frame) {
  if (frame.request_id() == 0) frame.set_request_id(next_request_id());
  const std::uint64_t id = frame.request_id();
  queue(frame);
  for (;;) {
    while (decoded_.empty()) co_await read_more();
    wire::Frame answer = std::move(decoded_.front());
    decoded_.pop_front();
    if (answer.request_id() == id) co_return answer;
    if (answer.request_id() == 0 && answer.body_case() == wire::Frame::kError) co_return answer;
    held_.push_back(std::move(answer));
  }
}

void RelayConnection::set_max_frame_size(std::uint32_t bytes) {
  max_frame_size_ = std::clamp(bytes, wire::kMinMaxFrameBytes, wire::kMaxMaxFrameBytes);
  decoder_.set_max_frame_size(max_frame_size_);
}

void RelayConnection::close_gracefully() {
  // A close_notify in the middle of a partly written record would corrupt
  // the stream; then the plain close is the better goodbye.
  if (!closed_ && stream_ && writing_.empty()) stream_->shutdown_send();
  close();
}

void RelayConnection::close() {
  if (closed_) return;
  closed_ = true;
  ++deadline_generation_;
  deadline_timer_.cancel();
  write_signal_.cancel();
  boost::system::error_code ignored;
  if (stream_) {
    stream_->close();
  } else {
    socket_.close(ignored);
  }
  // Nothing queued will be written now; wipe (it may hold a password) and free it.
  OPENSSL_cleanse(pending_.data(), pending_.size());
  std::string().swap(pending_);
}

}  // namespace sotto::relay_load
