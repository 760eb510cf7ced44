#include "relayd/config/store_url.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace sotto::relayd {

namespace {

constexpr std::array<std::string_view, 2> kPostgresSchemes{"postgresql://", "postgres://"};

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_postgres(std::string_view url) {
  return std::ranges::any_of(kPostgresSchemes, [&](std::string_view scheme) { return url.starts_with(scheme); });
}

}  // namespace

std::optional<std::string> store_url_problem(std::string_view url) {
  if (url == "sqlite") return std::nullopt;
  if (!is_postgres(url)) {
    return "is neither sqlite nor a PostgreSQL URI (postgresql://USER@HOST:PORT/DATABASE)";
  }
  const std::size_t scheme_end = url.find("://") + 3;
  const std::string_view rest = url.substr(scheme_end);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
    return "holds a password; leave it out and give it to libpq in ~/.pgpass or PGPASSFILE";
  }
  const std::size_t query = rest.find('?');
  if (query != std::string_view::npos) {
    const std::string parameters = "&" + lowercase(rest.substr(query + 1));
    if (parameters.find("&password=") != std::string::npos) {
      return "holds a password parameter; leave it out and give it to libpq in ~/.pgpass or PGPASSFILE";
    }
  }
  return std::nullopt;
}

StoreKind store_kind(std::string_view url) { return is_postgres(url) ? StoreKind::postgres : StoreKind::sqlite; }

}  // namespace sotto::relayd
