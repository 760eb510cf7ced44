#include "lib/config/mapping_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/lib/config/config_error_capture.h"

namespace sotto::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::capture_config_error;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Reader = std::function<void(MappingReader&)>;

std::vector<ValueSource> read_text(std::string_view text, const Reader& read) {
  const Document d = parse_document(text, "t.yaml");
  return read_mapping(d, read);
}

ConfigError read_error(std::string_view text, const Reader& read) {
  return capture_config_error([&] { read_text(text, read); });
}

// --- the top level and unknown keys -----------------------------------------

TEST(MappingReader, EmptyDocumentGivesEveryDefault) {
  int port = 0;
  std::string name;
  const auto sources = read_text("", [&](MappingReader& m) {
    port = m.integer<int>("port", 7443, 1, 65535);
    name = m.string("name", "relay");
  });
  EXPECT_EQ(port, 7443);
  EXPECT_EQ(name, "relay");
  EXPECT_THAT(sources, ElementsAre(ValueSource{"port", std::nullopt}, ValueSource{"name", std::nullopt}));
}

TEST(MappingReader, RecordsWhereEachValueCameFrom) {
  const auto sources = read_text("b:\n  c: 5\n", [&](MappingReader& m) {
    m.integer<int>("a", 1, 0, 9);
    m.mapping("b", [](MappingReader& b) {
      b.integer<int>("c", 1, 0, 9);
      b.integer<int>("d", 1, 0, 9);
    });
  });
  EXPECT_THAT(sources, ElementsAre(ValueSource{"a", std::nullopt}, ValueSource{"b.c", Location{"t.yaml", 2, 6}},
                                   ValueSource{"b.d", std::nullopt}));
}

TEST(MappingReader, RejectsATopLevelThatIsNotAMapping) {
  const ConfigError list = read_error("- a\n- b\n", [](MappingReader&) {});
  EXPECT_EQ(list.where(), (Location{"t.yaml", 1, 1}));
  EXPECT_EQ(list.problem(), "the top level must be a mapping of keys to values, got a list");
  EXPECT_EQ(read_error("\n\nhello\n", [](MappingReader&) {}).where(), (Location{"t.yaml", 3, 1}));
}

TEST(MappingReader, RejectsAnUnknownKeyWithADidYouMean) {
  const ConfigError e = read_error("port: 1\nnmae: x\n", [](MappingReader& m) {
    m.integer<int>("port", 1, 1, 9);
    m.string("name", "");
  });
  EXPECT_EQ(e.where(), (Location{"t.yaml", 2, 1}));
  EXPECT_EQ(e.key_path(), "nmae");
  EXPECT_EQ(e.problem(), "unknown key (did you mean name?)");
  EXPECT_STREQ(e.what(), "t.yaml:2:1: nmae: unknown key (did you mean name?)");
}

TEST(MappingReader, RejectsAnUnknownKeyListingTheKnownOnesWhenNothingIsClose) {
  const ConfigError e = read_error("colour: red\n", [](MappingReader& m) {
    m.integer<int>("port", 1, 1, 9);
    m.string("name", "");
    m.boolean("verbose", false);
  });
  EXPECT_EQ(e.problem(), "unknown key; the keys here are port, name or verbose");
}

TEST(MappingReader, RejectsUnknownKeysInNestedMappingsEvenWhenTheCallbackReadsNothing) {
  const ConfigError e =
      read_error("tls:\n  certificate: /a\n", [](MappingReader& m) { m.mapping("tls", [](MappingReader&) {}); });
  EXPECT_EQ(e.where(), (Location{"t.yaml", 2, 3}));
  EXPECT_EQ(e.key_path(), "tls.certificate");
}

TEST(MappingReader, RejectsAKeyThatIsOnlyAskedAbout) {
  const ConfigError e = read_error("a: 1\n", [](MappingReader& m) { EXPECT_TRUE(m.contains("a")); });
  EXPECT_EQ(e.key_path(), "a");
  EXPECT_THAT(e.problem(), HasSubstr("unknown key"));
}

TEST(MappingReader, ReportsTypeErrorsBeforeUnknownKeysInReadingOrder) {
  const ConfigError e = read_error("zzz: 1\nport: x\n", [](MappingReader& m) { m.integer<int>("port", 1, 1, 9); });
  EXPECT_EQ(e.key_path(), "port");
}

// --- mappings -----------------------------------------------------------------

