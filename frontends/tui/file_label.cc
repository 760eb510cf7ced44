#include "frontends/tui/file_label.h"

#include <array>
#include <cmath>
#include <cstdio>

#include "frontends/tui/display_text.h"
#include "lib/api/size_text.h"

namespace sotto::tui {

std::string format_file_size(std::int64_t bytes) { return api::size_text(bytes); }

std::string shown_text(const MessageData& message) {
  if (!message.is_file) return message.text;
  std::string name = message.file_name.empty() ? std::string("(no name)") : inert_line(message.file_name);
  if (name.size() > kMaxShownFileNameBytes) {
    std::size_t cut = kMaxShownFileNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name.resize(cut);
    name += "\u2026";  // …
  }
  std::string out = "[file] " + name + " (" + format_file_size(message.file_size) + ")";
  if (!message.text.empty()) out += " \u2014 " + message.text;  // —
  return out;
}

}  // namespace sotto::tui
