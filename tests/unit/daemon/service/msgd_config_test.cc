#include "daemon/service/msgd_config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "lib/config/config_error.h"

namespace sotto::msgd {
namespace {

TEST(MsgdConfig, EmptyFileGivesDefaults) {
  const MsgdConfig c = parse_msgd_config("", "msgd.yaml");
  EXPECT_EQ(c.relay, "");
  EXPECT_EQ(c.trust_new_identities, TrustPolicy::kOnFirstUse);
  EXPECT_EQ(c.device_name, "msgd");
  EXPECT_EQ(c.skipped_key_max_age, std::chrono::days(30));
}

std::string example_text() {
  std::ifstream in(SOTTO_EXAMPLE_MSGD_YAML);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(MsgdConfig, ExampleFileGivesTheDefaults) {
  const MsgdConfig example = load_msgd_config(SOTTO_EXAMPLE_MSGD_YAML);
  const MsgdConfig defaults;
  EXPECT_EQ(example.relay, defaults.relay);
  EXPECT_EQ(example.relay_fingerprint, defaults.relay_fingerprint);
  EXPECT_EQ(example.trust_new_identities, defaults.trust_new_identities);
  EXPECT_EQ(example.device_name, defaults.device_name);
  EXPECT_EQ(example.data_dir, defaults.data_dir);
  EXPECT_EQ(example.socket, defaults.socket);
  EXPECT_EQ(example.max_file_size, defaults.max_file_size);
  EXPECT_EQ(example.auto_download_max, defaults.auto_download_max);
  EXPECT_EQ(example.download_dir, defaults.download_dir);
  EXPECT_EQ(example.transfer_rate_limit, defaults.transfer_rate_limit);
  EXPECT_EQ(example.skipped_key_max_age, defaults.skipped_key_max_age);
  EXPECT_EQ(example.group_max_members, defaults.group_max_members);
  EXPECT_EQ(example.max_groups, defaults.max_groups);
}

// The two settings without a default are commented out in the example; what
// they show must be valid once the "# " is removed.
TEST(MsgdConfig, ExampleCommentedSettingsAreValid) {
  std::istringstream lines(example_text());
  std::string uncommented;
  int found = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# relay: ", 0) == 0 || line.rfind("# relay_fingerprint: ", 0) == 0) {
      line.erase(0, 2);
      ++found;
    }
    uncommented += line + "\n";
  }
  ASSERT_EQ(found, 2);
  const MsgdConfig c = parse_msgd_config(uncommented, "msgd.yaml");
  EXPECT_EQ(c.relay, "relay.example.org:7443");
  EXPECT_EQ(c.relay_fingerprint.rfind("sha256:", 0), 0u);
}

TEST(MsgdConfig, ReadsEverySetting) {
  const MsgdConfig c = parse_msgd_config(
      "relay: relay.example.org:7443\n"
      "relay_fingerprint: sha256:" +
          std::string(64, 'A') +
          "\n"
          "trust_new_identities: never\n"
          "device_name: laptop\n"
          "data_dir: /var/tmp/sotto\n"
          "socket: /run/user/1000/sotto/msgd.sock\n"
          "max_file_size: 2GiB\n"
          "auto_download_max: 0\n"
          "download_dir: /srv/incoming\n"
          "transfer_rate_limit: 512KiB\n"
          "skipped_key_max_age: 7d\n",
      "msgd.yaml");
  EXPECT_EQ(c.skipped_key_max_age, std::chrono::days(7));
  EXPECT_EQ(c.max_file_size, 2ull << 30);
  EXPECT_EQ(c.auto_download_max, 0u);
  EXPECT_EQ(c.download_dir, "/srv/incoming");
  EXPECT_EQ(c.transfer_rate_limit, 512u * 1024);
  EXPECT_EQ(c.relay, "relay.example.org:7443");
  EXPECT_EQ(c.relay_fingerprint, "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(c.trust_new_identities, TrustPolicy::kNever);
  EXPECT_EQ(c.device_name, "laptop");
  EXPECT_EQ(c.data_dir, "/var/tmp/sotto");
  EXPECT_EQ(c.socket, "/run/user/1000/sotto/msgd.sock");
}

std::string error_of(const std::string& yaml) {
  try {
    parse_msgd_config(yaml, "msgd.yaml");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(MsgdConfig, BadValuesNameTheirPlace) {
  EXPECT_NE(error_of("relay: not a host port\n").find("msgd.yaml:1:"), std::string::npos);
  EXPECT_NE(error_of("relay: h:99999\n").find("msgd.yaml:1:"), std::string::npos);
  EXPECT_NE(error_of("trust_new_identities: sometimes\n").find("msgd.yaml:1:"), std::string::npos);
  EXPECT_NE(error_of("relay_fingerprint: md5:abcd\n").find("sha256:"), std::string::npos);
  EXPECT_NE(error_of("relay_fingerprint: sha256:" + std::string(63, 'a') + "\n").find("64 hex"), std::string::npos);
  EXPECT_NE(error_of("relay_fingerprint: sha256:" + std::string(64, 'z') + "\n").find("hex"), std::string::npos);
  EXPECT_NE(error_of("data_dir: relative/path\n").find("msgd.yaml:1:"), std::string::npos);
  EXPECT_NE(error_of("relya: h:1\n").find("relya"), std::string::npos) << "unknown keys are refused";
  EXPECT_NE(error_of("device_name: " + std::string(100, 'x') + "\n").find("msgd.yaml:1:"), std::string::npos);
  EXPECT_NE(error_of("- a\n- b\n"), "") << "not a mapping";
  EXPECT_NE(error_of("max_file_size: 0\n").find("msgd.yaml:1:"), std::string::npos);
  EXPECT_NE(error_of("max_file_size: lots\n").find("msgd.yaml:1:"), std::string::npos);
  EXPECT_NE(error_of("auto_download_max: -1\n").find("msgd.yaml:1:"), std::string::npos);
  EXPECT_NE(error_of("download_dir: Downloads\n").find("msgd.yaml:1:"), std::string::npos);
}

TEST(MsgdConfig, SkippedKeyMaxAgeTakesAnHourToAYear) {
  EXPECT_EQ(parse_msgd_config("skipped_key_max_age: 1h\n", "msgd.yaml").skipped_key_max_age, std::chrono::hours(1));
  EXPECT_EQ(parse_msgd_config("skipped_key_max_age: 365d\n", "msgd.yaml").skipped_key_max_age, std::chrono::days(365));
  EXPECT_EQ(parse_msgd_config("skipped_key_max_age: 90m\n", "msgd.yaml").skipped_key_max_age, std::chrono::minutes(90));
  // Stored times have whole seconds; a millisecond remainder is dropped.
  EXPECT_EQ(parse_msgd_config("skipped_key_max_age: 3600001ms\n", "msgd.yaml").skipped_key_max_age,
            std::chrono::hours(1));
}

TEST(MsgdConfig, MalformedOrOutOfRangeSkippedKeyMaxAgesNameTheirPlace) {
  for (const char* value :
       {"59m", "3599999ms", "0s", "366d", "8761h", "30", "1.5d", "-1d", "30 d", "1d12h", "forever", "\"\""}) {
    const std::string error = error_of("device_name: laptop\nskipped_key_max_age: " + std::string(value) + "\n");
    EXPECT_NE(error.find("msgd.yaml:2:"), std::string::npos) << value << " gave: " << error;
    EXPECT_NE(error.find("skipped_key_max_age"), std::string::npos) << value << " gave: " << error;
  }
}

TEST(MsgdConfig, GroupLimitsTakeTheirRanges) {
  const MsgdConfig defaults;
  EXPECT_EQ(defaults.group_max_members, 1000u);
  EXPECT_EQ(defaults.max_groups, 500u);
  const MsgdConfig c = parse_msgd_config("group_max_members: 2\nmax_groups: 100000\n", "msgd.yaml");
  EXPECT_EQ(c.group_max_members, 2u);
  EXPECT_EQ(c.max_groups, 100000u);
  for (const char* line : {"group_max_members: 1", "group_max_members: 1001", "group_max_members: -5",
                           "group_max_members: many", "max_groups: 0", "max_groups: 100001", "max_groups: \"10\""}) {
    const std::string error = error_of("device_name: laptop\n" + std::string(line) + "\n");
    EXPECT_NE(error.find("msgd.yaml:2:"), std::string::npos) << line << " gave: " << error;
    const std::string key(line, std::string_view(line).find(':'));
    EXPECT_NE(error.find(key), std::string::npos) << line << " gave: " << error;
  }
}

}  // namespace
}  // namespace sotto::msgd
