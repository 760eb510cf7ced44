#include "daemon/service/message_json.h"

#include <ctime>

#include "lib/crypto/safety_number.h"

namespace sotto::msgd {
namespace {

std::string utc_time(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  return buffer;
}

}  // namespace

nlohmann::json to_json(const StoredMessage& m) {
  nlohmann::json out = {
      {"id", m.id},
      {"peer", m.peer},
      {"direction", std::string(to_string(m.direction))},
      {"sender", m.sender},
      {"text", m.text},
      {"sent_at", m.sent_at_ms},
      {"received_at", m.received_at_ms},
      {"state", std::string(to_string(m.state))},
      {"identity_warning", m.identity_warning},
      {"kind", m.kind == MessageKind::kFile ? "file" : "text"},
  };
  if (m.kind == MessageKind::kFile && m.file) {
    out["file"] = {{"name", m.file->name}, {"size", static_cast<std::int64_t>(m.file->size)}, {"mime", m.file->mime}};
  }
  return out;
}

nlohmann::json to_json(const Contact& c) {
  return {
      {"username", c.username},
      {"fingerprint", crypto::short_fingerprint(c.identity.signing_key, c.identity.dh_key)},
      {"trust", std::string(to_string(c.trust))},
      {"first_seen", c.first_seen_ms},
      {"identity_changed", c.identity_changed},
  };
}

std::string conversation_text(const std::vector<StoredMessage>& messages) {
  std::string out;
  for (const auto& m : messages) {
    out += "[" + utc_time(m.direction == Direction::kIn ? m.received_at_ms : m.sent_at_ms) + " UTC] " + m.sender + ": ";
    if (m.kind == MessageKind::kFile && m.file) {
      out += "[file " + m.file->name + ", " + std::to_string(m.file->size) + " bytes]";
      if (!m.text.empty()) out += " ";
    }
    // One message a line: a newline inside a message is written as "\n".
    for (char ch : m.text) {
      if (ch == '\n') {
        out += "\\n";
      } else if (ch == '\\') {
        out += "\\\\";
      } else {
        out += ch;
      }
    }
    if (m.identity_warning) out += "  [identity changed, unverified]";
    out += "\n";
  }
  return out;
}

}  // namespace sotto::msgd
