#include "bench/relay_load/message_stamp.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "lib/crypto/random.h"
#include "lib/wire/limits.h"

namespace sotto::relay_load {

namespace {

void put_be(std::string& out, std::size_t offset, std::uint64_t value, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) {
    out[offset + i] = static_cast<char>((value >> (8 * (bytes - 1 - i))) & 0xff);
  }
}

std::uint64_t get_be(std::string_view in, std::size_t offset, std::size_t bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes; ++i) value = (value << 8) | static_cast<std::uint8_t>(in[offset + i]);
  return value;
}

constexpr std::size_t kTimeBytes = 6;  // as msgd's ids: 2^48 ms reach past the year 10000
constexpr std::size_t kRunBytes = 2;

}  // namespace

RunId random_run_id() {
  RunId run{};
  crypto::random_fill(run);
  return run;
}

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string encode_message_id(const RunId& run, MessageKey key, std::int64_t unix_ms) {
  static_assert(kTimeBytes + kRunBytes + 8 == wire::kMessageIdBytes);
  std::string id(wire::kMessageIdBytes, '\0');
  put_be(id, 0, static_cast<std::uint64_t>(std::max<std::int64_t>(unix_ms, 0)), kTimeBytes);
  for (std::size_t i = 0; i < kRunBytes; ++i) id[kTimeBytes + i] = static_cast<char>(run[i]);
  put_be(id, kTimeBytes + kRunBytes, key.sender, 4);
  put_be(id, kTimeBytes + kRunBytes + 4, key.seq, 4);
  return id;
}

std::optional<MessageKey> decode_message_id(std::string_view id, const RunId& run, std::int64_t not_before_unix_ms) {
  if (id.size() != wire::kMessageIdBytes) return std::nullopt;
  if (static_cast<std::int64_t>(get_be(id, 0, kTimeBytes)) < not_before_unix_ms) return std::nullopt;
  for (std::size_t i = 0; i < kRunBytes; ++i) {
    if (static_cast<std::uint8_t>(id[kTimeBytes + i]) != run[i]) return std::nullopt;
  }
  return MessageKey{static_cast<std::uint32_t>(get_be(id, kTimeBytes + kRunBytes, 4)),
                    static_cast<std::uint32_t>(get_be(id, kTimeBytes + kRunBytes + 4, 4))};
}

void write_envelope_stamp(std::string& envelope, const EnvelopeStamp& stamp) {
  if (envelope.size() < kEnvelopeStampBytes) throw std::invalid_argument("envelope shorter than its stamp");
  put_be(envelope, 0, static_cast<std::uint64_t>(stamp.send_time_ns), 8);
  put_be(envelope, 8, stamp.key.sender, 4);
  put_be(envelope, 12, stamp.key.seq, 4);
}

std::optional<EnvelopeStamp> read_envelope_stamp(std::string_view envelope) {
  if (envelope.size() < kEnvelopeStampBytes) return std::nullopt;
  return EnvelopeStamp{static_cast<std::int64_t>(get_be(envelope, 0, 8)),
                       MessageKey{static_cast<std::uint32_t>(get_be(envelope, 8, 4)),
                                  static_cast<std::uint32_t>(get_be(envelope, 12, 4))}};
}

}  // namespace sotto::relay_load
