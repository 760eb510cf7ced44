#include "lib/log/event_line.h"

#include <gtest/gtest.h>

#include <string>

namespace sotto::logging {
namespace {

TEST(EventLine, PlainValuesStayBare) {
  EXPECT_EQ(format_event_line("msgd", "connected", {{"relay", "127.0.0.1:7443"}, {"attempt", "2"}}, 64),
            "msgd: event=connected relay=127.0.0.1:7443 attempt=2");
  EXPECT_EQ(format_event_line("msg-notify", "starting", {}, 64), "msg-notify: event=starting");
}

TEST(EventLine, ValuesThatCouldForgeAFieldOrALineAreQuotedAndEscaped) {
  EXPECT_EQ(format_event_line("p", "e", {{"k", ""}}, 64), R"(p: event=e k="")");
  EXPECT_EQ(format_event_line("p", "e", {{"k", "a b"}}, 64), R"(p: event=e k="a b")");
  EXPECT_EQ(format_event_line("p", "e", {{"k", "x=1"}}, 64), R"(p: event=e k="x=1")");
  EXPECT_EQ(format_event_line("p", "e", {{"k", "say \"hi\" \\ bye"}}, 64), R"(p: event=e k="say \"hi\" \\ bye")");
  const std::string forged = format_event_line("p", "e", {{"k", "ok\nmsgd: event=forged\x7f"}}, 64);
  EXPECT_EQ(forged, R"(p: event=e k="ok\x0amsgd: event=forged\x7f")");
  EXPECT_EQ(forged.find('\n'), std::string::npos);
}

TEST(EventLine, LongValuesAreCutAndMarked) {
  const std::string line = format_event_line("p", "e", {{"k", std::string(100, 'a')}}, 10);
  EXPECT_EQ(line, "p: event=e k=\"" + std::string(10, 'a') + "...\"");
  EXPECT_EQ(format_event_line("p", "e", {{"k", std::string(10, 'a')}}, 10), "p: event=e k=" + std::string(10, 'a'));
}

}  // namespace
}  // namespace sotto::logging
