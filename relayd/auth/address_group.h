#pragma once

#include <string>
#include <string_view>

namespace sotto::relayd {

// The unit that per-source limits count (connection caps, per-address rate
// limits), from a peer address in text form without a port:
// - IPv4: the address itself ("203.0.113.7").
// - IPv6: its /64 prefix ("2001:db8:1:2::/64"). A /64 is the standard subnet
//   size (RFC 7421) and what one customer or host is typically given, so a
//   single machine can pick from 2^64 addresses; counting them one by one
//   (OpenSSH's default PerSourceNetBlockSize of /128) would make the cap
//   useless against IPv6 clients.
// - IPv4-mapped IPv6 ("::ffff:203.0.113.7", what a dual-stack socket reports
//   for IPv4 peers): the IPv4 address, so both spellings share one count.
// Surrounding brackets and a zone ("%eth0") are ignored. Anything that is not
// an IP address (a Unix socket peer in tests, say) is returned unchanged.
std::string source_group(std::string_view address);

}  // namespace sotto::relayd
