#include "bench/relay_load/loopback_address.h"

#include <string>

namespace sotto::relay_load {

std::optional<net::asio::ip::address> parse_loopback_address(std::string_view host) {
  boost::system::error_code ec;
  const auto address = net::asio::ip::make_address(std::string(host), ec);
  if (ec) return std::nullopt;
  if (address.is_v4()) {
    // 127.0.0.0/8 is loopback as a whole (RFC 1122 section 3.2.1.3).
    if ((address.to_v4().to_uint() >> 24) != 127) return std::nullopt;
    return address;
  }
  const auto v6 = address.to_v6();
  if (v6.is_loopback()) return address;
  if (v6.is_v4_mapped()) {
    const auto v4 = net::asio::ip::make_address_v4(net::asio::ip::v4_mapped, v6);
    if ((v4.to_uint() >> 24) == 127) return net::asio::ip::address(v4);
  }
  return std::nullopt;
}

}  // namespace sotto::relay_load
