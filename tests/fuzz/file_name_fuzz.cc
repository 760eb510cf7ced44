// File names arrive from other users inside file messages. Property: whatever
// the bytes, safe_file_name yields one non-empty path component of printable
// UTF-8 that is not "." or "..", does not start with '.' or '-', and fits in
// kMaxSafeNameBytes; numbered names built from it keep those properties.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/service/file_name.h"
#include "lib/config/utf8.h"

namespace {

void check(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.size() > sotto::msgd::kMaxSafeNameBytes + 16) std::abort();
  if (name.find('/') != std::string::npos || name.find('\0') != std::string::npos) std::abort();
  if (name.front() == '.' || name.front() == '-') std::abort();
  if (sotto::config::find_unprintable(name)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::string safe = sotto::msgd::safe_file_name(input);
  if (safe.size() > sotto::msgd::kMaxSafeNameBytes) std::abort();
  check(safe);
  check(sotto::msgd::numbered_name(safe, 1));
  check(sotto::msgd::numbered_name(safe, 9999));
  (void)sotto::msgd::guess_mime_type(input);
  return 0;
}
