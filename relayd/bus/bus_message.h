#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "lib/wire/limits.h"
#include "relayd/bus/delivery_bus.h"
#include "relayd/bus/parse_result.h"

namespace sotto::relayd {

// What one relayd node publishes on the bus channel: its node id and a batch
// of wakes. Every node decodes every message it receives with
// decode_bus_message, and anything that can publish to the Redis server (a
// compromised or confused client) can publish anything, so the decoder is
// strict: one spelling per message, every field checked, and on any fault
// the whole message is refused and nothing in it is delivered.
//
// The format is ASCII text, lines ending in LF (0x0A), exactly one space
// (0x20) between fields (ABNF, RFC 5234):
//
//   message     = header LF 1*wake-line      ; exactly `count` wake-lines
//   header      = "sotto-wake" SP version SP node-id SP count
//   version     = "1"
//   node-id     = id-first 0*63id-char       ; 1..64 bytes
//   id-first    = %x61-7A / DIGIT            ; a-z 0-9
//   id-char     = id-first / "-" / "_" / "."
//   count       = nonzero 0*3DIGIT           ; 1..4096, no leading zero
//   wake-line   = recipient SP delivery-id LF
//   recipient   = a username in canonical form (lib/wire/username.h): 3..32
//                 bytes of a-z 0-9 "_" "." "-", the first a letter or digit
//   delivery-id = nonzero 0*18DIGIT          ; 1..9223372036854775807,
//                                            ; no sign, no leading zero
//   nonzero     = %x31-39
//
// Example (node "relay-2" woke bob up to delivery 17 and carol up to 4):
//
//   "sotto-wake 1 relay-2 2\nbob 17\ncarol 4\n"
//
// Nothing may follow the last wake line; the whole message is at most
// kMaxBusMessageBytes. A node that meets a version it does not know refuses
// the message (and polls the store as usual), so a future version 2 can be
// rolled out by upgrading every node's decoder before any encoder.

inline constexpr std::string_view kBusMessageTag = "sotto-wake";
inline constexpr std::string_view kBusMessageVersion = "1";
// Wakes per message: a commit batch of the relay is far smaller; 4096 bounds
// what one message makes every node allocate and scan. publish() splits a
// longer batch into several messages.
inline constexpr std::size_t kMaxWakesPerBusMessage = 4096;
inline constexpr std::size_t kMaxNodeIdChars = 64;
// 256 KiB: room for kMaxWakesPerBusMessage of the longest lines (asserted
// below), and small next to Redis's own 32 MiB client output buffer limit
// for pub/sub (redis.conf client-output-buffer-limit), so a burst of
// messages does not get a subscriber disconnected.
inline constexpr std::size_t kMaxBusMessageBytes = 256 * 1024;

namespace bus_message_detail {
// INT64_MAX has 19 decimal digits.
inline constexpr std::size_t kMaxWakeLineBytes = wire::kMaxUsernameChars + 1 + 19 + 1;
inline constexpr std::size_t kMaxHeaderBytes = 10 + 1 + 1 + 1 + kMaxNodeIdChars + 1 + 4 + 1;
static_assert(kMaxHeaderBytes + kMaxWakesPerBusMessage * kMaxWakeLineBytes <= kMaxBusMessageBytes,
              "a message of the most and longest wakes must fit the size limit");
}  // namespace bus_message_detail

struct BusMessage {
  std::string node_id;
  std::vector<Wake> wakes;
  friend bool operator==(const BusMessage&, const BusMessage&) = default;
};

// Empty when node_id is a valid node id (grammar above), else why not.
std::string node_id_problem(std::string_view node_id);

// The one encoding of message. Throws std::invalid_argument, naming the
// fault, unless the node id is valid, there are 1..kMaxWakesPerBusMessage
// wakes, every recipient is a canonical username and every delivery id is at
// least 1: the encoder never produces what the decoder would refuse.
std::string encode_bus_message(const BusMessage& message);

// Reasons name the line and the fault ("line 3: the delivery id is not a
// decimal number from 1 to 9223372036854775807") and never quote the bytes.
ParseResult<BusMessage> decode_bus_message(std::string_view bytes);

}  // namespace sotto::relayd