TEST(MappingReader, ReadsAnAbsentOrEmptyMappingWithDefaults) {
  for (const char* text : {"", "tls:\n", "tls: {}\n"}) {
    std::string certificate = "unset";
    read_text(text, [&](MappingReader& m) {
      m.mapping("tls", [&](MappingReader& tls) { certificate = tls.string("certificate", "default"); });
    });
    EXPECT_EQ(certificate, "default") << text;
  }
}

TEST(MappingReader, RejectsAListOrValueWhereAMappingIsExpected) {
  const auto read = [](MappingReader& m) { m.mapping("tls", [](MappingReader&) {}); };
  const ConfigError list = read_error("tls: [a]\n", read);
  EXPECT_EQ(list.where(), (Location{"t.yaml", 1, 6}));
  EXPECT_EQ(list.key_path(), "tls");
  EXPECT_EQ(list.problem(), "expected a mapping of keys to values, got a list");
  EXPECT_EQ(read_error("tls: on\n", read).problem(), "expected a mapping of keys to values, got 'on'");
}

// --- booleans -----------------------------------------------------------------

TEST(MappingReader, ReadsTrueAndFalse) {
  bool a = false, b = true;
  read_text("a: true\nb: false\n", [&](MappingReader& m) {
    a = m.boolean("a", false);
    b = m.boolean("b", true);
  });
  EXPECT_TRUE(a);
  EXPECT_FALSE(b);
}

TEST(MappingReader, RejectsYesNoOnOffAsAmbiguousBooleans) {
  for (const char* word : {"yes", "no", "on", "off", "y", "N", "True", "FALSE"}) {
    const ConfigError e = read_error(std::string("x: 1\nflag: ").append(word).append("\n"), [](MappingReader& m) {
      m.integer<int>("x", 0, 0, 9);
      m.boolean("flag", false);
    });
    EXPECT_EQ(e.where(), (Location{"t.yaml", 2, 7})) << word;
    EXPECT_EQ(e.problem(),
              std::string(1, '\'').append(word).append(
                  "' is ambiguous (YAML 1.1 reads it as a boolean, YAML 1.2 as text); write true or false"));
  }
}

TEST(MappingReader, RejectsOtherNonBooleans) {
  const auto read = [](MappingReader& m) { m.boolean("flag", false); };
  EXPECT_EQ(read_error("flag: 1\n", read).problem(), "expected true or false, got '1'");
  EXPECT_EQ(read_error("flag: \"true\"\n", read).problem(),
            "expected true or false, got the string 'true' (write it without quotes)");
  EXPECT_EQ(read_error("flag: [true]\n", read).problem(), "expected true or false, got a list");
}

TEST(MappingReader, RejectsAnEmptyValueAtItsKey) {
  const ConfigError e = read_error("flag:\nother: 1\n", [](MappingReader& m) {
    m.boolean("flag", false);
    m.integer<int>("other", 0, 0, 9);
  });
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 1}));
  EXPECT_EQ(e.problem(), "has no value; expected true or false");
}

// --- integers -----------------------------------------------------------------

TEST(MappingReader, ReadsIntegersAtTheEdgesOfTheirRange) {
  std::int64_t low = 0, high = 0;
  std::uint64_t big = 0;
  read_text("low: -9223372036854775808\nhigh: 9223372036854775807\nbig: 18446744073709551615\n", [&](MappingReader& m) {
    low = m.integer<std::int64_t>("low", 0, INT64_MIN, INT64_MAX);
    high = m.integer<std::int64_t>("high", 0, INT64_MIN, INT64_MAX);
    big = m.integer<std::uint64_t>("big", 0, 0, UINT64_MAX);
  });
  EXPECT_EQ(low, INT64_MIN);
  EXPECT_EQ(high, INT64_MAX);
  EXPECT_EQ(big, UINT64_MAX);
}

TEST(MappingReader, RejectsIntegersOutOfRange) {
  const auto read = [](MappingReader& m) { m.integer<int>("n", 5, 1, 10); };
  const ConfigError e = read_error("n: 11\n", read);
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 4}));
  EXPECT_EQ(e.key_path(), "n");
  EXPECT_EQ(e.problem(), "11 is out of range; it must be from 1 to 10");
  EXPECT_EQ(read_error("n: 0\n", read).problem(), "0 is out of range; it must be from 1 to 10");
  EXPECT_EQ(read_error("n: -3\n", read).problem(), "-3 is out of range; it must be from 1 to 10");
  EXPECT_EQ(read_error("n: 99999999999999999999\n", read).problem(),
            "99999999999999999999 is out of range; it must be from 1 to 10");
  EXPECT_EQ(read_error("n: -9223372036854775809\n",
                       [](MappingReader& m) { m.integer<std::int64_t>("n", 0, INT64_MIN, INT64_MAX); })
                .problem(),
            "-9223372036854775809 is out of range; it must be from -9223372036854775808 to 9223372036854775807");
}

