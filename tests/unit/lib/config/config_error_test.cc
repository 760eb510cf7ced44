#include "lib/config/config_error.h"

#include <gtest/gtest.h>

namespace sotto::config {
namespace {

TEST(ConfigError, MessageStartsWithFileLineColumnThenKeyPath) {
  const ConfigError e(Location{"relayd.yaml", 12, 3}, "limits.auth_timeout", "is out of range");
  EXPECT_STREQ(e.what(), "relayd.yaml:12:3: limits.auth_timeout: is out of range");
  EXPECT_EQ(e.where(), (Location{"relayd.yaml", 12, 3}));
  EXPECT_EQ(e.key_path(), "limits.auth_timeout");
  EXPECT_EQ(e.problem(), "is out of range");
}

TEST(ConfigError, MessageLeavesOutAnEmptyKeyPath) {
  const ConfigError e(Location{"a.yaml", 1, 1}, "", "YAML syntax error: x");
  EXPECT_STREQ(e.what(), "a.yaml:1:1: YAML syntax error: x");
}

TEST(ConfigError, QuotesValuesAndEscapesControlsAndQuotes) {
  EXPECT_EQ(quote_for_message("ten"), "'ten'");
  EXPECT_EQ(quote_for_message("a\x1b[2Jb"), "'a\\x1b[2Jb'");
  EXPECT_EQ(quote_for_message("it's"), "'it\\x27s'");
  EXPECT_EQ(quote_for_message("caf\xc3\xa9"), "'caf\xc3\xa9'");
  EXPECT_EQ(quote_for_message("\xff"), "'\\xff'");
}

TEST(ConfigError, CutsLongValuesAtACharacterBoundary) {
  EXPECT_EQ(quote_for_message(std::string(100, 'x')), std::string(1, '\'').append(40, 'x').append("'..."));
  // 39 ASCII bytes and then a 2-byte character that would end past byte 40.
  EXPECT_EQ(quote_for_message(std::string(39, 'x') + "\xc3\xa9"), std::string(1, '\'').append(39, 'x').append("'..."));
}

TEST(ConfigError, JoinsKeyPathsAndQuotesOddKeys) {
  EXPECT_EQ(join_key_path("", "limits"), "limits");
  EXPECT_EQ(join_key_path("limits", "auth_timeout"), "limits.auth_timeout");
  EXPECT_EQ(join_key_path("a", "b c"), "a.'b c'");
  EXPECT_EQ(join_key_path("a", ""), "a.''");
  EXPECT_EQ(join_key_path("a", "x\ny"), "a.'x\\x0ay'");
  EXPECT_EQ(index_key_path("listen", 2), "listen[2]");
}

}  // namespace
}  // namespace sotto::config
