#include "daemon/relay/pin_check.h"

#include <cctype>

#include "daemon/relay/relay_log.h"

namespace sotto::msgd {

namespace {

constexpr std::string_view kPrefix = "sha256:";
constexpr std::size_t kDigestHexDigits = 64;

std::string mismatch_message(const std::string& relay, const std::string& pinned, const std::string& presented,
                             RelayPinMismatch::Source source) {
  if (source == RelayPinMismatch::Source::kConfigured) {
    return "relay " + relay + " presented certificate " + presented + " but the configured fingerprint is " + pinned +
           "; refusing to connect; if the relay's certificate really changed, set the new fingerprint "
           "(--relay-fingerprint or relay.fingerprint in msgd.yaml)";
  }
  return "relay " + relay + " presented certificate " + presented + " but " + pinned +
         " is pinned for it since the first connection; refusing to connect; if the relay's certificate really "
         "changed, run `msgctl relay forget`";
}

std::optional<std::string> try_normalize(std::string_view text) {
  std::string lowered;
  lowered.reserve(text.size());
  for (const char c : text) lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view rest = lowered;
  if (rest.starts_with(kPrefix)) rest.remove_prefix(kPrefix.size());
  std::string hex;
  hex.reserve(kDigestHexDigits);
  for (const char c : rest) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c)) || hex.size() == kDigestHexDigits) return std::nullopt;
    hex += c;
  }
  if (hex.size() != kDigestHexDigits) return std::nullopt;
  return std::string(kPrefix) + hex;
}

}  // namespace

PinStore::~PinStore() = default;

RelayPinMismatch::RelayPinMismatch(std::string relay, std::string pinned, std::string presented, Source source)
    : std::runtime_error(mismatch_message(relay, pinned, presented, source)),
      relay_(std::move(relay)),
      pinned_(std::move(pinned)),
      presented_(std::move(presented)),
      source_(source) {}

std::string normalize_fingerprint(std::string_view text) {
  auto normalized = try_normalize(text);
  if (!normalized) {
    throw std::invalid_argument(
        "a relay certificate fingerprint must be sha256: and 64 hex digits (as `relayd "
        "cert-fingerprint` prints it)");
  }
  return *normalized;
}

void check_pin(PinStore& store, const std::string& relay, const std::optional<std::string>& configured,
               const std::string& presented) {
  const std::string actual = normalize_fingerprint(presented);
  if (configured) {
    const std::string expected = normalize_fingerprint(*configured);
    if (expected != actual) {
      throw RelayPinMismatch(relay, expected, actual, RelayPinMismatch::Source::kConfigured);
    }
    return;
  }
  if (const auto stored = store.load_pin(relay)) {
    const auto expected = try_normalize(*stored);
    if (!expected || *expected != actual) {
      throw RelayPinMismatch(relay, *stored, actual, RelayPinMismatch::Source::kStored);
    }
    return;
  }
  store.save_pin(relay, actual);
  log_event("relay_pinned", {{"relay", relay}, {"fingerprint", actual}});
}

}  // namespace sotto::msgd
