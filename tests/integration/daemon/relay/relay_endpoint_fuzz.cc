// Fuzzes the text msgd reads from its config and command line about the
// relay: the endpoint ("host:port", "[v6]:port") and a pinned fingerprint,
// and the log line a relay-supplied reason ends up in. Properties:
//   - parse_relay_endpoint either throws std::invalid_argument (with a
//     one-line, bounded message) or returns an endpoint whose to_string()
//     parses back to the same endpoint;
//   - normalize_fingerprint either throws std::invalid_argument or returns
//     the canonical "sha256:<64 lower-case hex>", which normalizes to itself;
//   - format_log_event never yields a control character or an unbounded line.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "daemon/relay/pin_check.h"
#include "daemon/relay/relay_endpoint.h"
#include "daemon/relay/relay_log.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "relay_endpoint_fuzz: %s\n", what);
  std::abort();
}

bool has_control(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

void check_endpoint(std::string_view text) {
  sotto::msgd::RelayEndpoint endpoint;
  try {
    endpoint = sotto::msgd::parse_relay_endpoint(text);
  } catch (const std::invalid_argument& e) {
    const std::string_view what = e.what();
    if (has_control(what)) fail("an endpoint error message holds a control character");
    if (what.size() > 600) fail("an endpoint error message is unbounded");
    return;
  }
  if (endpoint.host.empty() || endpoint.port == 0) fail("accepted an endpoint without host or port");
  if (has_control(endpoint.host)) fail("accepted a host with a control character");
  const std::string again = endpoint.to_string();
  try {
    if (sotto::msgd::parse_relay_endpoint(again) != endpoint) fail("to_string() does not parse back the same");
  } catch (const std::invalid_argument&) {
    fail("to_string() of an accepted endpoint is refused");
  }
}

void check_fingerprint(std::string_view text) {
  std::string normalized;
  try {
    normalized = sotto::msgd::normalize_fingerprint(text);
  } catch (const std::invalid_argument&) {
    return;
  }
  if (normalized.size() != 71 || !normalized.starts_with("sha256:")) fail("a fingerprint of the wrong shape");
  for (const char c : std::string_view(normalized).substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) fail("a fingerprint with a non-hex digit");
  }
  if (sotto::msgd::normalize_fingerprint(normalized) != normalized) fail("normalizing is not idempotent");
}

void check_log_line(std::string_view text) {
  const std::string line = sotto::msgd::format_log_event("fuzz", {{"reason", text}, {"relay", text}});
  if (has_control(line)) fail("a log line holds a control character");
  if (line.size() > 2 * (512 * 4 + 16) + 64) fail("a log line is unbounded");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_endpoint(text);
  check_fingerprint(text);
  check_log_line(text);
  return 0;
}