TEST(MappingReader, RejectsNegativeNumbersForUnsignedSettings) {
  const ConfigError e = read_error("n: -1\n", [](MappingReader& m) { m.integer<unsigned>("n", 5, 0, 10); });
  EXPECT_EQ(e.problem(), "-1 is out of range; it must be from 0 to 10");
}

TEST(MappingReader, RejectsStringsListsAndFractionsWhereAnIntegerIsExpected) {
  const auto read = [](MappingReader& m) { m.integer<int>("n", 5, 1, 10); };
  EXPECT_EQ(read_error("n: five\n", read).problem(), "expected an integer, got 'five'");
  EXPECT_EQ(read_error("n: \"5\"\n", read).problem(),
            "expected an integer, got the string '5' (write it without quotes)");
  EXPECT_EQ(read_error("n: 1.5\n", read).problem(), "expected an integer, got '1.5'");
  EXPECT_EQ(read_error("n: 0x5\n", read).problem(), "expected an integer, got '0x5'");
  EXPECT_EQ(read_error("n: +5\n", read).problem(), "expected an integer, got '+5'");
  EXPECT_EQ(read_error("n: [5]\n", read).problem(), "expected an integer, got a list");
  EXPECT_EQ(read_error("n: {a: 5}\n", read).problem(), "expected an integer, got a mapping");
  EXPECT_EQ(read_error("n: 010\n", read).problem(),
            "'010' has a leading zero, which YAML 1.1 reads as octal; write it without");
}

// --- strings and lists ----------------------------------------------------------

TEST(MappingReader, ReadsStringsPlainOrQuoted) {
  std::string a, b, c;
  read_text("a: hello world\nb: \"caf\\u00e9\"\nc: 123\n", [&](MappingReader& m) {
    a = m.string("a", "");
    b = m.string("b", "");
    c = m.string("c", "");
  });
  EXPECT_EQ(a, "hello world");
  EXPECT_EQ(b, "caf\xc3\xa9");
  EXPECT_EQ(c, "123");
}

TEST(MappingReader, RejectsStringsThatAreTooLong) {
  const ConfigError e = read_error("s: abcdefghijk\n", [](MappingReader& m) { m.string("s", "", StringRule{10}); });
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 4}));
  EXPECT_EQ(e.problem(), "is 11 bytes long, more than the limit of 10");
}

TEST(MappingReader, RejectsEmptyStringsWhenTheRuleSaysSo) {
  const ConfigError e =
      read_error("s: ''\n", [](MappingReader& m) { m.string("s", "x", StringRule{.allow_empty = false}); });
  EXPECT_EQ(e.problem(), "must not be empty");
}

TEST(MappingReader, RejectsControlCharactersWrittenAsEscapes) {
  const auto read = [](MappingReader& m) { m.string("s", ""); };
  EXPECT_EQ(read_error("s: \"a\\x1bb\"\n", read).problem(), "contains a control character at byte 1");
  EXPECT_EQ(read_error("s: \"a\\0\"\n", read).problem(), "contains a control character at byte 1");
  EXPECT_EQ(read_error("s: \"a\\nb\"\n", read).problem(), "must be a single line without tabs");
}

TEST(MappingReader, AcceptsLineBreaksWhenTheRuleAllowsThem) {
  std::string text;
  read_text("s: |\n  one\n  two\n",
            [&](MappingReader& m) { text = m.string("s", "", StringRule{.allow_newlines = true}); });
  EXPECT_EQ(text, "one\ntwo\n");
}

TEST(MappingReader, ReadsStringLists) {
  std::vector<std::string> names;
  read_text("names: [a, 'b c']\n", [&](MappingReader& m) { names = m.string_list("names", {}); });
  EXPECT_THAT(names, ElementsAre("a", "b c"));
  read_text("names: []\n", [&](MappingReader& m) { names = m.string_list("names", {"x"}); });
  EXPECT_TRUE(names.empty());
}

