#include "frontends/notify/notify_log.h"

#include <gtest/gtest.h>

namespace sotto::notify {
namespace {

TEST(NotifyLog, WritesOneEventPerLine) {
  EXPECT_EQ(format_log_event("notification_posted", {{"peer", "alice"}, {"id", "7"}}),
            "msg-notify: event=notification_posted peer=alice id=7");
}

TEST(NotifyLog, QuotesValuesThatCouldForgeFieldsOrLines) {
  EXPECT_EQ(format_log_event("x", {{"error", "a b"}}), "msg-notify: event=x error=\"a b\"");
  EXPECT_EQ(format_log_event("x", {{"error", "k=v"}}), "msg-notify: event=x error=\"k=v\"");
  EXPECT_EQ(format_log_event("x", {{"error", "l1\nevent=fake"}}), "msg-notify: event=x error=\"l1\\x0aevent=fake\"");
  EXPECT_EQ(format_log_event("x", {{"error", "q\"\\"}}), "msg-notify: event=x error=\"q\\\"\\\\\"");
  EXPECT_EQ(format_log_event("x", {{"error", ""}}), "msg-notify: event=x error=\"\"");
}

TEST(NotifyLog, CutsLongValues) {
  const std::string line = format_log_event("x", {{"error", std::string(10'000, 'e')}});
  EXPECT_LT(line.size(), 300u);
  EXPECT_NE(line.find("...\""), std::string::npos);
}

}  // namespace
}  // namespace sotto::notify
