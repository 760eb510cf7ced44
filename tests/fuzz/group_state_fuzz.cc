// A group's state arrives from other members inside group updates, and comes
// back from msgd's own database. Properties: parsing never crashes and either
// refuses with GroupStateError or yields a state that encodes back to exactly
// the input, whose hash is the SHA-256 of the input, that the update rules
// take as already known when it arrives again, and that they take from one of
// its admins as an invite, from a member as that member's leaving and from
// nobody else. The same bytes read as a name or a hex id never crash the
// checks either, and an accepted id prints back as the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/service/group_state.h"
#include "lib/crypto/sha256.h"

namespace {

using sotto::msgd::GroupState;
using sotto::msgd::UpdateVerdict;

void check_rules(const GroupState& s) {
  using sotto::msgd::check_group_update;
  const std::string& first = s.members.front();
  if (check_group_update(&s, true, s, first, first).verdict != UpdateVerdict::kKnown) std::abort();
  // Someone who is no member (usernames never hold '#') changes nothing.
  if (check_group_update(nullptr, false, s, "#outsider", first).verdict != UpdateVerdict::kRefuse) std::abort();
  if (s.epoch == UINT64_MAX) return;
  GroupState later = s;
  ++later.epoch;
  if (check_group_update(&s, true, later, "#outsider", first).verdict != UpdateVerdict::kRefuse) std::abort();
  // A replay of s once later is held.
  if (check_group_update(&later, true, s, first, first).verdict != UpdateVerdict::kRefuse) std::abort();
  for (const auto& admin : s.admins) {
    if (check_group_update(nullptr, false, s, admin, first).verdict != UpdateVerdict::kApply) std::abort();
    if (check_group_update(&s, true, later, admin, first).verdict != UpdateVerdict::kApply) std::abort();
  }
  if (s.members.size() < 2) return;
  const std::string& leaver = s.members.back();
  GroupState left = later;
  left.members.pop_back();
  std::erase(left.admins, leaver);
  if (check_group_update(&s, true, left, leaver, first).verdict != UpdateVerdict::kApply) std::abort();
  if (!s.is_admin(leaver)) {
    if (check_group_update(&s, true, later, leaver, first).verdict != UpdateVerdict::kRefuse) std::abort();
    if (check_group_update(nullptr, false, s, leaver, first).verdict != UpdateVerdict::kRefuse) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sotto::msgd;  // NOLINT(google-build-using-namespace): a fuzz target's entry point
  const sotto::crypto::ByteView input(data, size);
  const sotto::crypto::Bytes bytes(data, data + size);
  try {
    const GroupState s = parse_group_state(input);
    if (encode_group_state(s) != bytes) std::abort();
    if (group_state_hash(s) != sotto::crypto::sha256(input)) std::abort();
    if (group_name_problem(s.name)) std::abort();
    for (const auto& admin : s.admins) {
      if (!s.has_member(admin)) std::abort();
    }
    check_rules(s);
  } catch (const GroupStateError&) {
  }

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto problem = group_name_problem(text)) {
    if (problem->empty()) std::abort();
  }
  if (auto id = group_id_from_hex(text)) {
    if (group_id_hex(*id) != text) std::abort();
  }
  return 0;
}