TEST(MappingReader, RejectsBadStringLists) {
  const auto read = [](MappingReader& m) { m.string_list("names", {}, StringRule{}, 2); };
  const ConfigError single = read_error("names: a\n", read);
  EXPECT_EQ(single.problem(), "expected a list of strings, got 'a' (write [item, ...] or one '- item' line per item)");
  const ConfigError item = read_error("names:\n  - a\n  - [b]\n", read);
  EXPECT_EQ(item.where(), (Location{"t.yaml", 3, 5}));
  EXPECT_EQ(item.key_path(), "names[1]");
  EXPECT_EQ(item.problem(), "expected a string, got a list");
  EXPECT_EQ(read_error("names: [a, b, c]\n", read).problem(), "has 3 items, more than the limit of 2");
  EXPECT_EQ(read_error("names:\n", read).problem(),
            "has no value; expected a list of strings (write [] for an empty list)");
}

// --- enumerations ------------------------------------------------------------

enum class Mode { open, invite, closed };

Mode read_mode(std::string_view text) {
  Mode mode = Mode::open;
  read_text(text, [&](MappingReader& m) {
    mode =
        m.one_of<Mode>("mode", Mode::open, {{"open", Mode::open}, {"invite", Mode::invite}, {"closed", Mode::closed}});
  });
  return mode;
}

TEST(MappingReader, ReadsOneOfAFixedSetOfNames) {
  EXPECT_EQ(read_mode(""), Mode::open);
  EXPECT_EQ(read_mode("mode: invite\n"), Mode::invite);
  EXPECT_EQ(read_mode("mode: 'closed'\n"), Mode::closed);
}

TEST(MappingReader, RejectsNamesOutsideTheSet) {
  const ConfigError e = capture_config_error([] { read_mode("mode: invit\n"); });
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 7}));
  EXPECT_EQ(e.problem(), "expected one of open, invite or closed, got 'invit' (did you mean invite?)");
  EXPECT_EQ(capture_config_error([] { read_mode("mode: Open\n"); }).problem(),
            "expected one of open, invite or closed, got 'Open' (did you mean open?)");
  EXPECT_EQ(capture_config_error([] { read_mode("mode: public\n"); }).problem(),
            "expected one of open, invite or closed, got 'public'");
}

// --- durations, sizes, addresses, paths -----------------------------------------

TEST(MappingReader, ReadsDurationsWithinBounds) {
  milliseconds t{};
  read_text("t: 250ms\n", [&](MappingReader& m) { t = m.duration("t", seconds(1), milliseconds(0), seconds(10)); });
  EXPECT_EQ(t, milliseconds(250));
}

TEST(MappingReader, RejectsDurationsOutOfBoundsOrMalformed) {
  const auto read = [](MappingReader& m) { m.duration("t", seconds(10), seconds(1), std::chrono::minutes(5)); };
  const ConfigError range = read_error("t: 10m\n", read);
  EXPECT_EQ(range.where(), (Location{"t.yaml", 1, 4}));
  EXPECT_EQ(range.problem(), "10m is out of range; it must be from 1s to 5m");
  EXPECT_EQ(read_error("t: 10\n", read).problem(), "'10' has no unit; add one of ms, s, m, h, d (e.g. 10s)");
  EXPECT_EQ(read_error("t: [10s]\n", read).problem(),
            "expected a duration such as 250ms, 10s, 5m, 2h or 30d, got a list");
}

TEST(MappingReader, ReadsAndChecksByteSizes) {
  std::uint64_t size = 0;
  read_text("s: 64KiB\n", [&](MappingReader& m) { size = m.byte_size("s", 0, 0, 1 << 20); });
  EXPECT_EQ(size, 65536u);
  const auto read = [](MappingReader& m) { m.byte_size("s", 0, 1024, 1 << 20); };
  EXPECT_EQ(read_error("s: 2MiB\n", read).problem(), "2MiB is out of range; it must be from 1KiB to 1MiB");
  EXPECT_THAT(read_error("s: 1.5MB\n", read).problem(), HasSubstr("has a fraction"));
  EXPECT_THAT(read_error("s: 1MB\n", read).problem(), HasSubstr("is ambiguous"));
}

