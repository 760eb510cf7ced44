#include "bench/relay_load/message_stamp.h"

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

}  // namespace

RunId random_run_id() {
  RunId run{};
  crypto::random_fill(run);
  return run;
}

std::string encode_message_id(const RunId& run, MessageKey key) {
  static_assert(sizeof(RunId) + 8 == wire::kMessageIdBytes);
  std::string id(wire::kMessageIdBytes, '\0');
  for (std::size_t i = 0; i < run.size(); ++i) id[i] = static_cast<char>(run[i]);
  put_be(id, run.size(), key.sender, 4);
  put_be(id, run.size() + 4, key.seq, 4);
  return id;
}

std::optional<MessageKey> decode_message_id(std::string_view id, const RunId& run) {
  if (id.size() != wire::kMessageIdBytes) return std::nullopt;
  for (std::size_t i = 0; i < run.size(); ++i) {
    if (static_cast<std::uint8_t>(id[i]) != run[i]) return std::nullopt;
  }
  return MessageKey{static_cast<std::uint32_t>(get_be(id, run.size(), 4)),
                    static_cast<std::uint32_t>(get_be(id, run.size() + 4, 4))};
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
