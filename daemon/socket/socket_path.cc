#include "daemon/socket/socket_path.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "lib/api/unique_fd.h"

namespace sotto::msgd {
namespace {

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error(what + ": " + std::strerror(error));
}

void make_directory(const std::filesystem::path& dir) {
  const std::filesystem::path parent = dir.parent_path();
  struct stat st {};
  if (!parent.empty() && parent != dir && ::stat(parent.c_str(), &st) != 0) {
    if (errno != ENOENT) fail("cannot inspect " + quoted(parent), errno);
    make_directory(parent);
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create " + quoted(dir), errno);
}

enum class Probe { kLive, kStale, kGone };

Probe probe(const std::filesystem::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string native = path.string();
  if (native.size() >= sizeof address.sun_path) {
    throw std::runtime_error("the socket path " + quoted(path) + " is longer than " +
                             std::to_string(sizeof address.sun_path - 1) + " bytes");
  }
  std::memcpy(address.sun_path, native.data(), native.size());
  const api::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) fail("cannot create a Unix socket", errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) return Probe::kLive;
  switch (errno) {
    case EAGAIN:  // the listener's backlog is full: it is alive
    case EINPROGRESS:
      return Probe::kLive;
    case ECONNREFUSED:
      return Probe::kStale;
    case ENOENT:
      return Probe::kGone;
    default:
      fail("cannot check " + quoted(path) + " for a running msgd", errno);
  }
}

}  // namespace

void prepare_socket_directory(const std::filesystem::path& given) {
  const std::filesystem::path dir = given.empty() ? std::filesystem::path(".") : given;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) fail("cannot inspect the socket directory " + quoted(dir), errno);
    make_directory(dir);
    // mkdir's mode passes through the umask; the socket directory must be 0700 exactly.
    if (::chmod(dir.c_str(), 0700) != 0) fail("cannot set mode 0700 on " + quoted(dir), errno);
    if (::stat(dir.c_str(), &st) != 0) fail("cannot inspect the socket directory " + quoted(dir), errno);
  }
  if (!S_ISDIR(st.st_mode)) throw std::runtime_error("the socket directory " + quoted(dir) + " is not a directory");
  if (st.st_uid != ::geteuid()) {
    throw std::runtime_error("the socket directory " + quoted(dir) + " belongs to uid " + std::to_string(st.st_uid) +
                             ", not to this user (uid " + std::to_string(::geteuid()) + ")");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    throw std::runtime_error("the socket directory " + quoted(dir) +
                             " is writable by group or others; make it private (chmod 0700)");
  }
}

void clear_stale_socket(const std::filesystem::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    fail("cannot inspect " + quoted(path), errno);
  }
  if (!S_ISSOCK(st.st_mode)) {
    throw std::runtime_error(quoted(path) + " exists and is not a socket; not replacing it");
  }
  switch (probe(path)) {
    case Probe::kLive:
      throw std::runtime_error("another msgd is serving " + quoted(path));
    case Probe::kGone:
      return;
    case Probe::kStale:
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail("cannot remove the stale socket " + quoted(path), errno);
      return;
  }
}

}  // namespace sotto::msgd
