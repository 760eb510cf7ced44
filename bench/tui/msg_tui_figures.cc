// msg-tui's figures in a real terminal: keystroke to screen, incoming
// message to screen, and idle memory (docs/msg-tui.md). Run by
// bench/run-tui-bench; it drives the same fixture as the end-to-end tests.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/frontends/msg_tui_fixture.h"

namespace sotto::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Prints the figures docs/msg-tui.md quotes; bench/run-tui-bench runs it.
// A measurement, not a check: a program of its own, not part of the suite. Keystroke to screen: send-keys of one
// character until capture-pane shows it. Incoming to screen: bob's send returns until alice's screen shows the text.
// Both include tmux's own work and the polling.
TEST_F(MsgTuiTest, Figures) {
  TmuxSession& tui = start_tui();
  ASSERT_TRUE(ready());
  ASSERT_TRUE(tui.wait_for_text("bob: hello alice"));
  auto percentile = [](std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
  };
  std::vector<double> keys;
  std::string typed;
  for (int i = 0; i < 40; ++i) {
    const char c = static_cast<char>('a' + i % 26);
    typed += c;
    const auto start = Clock::now();
    tui.type(std::string(1, c));
    ASSERT_TRUE(tui.wait_for_text("\u203A " + typed, std::chrono::seconds(5)));
    keys.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  tui.press("C-u");
  std::vector<double> incoming;
  for (int i = 0; i < 20; ++i) {
    const std::string text = "figure message " + std::to_string(i);
    call("bob", "send", {{"peer", "alice"}, {"text", text}});
    const auto start = Clock::now();
    ASSERT_TRUE(tui.wait_for_text("bob: " + text, std::chrono::seconds(10)));
    incoming.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  // The same typing with a 64 KiB message on screen (bob's last, wrapped
  // over hundreds of rows): every keystroke lays the visible part out again.
  std::string big;
  while (big.size() < 64 * 1024 - 64) big += "a long message for the figures, ";
  big += "END-OF-BIG";
  const auto big_start = Clock::now();
  call("bob", "send", {{"peer", "alice"}, {"text", big}});
  ASSERT_TRUE(tui.wait_for_text("END-OF-BIG", std::chrono::seconds(10)));
  const double big_ms = std::chrono::duration<double, std::milli>(Clock::now() - big_start).count();
  std::vector<double> keys_big;
  typed.clear();
  for (int i = 0; i < 20; ++i) {
    const char c = static_cast<char>('a' + i % 26);
    typed += c;
    const auto start = Clock::now();
    tui.type(std::string(1, c));
    ASSERT_TRUE(tui.wait_for_text("\u203A " + typed, std::chrono::seconds(5)));
    keys_big.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  tui.press("C-u");
  // A tmux round trip alone (capture-pane), to read the figures against.
  std::vector<double> capture;
  for (int i = 0; i < 20; ++i) {
    const auto start = Clock::now();
    tui.screen();
    capture.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // idle, for the memory figure
  std::ifstream status("/proc/" + std::to_string(tui.program_pid()) + "/status");
  std::string line;
  std::string rss;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) rss = line.substr(6);
  }
  rss.erase(0, rss.find_first_not_of(" \t"));
  std::cout << "figure keystroke_to_screen_ms p50=" << percentile(keys, 0.5) << " p95=" << percentile(keys, 0.95)
            << " (n=" << keys.size() << ")\n"
            << "figure incoming_to_screen_ms p50=" << percentile(incoming, 0.5) << " p95=" << percentile(incoming, 0.95)
            << " (n=" << incoming.size() << ", from bob's send returning)\n"
            << "figure keystroke_to_screen_ms_with_64KiB_message_shown p50=" << percentile(keys_big, 0.5)
            << " p95=" << percentile(keys_big, 0.95) << " (n=" << keys_big.size() << ")\n"
            << "figure incoming_64KiB_message_to_screen_ms " << big_ms << " (including the send call)\n"
            << "figure tmux_capture_round_trip_ms p50=" << percentile(capture, 0.5) << "\n"
            << "figure msg_tui_rss_idle " << rss << "\n";
}

}  // namespace
}  // namespace sotto::testing
