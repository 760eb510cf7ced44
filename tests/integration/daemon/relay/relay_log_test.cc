#include "daemon/relay/relay_log.h"

#include <gtest/gtest.h>

namespace sotto::msgd {
namespace {

TEST(RelayLogTest, PlainValuesAreWrittenAsIs) {
  EXPECT_EQ(format_log_event("relay_connected", {{"relay", "127.0.0.1:7443"}, {"fingerprint", "sha256:ab"}}),
            "msgd: event=relay_connected relay=127.0.0.1:7443 fingerprint=sha256:ab");
}

TEST(RelayLogTest, ValuesWithSpacesOrQuotesAreQuotedAndEscaped) {
  EXPECT_EQ(format_log_event("e", {{"reason", "relay closed the connection"}}),
            "msgd: event=e reason=\"relay closed the connection\"");
  EXPECT_EQ(format_log_event("e", {{"reason", "say \"hi\" a=b \\"}}),
            "msgd: event=e reason=\"say \\\"hi\\\" a=b \\\\\"");
  EXPECT_EQ(format_log_event("e", {{"reason", ""}}), "msgd: event=e reason=\"\"");
}

TEST(RelayLogTest, AHostileValueCannotStartANewLine) {
  const std::string line = format_log_event("e", {{"reason", "x\nmsgd: event=forged\r\x1b[2J"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  EXPECT_NE(line.find("\\x0a"), std::string::npos) << line;
}

TEST(RelayLogTest, LongValuesAreCut) {
  const std::string line = format_log_event("e", {{"reason", std::string(100000, 'x')}});
  EXPECT_LT(line.size(), 600U);
  EXPECT_NE(line.find("...\""), std::string::npos);
}

}  // namespace
}  // namespace sotto::msgd
