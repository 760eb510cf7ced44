#include "frontends/notify/notification_text.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "lib/api/size_text.h"
#include "lib/config/utf8.h"

namespace sotto::notify {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

bool is_bidi_control(char32_t c) { return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069); }

bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

std::string cleaned(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::optional<config::Utf8Char> d = config::decode_utf8(text, 0);
    if (!d) {
      out += kReplacement;
      text.remove_prefix(1);
      continue;
    }
    if (d->code_point == '\n' || d->code_point == '\t') {
      out += static_cast<char>(d->code_point);
    } else if (is_control(d->code_point)) {
      out += ' ';
    } else if (!is_bidi_control(d->code_point)) {
      out.append(text.substr(0, d->length));
    }
    text.remove_prefix(d->length);
  }
  return out;
}

// Servers show a summary as a title, and a file name is one line of a body.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return text;
}

}  // namespace

std::string escape_markup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string clean_text(std::string_view text, std::size_t max_bytes) {
  std::string out = cleaned(text);
  if (out.size() <= max_bytes) return out;
  if (max_bytes < kEllipsis.size()) return {};
  std::size_t cut = max_bytes - kEllipsis.size();
  // Back up over continuation bytes to the start of the character that does not fit.
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  out += kEllipsis;
  return out;
}

std::string format_file_size(std::int64_t bytes) { return bytes < 0 ? std::string() : api::size_text(bytes); }

NotificationText compose_text(std::string_view sender, std::string_view latest_text, int count, bool privacy,
                              bool body_markup, const std::optional<FileSummary>& file, std::string_view group) {
  if (privacy) return NotificationText{std::string(kPrivateSummary), ""};
  NotificationText text;
  const std::string who = one_line(clean_text(sender, kMaxSummaryBytes));
  text.summary = who;
  if (!group.empty()) text.summary += " in " + one_line(clean_text(group, kMaxGroupLabelBytes));
  std::string body = clean_text(latest_text, kMaxBodyTextBytes);
  if (file) {
    const std::string name = one_line(clean_text(file->name, kMaxFileNameBytes));
    std::string line = who + " sent " + (name.empty() ? std::string("a file") : name);
    if (const std::string size = format_file_size(file->size); !size.empty()) line += " (" + size + ")";
    body = body.empty() ? line : line + "\n" + body;
  }
  text.body = body_markup ? escape_markup(body) : body;
  if (count > 1) text.body += "\n(" + std::to_string(count) + " new messages)";
  return text;
}

}  // namespace sotto::notify
