#include "lib/net/tls_stream.h"

#include <openssl/err.h>

#include <array>
#include <cerrno>
#include <climits>
#include <string>

#include "lib/net/tls_context.h"

namespace sotto::net {

namespace {
std::string openssl_reason(const char* what) {
  std::string msg = what;
  const unsigned long code = ERR_get_error();
  if (code != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    msg += ": ";
    msg += buf.data();
  }
  ERR_clear_error();
  return msg;
}
}  // namespace

TlsStream::TlsStream(tcp::socket socket, SSL_CTX* ctx, Role role) : socket_(std::move(socket)), ssl_(SSL_new(ctx)) {
  if (!ssl_) throw TlsError(openssl_reason("cannot create a TLS connection"));
  socket_.non_blocking(true);
  if (SSL_set_fd(ssl_.get(), socket_.native_handle()) != 1) throw TlsError(openssl_reason("cannot attach socket"));
  // Without read-ahead OpenSSL reads each record with two read(2) calls (its
  // 5-byte header, then the rest); with it, one read takes whatever has
  // arrived, often several records. Safe here because read_some always calls
  // SSL_read until it wants more before waiting on the socket, so nothing
  // sits unread in OpenSSL's buffer while the coroutine waits.
  SSL_set_read_ahead(ssl_.get(), 1);
  if (role == Role::kServer) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
  }
}

Awaitable<bool> TlsStream::settle(int ret, bool* peer_closed) {
  if (ret > 0) co_return true;
  const int err = SSL_get_error(ssl_.get(), ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      co_await socket_.async_wait(tcp::socket::wait_read, asio::use_awaitable);
      co_return false;
    case SSL_ERROR_WANT_WRITE:
      co_await socket_.async_wait(tcp::socket::wait_write, asio::use_awaitable);
      co_return false;
    case SSL_ERROR_ZERO_RETURN:
      ERR_clear_error();
      if (peer_closed != nullptr) {
        *peer_closed = true;
        co_return true;
      }
      throw TlsError("the peer closed the connection");
    case SSL_ERROR_SYSCALL:
      // EOF without close_notify, or a socket error.
      if (peer_closed != nullptr && ERR_peek_error() == 0) {
        ERR_clear_error();
        *peer_closed = true;
        co_return true;
      }
      throw TlsError(openssl_reason(errno != 0 ? "connection error" : "connection closed"));
    default:
      throw TlsError(openssl_reason("TLS error"));
  }
}

Awaitable<void> TlsStream::handshake() {
  for (;;) {
    ERR_clear_error();
    const int ret = SSL_do_handshake(ssl_.get());
    if (co_await settle(ret, nullptr)) co_return;
  }
}

Awaitable<std::size_t> TlsStream::read_some(std::span<std::uint8_t> out) {
  for (;;) {
    ERR_clear_error();
    std::size_t n = 0;
    const int ret = SSL_read_ex(ssl_.get(), out.data(), out.size(), &n);
    bool closed = false;
    if (co_await settle(ret, &closed)) co_return closed ? 0 : n;
  }
}

Awaitable<void> TlsStream::write_all(std::span<const std::uint8_t> data) {
  while (!data.empty()) {
    ERR_clear_error();
    std::size_t n = 0;
    const int ret = SSL_write_ex(ssl_.get(), data.data(), data.size(), &n);
    if (co_await settle(ret, nullptr)) data = data.subspan(n);
  }
}

void TlsStream::shutdown_send() {
  if (!socket_.is_open()) return;
  ERR_clear_error();
  (void)SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

void TlsStream::close() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace sotto::net
