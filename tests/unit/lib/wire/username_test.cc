#include "lib/wire/username.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace sotto::wire {
namespace {

struct Good {
  std::string input;
  std::string canonical;
};

struct Hostile {
  std::string label;
  std::string input;
  std::string reason;  // the exact reason expected
};

TEST(CanonicalUsername, LowerCasesAsciiAndKeepsTheAllowedCharacters) {
  const Good table[] = {
      {"alice", "alice"},
      {"Alice", "alice"},
      {"BOB", "bob"},
      {"c.d-e_f", "c.d-e_f"},
      {"Zed_99", "zed_99"},
      {"007", "007"},
      {"a.-", "a.-"},
      {"abc", "abc"},                                                            // shortest
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "abcdefghijklmnopqrstuvwxyz012345"},  // longest: 32
  };
  for (const auto& row : table) {
    SCOPED_TRACE(row.input);
    const UsernameResult result = canonical_username(row.input);
    ASSERT_TRUE(result.ok()) << result.error();
    EXPECT_EQ(result.value(), row.canonical);
    EXPECT_TRUE(result.error().empty());
  }
}

TEST(CanonicalUsername, RefusesHostileInputsWithAReasonNamingTheProblem) {
  const std::string allowed = " (only a-z, 0-9, '_', '.' and '-' are allowed)";
  const Hostile table[] = {
      {"empty", "", "username is empty"},
      {"too short", "ab", "username is shorter than 3 characters"},
      {"too long", std::string(33, 'a'), "username is longer than 32 characters (33 bytes)"},
      {"very long", std::string(1 << 20, 'a'), "username is longer than 32 characters (1048576 bytes)"},
      {"space", "bob smith", "username contains a space at position 4"},
      {"leading space", " bob", "username contains a space at position 1"},
      {"slash", "a/b/c", "username contains the character '/' at position 2" + allowed},
      {"path traversal", "../etc", "username contains the character '/' at position 3" + allowed},
      {"backslash", "a\\bc", "username contains the character '\\' at position 2" + allowed},
      {"at sign", "bob@example", "username contains the character '@' at position 4" + allowed},
      {"NUL inside", std::string("bob\0evil", 8), "username contains a NUL byte at position 4"},
      {"tab", "bob\tx", "username contains a control character (0x09) at position 4"},
      {"newline (log forging)", "bob\nroot", "username contains a control character (0x0a) at position 4"},
      {"escape sequence", "\x1b[31mred", "username contains a control character (0x1b) at position 1"},
      {"DEL", "bob\x7f", "username contains a control character (0x7f) at position 4"},
      {"Cyrillic a look-alike", "\xd0\xb0lice", "username contains a non-ASCII byte at position 1" + allowed},
      {"UTF-8 e-acute", "jos\xc3\xa9", "username contains a non-ASCII byte at position 4" + allowed},
      {"invalid UTF-8", "ab\xff", "username contains a non-ASCII byte at position 3" + allowed},
      {"fullwidth A",
       "\xef\xbc\xa1"
       "bc",
       "username contains a non-ASCII byte at position 1" + allowed},
      {"leading dash (option-like)", "-rf", "username must start with a letter or a digit"},
      {"leading dot (hidden file)", ".bob", "username must start with a letter or a digit"},
      {"leading underscore", "_bob", "username must start with a letter or a digit"},
      {"dots only", "...", "username must start with a letter or a digit"},
      {"quote", "bo'b", "username contains the character ''' at position 3" + allowed},
  };
  for (const auto& row : table) {
    SCOPED_TRACE(row.label);
    const UsernameResult result = canonical_username(row.input);
    EXPECT_FALSE(result.ok());
    EXPECT_FALSE(static_cast<bool>(result));
    EXPECT_EQ(result.error(), row.reason);
  }
}

TEST(CanonicalUsername, ReasonsNeverRepeatControlOrNonAsciiBytes) {
  for (const std::string& input : {std::string("\x1b]0;pwned\x07"), std::string("ev\xc3\xa9il"), std::string("a\rb")}) {
    const UsernameResult result = canonical_username(input);
    ASSERT_FALSE(result.ok());
    for (const char c : result.error()) {
      const auto b = static_cast<unsigned char>(c);
      EXPECT_TRUE(b >= 0x20 && b < 0x7f) << "byte " << static_cast<int>(b) << " in: " << result.error();
    }
  }
}

TEST(CanonicalUsername, IsIdempotent) {
  const UsernameResult once = canonical_username("Mixed.Case-Name_1");
  ASSERT_TRUE(once.ok());
  const UsernameResult twice = canonical_username(once.value());
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice.value(), once.value());
}

TEST(CanonicalUsername, ValueOfARefusedNameThrows) {
  const UsernameResult result = canonical_username("no spaces");
  EXPECT_THROW((void)result.value(), std::logic_error);
}

}  // namespace
}  // namespace sotto::wire
