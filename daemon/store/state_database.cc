#include "daemon/store/state_database.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "daemon/store/state_schema.h"
#include "lib/store/migrations.h"

namespace sotto::msgd {
namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Checked before anything is created inside: a directory others can read or
// enter would expose the keys however carefully state.db itself is created.
const std::filesystem::path& checked_data_dir(const std::filesystem::path& data_dir) {
  struct stat info {};
  if (::stat(data_dir.c_str(), &info) != 0) {
    const int error = errno;
    throw std::runtime_error("data directory " + data_dir.string() + ": " + std::strerror(error));
  }
  if (!S_ISDIR(info.st_mode)) throw std::runtime_error("data directory " + data_dir.string() + " is not a directory");
  if (info.st_uid != ::geteuid()) {
    throw std::runtime_error("data directory " + data_dir.string() + " belongs to uid " + std::to_string(info.st_uid) +
                             ", not to this user");
  }
  if ((info.st_mode & 077) != 0) {
    throw std::runtime_error("data directory " + data_dir.string() + " has mode " + octal_mode(info.st_mode) +
                             ": it holds private keys, so group and others must have no access (chmod 700 it)");
  }
  return data_dir;
}

}  // namespace

StateDatabase::StateDatabase(const std::filesystem::path& data_dir) : db_(checked_data_dir(data_dir) / kFileName) {
  // Deleted rows (used one-time prekeys, superseded ratchet states, a
  // cleared token) are overwritten with zeros instead of lingering in free
  // pages of the file.
  db_.exec("PRAGMA secure_delete = ON");
  store::migrate(db_, state_migrations());
}

}  // namespace sotto::msgd
