#include "tests/integration/systemd/relay_probe.h"

#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "lib/wire/frame_codec.h"

namespace sotto::testing {
namespace {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {
    if (fd_ < 0) throw std::runtime_error("socket() failed");
  }
  ~UniqueFd() { ::close(fd_); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::uint16_t free_dual_stack_port() {
  UniqueFd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int off = 0;
  ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_any;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("no free dual-stack port");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin6_port);
}

wire::Frame hello_over_ipv6(std::uint16_t port, std::chrono::milliseconds timeout) {
  UniqueFd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  addr.sin6_port = htons(port);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot connect to [::1]:" + std::to_string(port));
  }
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  // Which certificate the relay shows is not what is probed here (msgd pins it).
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), &SSL_free);
  SSL_set_fd(ssl.get(), fd.get());
  if (SSL_connect(ssl.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("TLS handshake over IPv6 failed");
  }
  wire::Frame hello;
  hello.set_request_id(1);
  hello.mutable_hello()->set_protocol_version(1);
  hello.mutable_hello()->set_client("relay-probe");
  const std::string bytes = wire::encode_frame(hello);
  std::size_t written = 0;
  if (SSL_write_ex(ssl.get(), bytes.data(), bytes.size(), &written) != 1 || written != bytes.size()) {
    ERR_clear_error();
    throw std::runtime_error("TLS write over IPv6 failed");
  }
  wire::FrameDecoder decoder;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 4096> buf{};
  while (std::chrono::steady_clock::now() < deadline) {
    if (SSL_pending(ssl.get()) == 0) {
      pollfd p{fd.get(), POLLIN, 0};
      constexpr int kPollMs = 200;
      if (::poll(&p, 1, kPollMs) <= 0) continue;
    }
    std::size_t n = 0;
    if (SSL_read_ex(ssl.get(), buf.data(), buf.size(), &n) != 1) {
      const int error = SSL_get_error(ssl.get(), 0);
      ERR_clear_error();
      if (error == SSL_ERROR_WANT_READ) continue;
      throw std::runtime_error("the relay closed the IPv6 connection without answering");
    }
    auto result = decoder.feed(std::string_view(buf.data(), n));
    if (result.error) throw std::runtime_error("the relay's answer over IPv6 is not a frame");
    if (!result.frames.empty()) return result.frames.front();
  }
  throw std::runtime_error("no answer over IPv6 in time");
}

}  // namespace sotto::testing
