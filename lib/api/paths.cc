#include "lib/api/paths.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace sotto::api {
namespace {

std::filesystem::path from_xdg(const char* variable, const char* home_fallback) {
  if (const char* value = std::getenv(variable); value != nullptr && value[0] == '/') return value;
  if (home_fallback != nullptr) {
    if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
      return std::filesystem::path(home) / home_fallback;
    }
  }
  throw std::runtime_error(std::string(variable) + " is not set (and no HOME to fall back on)");
}

}  // namespace

std::filesystem::path default_socket_path() {
  if (const char* value = std::getenv("XDG_RUNTIME_DIR"); value != nullptr && value[0] == '/') {
    return std::filesystem::path(value) / "sotto" / "msgd.sock";
  }
  throw std::runtime_error("XDG_RUNTIME_DIR is not set; give the socket with --socket PATH");
}

std::filesystem::path default_data_dir() { return from_xdg("XDG_DATA_HOME", ".local/share") / "sotto"; }

std::filesystem::path default_msgd_config_path() {
  return from_xdg("XDG_CONFIG_HOME", ".config") / "sotto" / "msgd.yaml";
}

}  // namespace sotto::api