TEST(MappingReader, ReadsAddressesAndRejectsBadOnesAtTheirPosition) {
  HostPort a;
  read_text("a: '[::1]:7443'\n", [&](MappingReader& m) { a = m.host_port("a", HostPort{}, false); });
  EXPECT_EQ(to_string(a), "[::1]:7443");
  const ConfigError e = read_error("x: 1\na: 127.0.0.1:99999\n", [](MappingReader& m) {
    m.integer<int>("x", 0, 0, 9);
    m.host_port("a", HostPort{}, false);
  });
  EXPECT_EQ(e.where(), (Location{"t.yaml", 2, 4}));
  EXPECT_EQ(e.problem(), "the port in '127.0.0.1:99999' must be a number from 1 to 65535");
}

TEST(MappingReader, ReadsAnEmptyOptionalAddressAsNone) {
  std::optional<HostPort> a = HostPort{};
  read_text("a: \"\"\n", [&](MappingReader& m) { a = m.optional_host_port("a", false); });
  EXPECT_FALSE(a);
  read_text("a: 127.0.0.1:9100\n", [&](MappingReader& m) { a = m.optional_host_port("a", false); });
  ASSERT_TRUE(a);
  EXPECT_EQ(a->port, 9100);
}

TEST(MappingReader, ReadsAddressListsAndRejectsRepeats) {
  std::vector<HostPort> list;
  const auto read = [&](MappingReader& m) { list = m.host_port_list("l", {}, false, 1, 3); };
  read_text("l: [0.0.0.0:1, '[::]:1']\n", read);
  ASSERT_EQ(list.size(), 2u);
  const ConfigError twice = read_error("l:\n  - '[::1]:1'\n  - '[0::1]:1'\n", read);
  EXPECT_EQ(twice.where(), (Location{"t.yaml", 3, 5}));
  EXPECT_EQ(twice.key_path(), "l[1]");
  EXPECT_EQ(twice.problem(), "[::1]:1 is listed twice; it first appears at line 2, column 5");
  EXPECT_EQ(read_error("l: []\n", read).problem(), "has 0 items; it must have 1 to 3");
}

TEST(MappingReader, ReadsPathsAndEnforcesTheirRules) {
  std::filesystem::path p;
  read_text("p: /var/lib/relayd\n", [&](MappingReader& m) { p = m.path("p", "", PathRule{}); });
  EXPECT_EQ(p, "/var/lib/relayd");
  const auto absolute = [](MappingReader& m) { m.path("p", "/x", PathRule{.require_absolute = true}); };
  EXPECT_EQ(read_error("p: var/lib\n", absolute).problem(),
            "must be an absolute path (starting with '/'), got 'var/lib'");
  EXPECT_EQ(read_error("p: ''\n", absolute).problem(), "must not be empty");
  EXPECT_EQ(read_error(std::string("p: /").append(kMaxPathBytes, 'a').append("\n"), absolute).problem(),
            "is 4096 bytes long, more than the limit of 4095");
}

// --- positions for checks across settings ---------------------------------------

TEST(MappingReader, FindsWhereNestedKeysAreWritten) {
  read_text("queue:\n  ttl: 40d\n", [](MappingReader& m) {
    m.mapping("queue",
              [](MappingReader& q) { q.duration("ttl", seconds(1), seconds(1), std::chrono::hours(24 * 365)); });
    EXPECT_EQ(m.where("queue.ttl"), (Location{"t.yaml", 2, 8}));
    EXPECT_TRUE(m.contains("queue.ttl"));
    EXPECT_FALSE(m.contains("queue.max_ttl"));
    // Absent keys point at the nearest enclosing mapping that is written.
    EXPECT_EQ(m.where("queue.max_ttl"), (Location{"t.yaml", 1, 1}));
    EXPECT_EQ(m.where("blobs.ttl"), (Location{"t.yaml", 1, 1}));
  });
}

TEST(MappingReader, FailsAtANamedKeyForChecksAcrossSettings) {
  const ConfigError e = read_error("a: 1\nq:\n  ttl: 40d\n", [](MappingReader& m) {
    m.integer<int>("a", 0, 0, 9);
    m.mapping("q", [](MappingReader& q) {
      q.duration("ttl", seconds(1), seconds(1), std::chrono::hours(24 * 365));
      q.fail("ttl", "must not exceed q.max_ttl");
    });
  });
  EXPECT_EQ(e.where(), (Location{"t.yaml", 3, 8}));
  EXPECT_EQ(e.key_path(), "q.ttl");
  EXPECT_EQ(e.problem(), "must not exceed q.max_ttl");
}

}  // namespace
}  // namespace sotto::config
