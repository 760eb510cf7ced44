// Feeds arbitrary bytes to parse_notify_config. Every input must either parse
// into a NotifyConfig that meets the documented invariants or be refused with
// a ConfigError that carries a position; anything else (a crash, a hang,
// another exception, an accepted config that breaks an invariant) is a bug.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "frontends/notify/notify_config.h"
#include "lib/config/config_error.h"
#include "lib/wire/username.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

void check_invariants(const sotto::notify::NotifyConfig& c) {
  check(c.muted.size() <= sotto::notify::kMaxMuted);
  for (const auto& name : c.muted) {
    const auto canonical = sotto::wire::canonical_username(name);
    check(canonical.ok() && canonical.value() == name);
  }
  check(c.reply_command.size() <= sotto::notify::kMaxReplyCommandWords);
  for (const auto& word : c.reply_command) check(!word.empty());
  if (c.timeout) {
    check(c.timeout->count() == 0 ||
          (*c.timeout >= std::chrono::seconds(1) && *c.timeout <= sotto::notify::kMaxTimeout));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    check_invariants(sotto::notify::parse_notify_config(text, "fuzz.yaml"));
  } catch (const sotto::config::ConfigError& e) {
    check(e.where().file == "fuzz.yaml" && e.where().line >= 1 && e.where().column >= 1);
  }
  return 0;
}
