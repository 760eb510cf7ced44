#include "relayd/auth/address_group.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace sotto::relayd {
namespace {

// Longer text cannot be an address (INET6_ADDRSTRLEN is 46 with its NUL, the
// zone is an interface name of at most IFNAMSIZ - 1 = 15 bytes, plus brackets).
constexpr std::size_t kMaxAddressText = 64;
constexpr std::size_t kPrefixBytes = 8;  // /64

std::string ipv4_text(const std::uint8_t* bytes) {
  in_addr v4{};
  std::memcpy(&v4, bytes, sizeof v4);
  std::array<char, INET_ADDRSTRLEN> text{};
  if (inet_ntop(AF_INET, &v4, text.data(), text.size()) == nullptr) return {};
  return text.data();
}

}  // namespace

std::string source_group(std::string_view address) {
  if (address.size() > kMaxAddressText) return std::string(address);
  std::string_view host = address;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (const auto zone = host.find('%'); zone != std::string_view::npos) host = host.substr(0, zone);
  const std::string terminated(host);

  in_addr v4{};
  if (inet_pton(AF_INET, terminated.c_str(), &v4) == 1) {
    std::uint8_t bytes[4];
    std::memcpy(bytes, &v4, sizeof bytes);
    return ipv4_text(bytes);
  }

  in6_addr v6{};
  if (inet_pton(AF_INET6, terminated.c_str(), &v6) != 1) return std::string(address);
  std::uint8_t bytes[16];
  std::memcpy(bytes, &v6, sizeof bytes);

  static constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes, kMappedPrefix, sizeof kMappedPrefix) == 0) return ipv4_text(bytes + 12);

  std::fill(bytes + kPrefixBytes, bytes + sizeof bytes, std::uint8_t{0});
  std::memcpy(&v6, bytes, sizeof bytes);
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (inet_ntop(AF_INET6, &v6, text.data(), text.size()) == nullptr) return std::string(address);
  return std::string(text.data()) + "/64";
}

}  // namespace sotto::relayd
