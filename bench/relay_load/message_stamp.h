#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sotto::relay_load {

// Ties a run's messages together, so that a delivery left over from an earlier
// run on the same accounts is recognised (and acknowledged, but not counted):
// message ids carry its first two bytes, and an earlier run's ids are older
// than this run's start (decode_message_id). mqtt_load names its topics with
// all 8 bytes (two runs collide with probability 2^-64).
using RunId = std::array<std::uint8_t, 8>;
RunId random_run_id();

// Which message this is: the sending client's index and its sequence number.
struct MessageKey {
  std::uint32_t sender = 0;
  std::uint32_t seq = 0;

  friend bool operator==(const MessageKey&, const MessageKey&) = default;
};

// Send.message_id (16 bytes, lib/wire/limits.h kMessageIdBytes), laid out the
// way msgd makes its ids (time first, daemon/service/e2e_content.h), because
// the relay's duplicate-check index is ordered by id and its cost depends on
// where new ids land: Unix time in milliseconds (6 bytes), the first two
// bytes of the run id, then sender and seq (4 bytes each), all big-endian.
// Unique per run, so the relay's per-sender idempotency never folds two
// messages of one run (or of two runs) together.
std::string encode_message_id(const RunId& run, MessageKey key, std::int64_t unix_ms);
// nullopt unless id is 16 bytes, carries run's two bytes, and was made at or
// after not_before_unix_ms (the run's start: an earlier run on the same
// accounts made its ids before that, whatever its run id).
std::optional<MessageKey> decode_message_id(std::string_view id, const RunId& run, std::int64_t not_before_unix_ms);
// Now, for encode_message_id.
std::int64_t unix_now_ms();

// The first bytes of every envelope: the send time on the steady clock
// (nanoseconds, 8 bytes), the sender index and the sequence number (4 bytes
// each), big-endian. The receiver subtracts the time from its own steady
// clock: sender and receiver are one process, so the clocks agree exactly.
inline constexpr std::size_t kEnvelopeStampBytes = 16;

struct EnvelopeStamp {
  std::int64_t send_time_ns = 0;
  MessageKey key;

  friend bool operator==(const EnvelopeStamp&, const EnvelopeStamp&) = default;
};

// Writes the stamp over the first kEnvelopeStampBytes of envelope (which must
// be at least that long; std::invalid_argument otherwise) and leaves the rest.
void write_envelope_stamp(std::string& envelope, const EnvelopeStamp& stamp);
// nullopt when the envelope is shorter than the stamp.
std::optional<EnvelopeStamp> read_envelope_stamp(std::string_view envelope);

}  // namespace sotto::relay_load
