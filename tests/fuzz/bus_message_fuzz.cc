// Feeds arbitrary bytes to decode_bus_message, as any client of the bus's
// Redis server can publish them. Every input must either be refused with a
// reason or decode into a message that encode_bus_message spells back as the
// very same bytes (the format has one spelling per message) and that decodes
// again to the same message. Anything else (a crash, a hang, an exception, an
// accepted message that breaks a documented limit) is a bug.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/wire/username.h"
#include "relayd/bus/bus_message.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

void check_invariants(const sotto::relayd::BusMessage& message) {
  check(sotto::relayd::node_id_problem(message.node_id).empty());
  check(!message.wakes.empty() && message.wakes.size() <= sotto::relayd::kMaxWakesPerBusMessage);
  for (const sotto::relayd::Wake& wake : message.wakes) {
    const sotto::wire::UsernameResult canonical = sotto::wire::canonical_username(wake.recipient);
    check(canonical.ok() && canonical.value() == wake.recipient);
    check(wake.delivery_id >= 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto decoded = sotto::relayd::decode_bus_message(bytes);
  if (!decoded) {
    check(!decoded.error().empty());
    for (const char c : decoded.error()) check(c >= 0x20 && c < 0x7f);
    return 0;
  }
  check(size <= sotto::relayd::kMaxBusMessageBytes);
  check_invariants(decoded.value());
  const std::string encoded = sotto::relayd::encode_bus_message(decoded.value());
  check(encoded == bytes);
  const auto again = sotto::relayd::decode_bus_message(encoded);
  check(again.ok() && again.value() == decoded.value());
  return 0;
}
