#include "relayd/bus/bus_message.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>

#include "lib/wire/username.h"

namespace sotto::relayd {

namespace {

using DecodeResult = ParseResult<BusMessage>;

// Digits only, no sign, no leading zero, 1..max: the one spelling of a
// positive number.
std::optional<std::uint64_t> parse_positive(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.front() == '0') return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// Empty when name is a username exactly as canonical_username spells it.
std::string recipient_problem(std::string_view name) {
  const wire::UsernameResult canonical = wire::canonical_username(name);
  if (!canonical) return canonical.error();
  if (canonical.value() != name) return "the recipient is not in canonical (lower-case) form";
  return {};
}

// The next LF-terminated line of bytes at *pos, without its LF; nullopt if
// there is no LF left.
std::optional<std::string_view> next_line(std::string_view bytes, std::size_t* pos) {
  const std::size_t end = bytes.find('\n', *pos);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view line = bytes.substr(*pos, end - *pos);
  *pos = end + 1;
  return line;
}

// Splits at single spaces; empty fields (two spaces, a leading or trailing
// one) stay as empty strings for the field checks to refuse.
std::vector<std::string_view> split_fields(std::string_view line, std::size_t max_fields) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (fields.size() < max_fields) {
    const std::size_t space = line.find(' ', start);
    if (space == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, space - start));
    start = space + 1;
  }
  // More fields than allowed: one more, so the caller sees a wrong count.
  fields.push_back(line.substr(start));
  return fields;
}

const std::string kDeliveryIdRange =
    "a decimal number from 1 to " + std::to_string(std::numeric_limits<std::int64_t>::max());

}  // namespace

std::string node_id_problem(std::string_view node_id) {
  if (node_id.empty()) return "the node id is empty";
  if (node_id.size() > kMaxNodeIdChars) {
    return "the node id is longer than " + std::to_string(kMaxNodeIdChars) + " characters";
  }
  const auto is_first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!is_first(node_id.front())) return "the node id must start with a lower-case letter or a digit";
  for (const char c : node_id) {
    if (!is_first(c) && c != '-' && c != '_' && c != '.') {
      return "the node id may hold only a-z, 0-9, '-', '_' and '.'";
    }
  }
  return {};
}

std::string encode_bus_message(const BusMessage& message) {
  if (const std::string problem = node_id_problem(message.node_id); !problem.empty()) {
    throw std::invalid_argument("bus message: " + problem);
  }
  if (message.wakes.empty() || message.wakes.size() > kMaxWakesPerBusMessage) {
    throw std::invalid_argument("bus message: a message holds 1 to " + std::to_string(kMaxWakesPerBusMessage) +
                                " wakes, not " + std::to_string(message.wakes.size()));
  }
  std::string out;
  out.reserve(bus_message_detail::kMaxHeaderBytes + message.wakes.size() * bus_message_detail::kMaxWakeLineBytes);
  out.append(kBusMessageTag).append(" ").append(kBusMessageVersion).append(" ").append(message.node_id);
  out.append(" ").append(std::to_string(message.wakes.size())).append("\n");
  for (const Wake& wake : message.wakes) {
    if (const std::string problem = recipient_problem(wake.recipient); !problem.empty()) {
      throw std::invalid_argument("bus message: " + problem);
    }
    if (wake.delivery_id < 1) throw std::invalid_argument("bus message: a delivery id must be at least 1");
    out.append(wake.recipient).append(" ").append(std::to_string(wake.delivery_id)).append("\n");
  }
  return out;
}

ParseResult<BusMessage> decode_bus_message(std::string_view bytes) {
  if (bytes.size() > kMaxBusMessageBytes) {
    return DecodeResult::rejected("bus message: longer than " + std::to_string(kMaxBusMessageBytes) + " bytes (" +
                                  std::to_string(bytes.size()) + " bytes)");
  }
  std::size_t pos = 0;
  const std::optional<std::string_view> header = next_line(bytes, &pos);
  if (!header) return DecodeResult::rejected("bus message: no complete header line");
  const std::vector<std::string_view> fields = split_fields(*header, 4);
  if (fields.empty() || fields[0] != kBusMessageTag) {
    return DecodeResult::rejected("bus message: the header does not start with \"sotto-wake \"");
  }
  if (fields.size() != 4) return DecodeResult::rejected("bus message: the header does not have 4 fields");
  if (fields[1] != kBusMessageVersion) {
    return DecodeResult::rejected("bus message: unsupported version (this node reads version " +
                                  std::string(kBusMessageVersion) + ")");
  }
  if (const std::string problem = node_id_problem(fields[2]); !problem.empty()) {
    return DecodeResult::rejected("bus message: " + problem);
  }
  const std::optional<std::uint64_t> count = parse_positive(fields[3], kMaxWakesPerBusMessage);
  if (!count) {
    return DecodeResult::rejected("bus message: the wake count is not a decimal number from 1 to " +
                                  std::to_string(kMaxWakesPerBusMessage));
  }

  BusMessage message;
  message.node_id = std::string(fields[2]);
  message.wakes.reserve(*count);
  for (std::uint64_t i = 0; i < *count; ++i) {
    const std::string where = "bus message: line " + std::to_string(i + 2) + ": ";
    const std::optional<std::string_view> line = next_line(bytes, &pos);
    if (!line) {
      return DecodeResult::rejected("bus message: ends after " + std::to_string(i) + " of " + std::to_string(*count) +
                                    " wake lines");
    }
    const std::vector<std::string_view> wake = split_fields(*line, 2);
    if (wake.size() != 2) return DecodeResult::rejected(where + "a wake line is a recipient, one space and an id");
    if (const std::string problem = recipient_problem(wake[0]); !problem.empty()) {
      return DecodeResult::rejected(where + problem);
    }
    const std::optional<std::uint64_t> id =
        parse_positive(wake[1], static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    if (!id) return DecodeResult::rejected(where + "the delivery id is not " + kDeliveryIdRange);
    message.wakes.push_back(Wake{std::string(wake[0]), static_cast<std::int64_t>(*id)});
  }
  if (pos != bytes.size()) {
    return DecodeResult::rejected("bus message: " + std::to_string(bytes.size() - pos) +
                                  " bytes after the last wake line");
  }
  return DecodeResult::accepted(std::move(message));
}

}  // namespace sotto::relayd
