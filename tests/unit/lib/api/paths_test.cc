#include "lib/api/paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

namespace sotto::api {
namespace {

// Sets or clears environment variables for one test and restores them after.
class PathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kNames) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name, value ? std::optional<std::string>(value) : std::nullopt);
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name, value->c_str(), 1);
      } else {
        ::unsetenv(name);
      }
    }
  }
  static void set(const char* name, const char* value) { ::setenv(name, value, 1); }

 private:
  static constexpr const char* kNames[] = {"XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "HOME"};
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

TEST_F(PathsTest, XdgVariablesWin) {
  set("HOME", "/home/alice");
  set("XDG_RUNTIME_DIR", "/run/user/1000");
  set("XDG_DATA_HOME", "/data");
  set("XDG_CONFIG_HOME", "/config");
  EXPECT_EQ(default_socket_path(), "/run/user/1000/sotto/msgd.sock");
  EXPECT_EQ(default_data_dir(), "/data/sotto");
  EXPECT_EQ(default_msgd_config_path(), "/config/sotto/msgd.yaml");
}

TEST_F(PathsTest, HomeIsTheFallbackForDataAndConfig) {
  set("HOME", "/home/alice");
  EXPECT_EQ(default_data_dir(), "/home/alice/.local/share/sotto");
  EXPECT_EQ(default_msgd_config_path(), "/home/alice/.config/sotto/msgd.yaml");
}

TEST_F(PathsTest, RelativeOrEmptyXdgValuesAreIgnored) {
  // The XDG spec: a relative path in these variables is invalid and ignored.
  set("HOME", "/home/alice");
  set("XDG_DATA_HOME", "relative/data");
  set("XDG_CONFIG_HOME", "");
  EXPECT_EQ(default_data_dir(), "/home/alice/.local/share/sotto");
  EXPECT_EQ(default_msgd_config_path(), "/home/alice/.config/sotto/msgd.yaml");
  set("XDG_RUNTIME_DIR", "run");
  EXPECT_THROW(default_socket_path(), std::runtime_error);
}

TEST_F(PathsTest, NoRuntimeDirMeansNoDefaultSocket) {
  set("HOME", "/home/alice");  // the socket never falls back to HOME: it must live on a private tmpfs
  try {
    default_socket_path();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("XDG_RUNTIME_DIR"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("--socket"), std::string::npos);
  }
}

TEST_F(PathsTest, NothingSetIsAClearError) {
  try {
    default_data_dir();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("XDG_DATA_HOME"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("HOME"), std::string::npos);
  }
  EXPECT_THROW(default_msgd_config_path(), std::runtime_error);
  set("HOME", "not/absolute");
  EXPECT_THROW(default_data_dir(), std::runtime_error);
}

}  // namespace
}  // namespace sotto::api
