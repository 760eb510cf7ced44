#include "relayd/store/postgres_uri.h"

#include <array>
#include <utility>

namespace sotto::relayd {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kTimeouts{{
    {"connect_timeout", "10"},      // seconds, the whole connection set-up
    {"keepalives", "1"},            //
    {"keepalives_idle", "10"},      // seconds of silence before the first probe
    {"keepalives_interval", "5"},   // seconds between probes
    {"keepalives_count", "3"},      // probes unanswered before the connection is dead
    {"tcp_user_timeout", "30000"},  // ms that sent data may stay unacknowledged
}};

bool has_parameter(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto end = query.find('&');
    const std::string_view item = query.substr(0, end);
    if (item.substr(0, item.find('=')) == key) return true;
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  return false;
}

}  // namespace

std::string with_connection_timeouts(std::string_view uri) {
  std::string result(uri);
  const auto question = result.find('?');
  const std::string query = question == std::string::npos ? std::string() : result.substr(question + 1);
  char separator = question == std::string::npos ? '?' : (query.empty() || query.back() == '&' ? '\0' : '&');
  for (const auto& [key, value] : kTimeouts) {
    if (has_parameter(query, key)) continue;
    if (separator != '\0') result += separator;
    result.append(key).append("=").append(value);
    separator = '&';
  }
  return result;
}

}  // namespace sotto::relayd
