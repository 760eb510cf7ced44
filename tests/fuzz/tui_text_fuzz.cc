// Feeds arbitrary bytes to msg-tui's text sanitizer and layout, as a peer's
// message (and a file's name and caption) would arrive. Whatever the bytes, the text msg-tui puts on the
// terminal must be inert (no C0 or C1 control, no DEL, no bidi control),
// valid UTF-8, unchanged by sanitising it again, and every screen row must be
// exactly as wide as its pane; anything else (a crash, a hang, a broken
// invariant) is a bug.

#include <clocale>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontends/tui/chat_model.h"
#include "frontends/tui/display_text.h"
#include "frontends/tui/file_label.h"
#include "frontends/tui/screen_layout.h"
#include "frontends/tui/text_layout.h"

namespace {

using namespace sotto::tui;

void check(bool condition) {
  if (!condition) std::abort();
}

// Widths follow LC_CTYPE, as in msg-tui (which insists on UTF-8).
const bool kLocaleSet = std::setlocale(LC_ALL, "C.UTF-8") != nullptr;

void check_inert(std::string_view safe) {
  for (char32_t cp : to_code_points(safe)) {
    check(cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F) && !is_bidi_control(cp));
  }
  check(DisplayText(safe).utf8() == safe);
}

void check_text(const DisplayText& text) {
  check_inert(text.utf8());
  std::uint32_t at = 0;
  for (const auto& c : text.clusters()) {
    check(c.begin == at && c.end >= c.begin);
    if (c.line_break) {
      check(c.width == 0 && c.end == c.begin);
    } else {
      check(c.width == 1 || c.width == 2);
      check(c.end > c.begin);
    }
    at = c.end;
  }
  check(at == text.utf8().size());
  for (int width : {2, 3, 17, 80}) {
    std::size_t next = 0;
    for (const LineSlice& line : wrap_text(text, width, width)) {
      check(line.width <= width);
      check(line.first >= next && line.last >= line.first);
      next = line.last;
    }
    check(next == text.clusters().size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check(kLocaleSet);
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const DisplayText text(bytes);
  check_text(text);
  check_inert(inert_line(bytes));

  // The whole screen with the bytes as a message and as its sender's name.
  ChatModel::Options options;
  options.initial_peer = "bob";
  ChatModel model(options);
  model.apply(Resized{size % 2 == 0 ? 80 : 45, 12});
  model.apply(DaemonUp{"alice", true, "relay:7443", "fuzz"});
  MessageData m;
  m.id = "x";
  m.peer = "bob";
  m.sender = bytes.substr(0, 40);
  m.text = bytes;
  m.sent_at = 1795514400000;
  model.apply(MessageReceived{m});
  // And as a file's name and caption: the name stays on one line.
  MessageData file = m;
  file.id = "y";
  file.is_file = true;
  file.file_name = bytes;
  file.file_size = static_cast<std::int64_t>(size) - 1;
  file.text.clear();
  const DisplayText label(shown_text(file));
  for (const auto& c : label.clusters()) check(!c.line_break);
  file.text = bytes.substr(0, 200);
  model.apply(MessageReceived{file});
  const Screen screen = layout_screen(model);
  const int pane = screen.sidebar_width > 0 ? screen.width - screen.sidebar_width - 1 : screen.width;
  for (const Row& row : screen.conversation) {
    check_inert(row.text);
    check(columns_of_safe(row.text) == pane);
  }
  for (const Row& row : screen.sidebar) check_inert(row.text);
  check_inert(screen.status.text);
  return 0;
}
