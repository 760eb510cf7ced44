#pragma once

#include <openssl/ssl.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "lib/net/asio.h"

namespace sotto::net {

// TLS over a non-blocking TCP socket. OpenSSL writes the socket itself and
// reads it itself while data keeps coming; when the socket is drained the
// coroutine waits with a small read through Asio (into a buffer of
// kWaitBufferBytes inside the stream), which OpenSSL then takes first.
// Unlike asio::ssl::stream, which keeps two 17 KiB buffers per connection,
// an idle TlsStream holds no record buffers at all (with
// SSL_MODE_RELEASE_BUFFERS), only that small one.
//
// Why a read and not a readiness wait: Boost.Asio 1.74 re-arms the
// descriptor with epoll_ctl on every async_wait, so waiting for readiness
// and then letting OpenSSL read cost three system calls per message (a read
// that finds nothing, the epoll_ctl, the read). A read through Asio is
// speculative and needs no re-arm: once Asio has seen the socket drained it
// queues the read at once, and the read that follows the wake-up is the only
// call (docs/performance.md, "where a Send's time goes").
//
// Not thread-safe: all calls on one stream come from one thread (the
// io_context it belongs to). One read and one write may be in progress at the
// same time, from two coroutines on that thread.
class TlsStream {
 public:
  enum class Role { kClient, kServer };

  TlsStream(tcp::socket socket, SSL_CTX* ctx, Role role);
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Throws TlsError (with OpenSSL's reason: e.g. a TLS 1.2 client) or
  // boost::system::system_error (socket closed, cancelled).
  Awaitable<void> handshake();

  // Reads at least one byte of application data into out. Returns 0 when the
  // peer closed the connection (close_notify or EOF).
  Awaitable<std::size_t> read_some(std::span<std::uint8_t> out);

  Awaitable<void> write_all(std::span<const std::uint8_t> data);

  // Sends close_notify without waiting for the peer's (best effort).
  void shutdown_send();

  // Closes the socket; pending reads and writes fail with operation_aborted.
  void close();
  bool is_open() const { return socket_.is_open(); }

  SSL* native_handle() { return ssl_.get(); }
  tcp::socket& socket() { return socket_; }

  // Bytes a waiting read may take at once; more than one small record (a
  // 256-byte envelope's Send is about 350 bytes), little for an idle
  // connection to hold. Longer records are read by OpenSSL directly.
  static constexpr std::size_t kWaitBufferBytes = 512;

 private:
  struct SslDeleter {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  // The BIO OpenSSL reads and writes through (tls_stream.cc).
  friend struct TlsStreamBio;

  // Interprets an SSL_* return value: waits (for data, or for room to write)
  // and returns false to retry, returns true when the call completed, or throws.
  Awaitable<bool> settle(int ret, bool* peer_closed);
  // Waits until the socket has data and reads some of it into wait_buffer_.
  Awaitable<void> wait_readable();

  tcp::socket socket_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
  // What the last waiting read got that OpenSSL has not taken yet.
  std::array<std::uint8_t, kWaitBufferBytes> wait_buffer_{};
  std::size_t waiting_begin_ = 0;
  std::size_t waiting_end_ = 0;
  // False once a read found the socket empty: OpenSSL's next read then asks
  // for a wait instead of a system call that would find nothing.
  bool socket_may_have_data_ = true;
  bool peer_eof_ = false;  // the waiting read saw the peer's FIN
  int read_errno_ = 0;     // the waiting read failed with this error
};

}  // namespace sotto::net
