#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace sotto::testing {

// The permission bits of path itself (a symlink is not followed, so a test
// sees a link where one was planted). Throws if the path does not exist, so
// a missing file fails the test instead of reading as mode 0.
inline mode_t file_mode(const std::filesystem::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) throw std::runtime_error("cannot stat " + path.string());
  return info.st_mode & 07777;
}

}  // namespace sotto::testing
