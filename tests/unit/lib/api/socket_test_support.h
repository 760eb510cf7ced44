#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "tests/support/temp_dir.h"
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "lib/api/unique_fd.h"

// Raw Unix-socket tools for tests of both ends of msgd's socket: they speak
// bytes, not the library under test, so they can misbehave on purpose.
namespace sotto::api::testing {

using TempDir = sotto::testing::TempDir;

inline sockaddr_un unix_address(const std::filesystem::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string native = path.string();
  if (native.size() >= sizeof address.sun_path) throw std::runtime_error("socket path too long: " + native);
  std::memcpy(address.sun_path, native.data(), native.size());
  return address;
}

// A socket bound at path and listening, that the test accepts on (or never does).
inline UniqueFd raw_listen(const std::filesystem::path& path, int backlog = 16) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_un address = unix_address(path);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd.get(), backlog) != 0) {
    throw std::runtime_error("cannot listen on " + path.string() + ": " + std::strerror(errno));
  }
  return fd;
}

// A socket file that nothing listens on, as a crashed msgd leaves behind.
inline void make_stale_socket(const std::filesystem::path& path) {
  const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_un address = unix_address(path);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot bind " + path.string() + ": " + std::strerror(errno));
  }
}

inline UniqueFd raw_connect(const std::filesystem::path& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_un address = unix_address(path);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot connect to " + path.string() + ": " + std::strerror(errno));
  }
  return fd;
}

inline UniqueFd raw_accept(int listener) { return UniqueFd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)); }

// False when the peer is gone (EPIPE/ECONNRESET) before everything was sent.
inline bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

enum class ReadStatus { kLine, kTimeout, kEof };

struct LineRead {
  ReadStatus status;
  std::string line;
};

// The next '\n'-terminated line (without it); buffer keeps what follows.
// ECONNRESET counts as the end of the stream.
inline LineRead read_line(int fd, std::string& buffer, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const auto newline = buffer.find('\n'); newline != std::string::npos) {
      LineRead out{ReadStatus::kLine, buffer.substr(0, newline)};
      buffer.erase(0, newline + 1);
      return out;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return {ReadStatus::kTimeout, {}};
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return {ReadStatus::kTimeout, {}};
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return {ReadStatus::kEof, {}};
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

inline LineRead read_line(int fd, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  std::string buffer;
  return read_line(fd, buffer, timeout);
}

// Reads and discards until the peer closes; false if it did not within timeout.
inline bool wait_for_eof(int fd, std::chrono::milliseconds timeout) {
  std::string buffer;
  for (;;) {
    const LineRead r = read_line(fd, buffer, timeout);
    if (r.status == ReadStatus::kEof) return true;
    if (r.status == ReadStatus::kTimeout) return false;
  }
}

}  // namespace sotto::api::testing
