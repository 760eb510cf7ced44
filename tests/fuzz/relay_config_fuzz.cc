// Feeds arbitrary bytes to parse_relay_config. Every input must either parse
// into a RelayConfig that meets the documented invariants or be refused with a
// ConfigError that carries a position; anything else (a crash, a hang, another
// exception, an accepted config that breaks an invariant) is a bug.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/config/config_error.h"
#include "relayd/config/relay_config.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

void check_invariants(const sotto::relayd::RelayConfig& c) {
  check(!c.listen.empty());
  check(c.state_dir.is_absolute());
  check(c.tls.certificate.empty() == c.tls.private_key.empty());
  check(c.limits.max_unauthenticated_per_address <= c.limits.max_unauthenticated);
  check(c.limits.max_unauthenticated <= c.limits.max_connections);
  check(c.accounts.argon2.memory_kib >= 19456 && c.accounts.argon2.iterations >= 2);
  check(c.queue.ttl <= c.queue.max_ttl);
  check(c.queue.max_bytes_per_user >= c.limits.max_frame_size);
  check(c.blobs.max_size <= c.blobs.quota_per_user);
  check(!c.metrics.listen || c.metrics.listen->is_loopback());
  for (const auto& address : c.listen) check(address.port != 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    check_invariants(sotto::relayd::parse_relay_config(text, "fuzz.yaml"));
  } catch (const sotto::config::ConfigError& e) {
    check(e.where().file == "fuzz.yaml" && e.where().line >= 1 && e.where().column >= 1);
  }
  return 0;
}
