#include "daemon/service/group_state.h"

#include <algorithm>

#include "lib/config/utf8.h"
#include "lib/crypto/byte_codec.h"
#include "lib/crypto/error.h"
#include "lib/wire/username.h"

namespace sotto::msgd {
namespace {

constexpr std::uint8_t kRoleMember = 0;
constexpr std::uint8_t kRoleAdmin = 1;

bool sorted_contains(const std::vector<std::string>& names, std::string_view name) {
  return std::binary_search(names.begin(), names.end(), name, std::less<>());
}

bool strictly_increasing(const std::vector<std::string>& names) {
  return std::adjacent_find(names.begin(), names.end(), [](const auto& a, const auto& b) { return !(a < b); }) ==
         names.end();
}

// The checks both encoding and parsing make, so that no state this module
// produces or accepts breaks them.
void check_state(const GroupState& state) {
  if (state.epoch == 0) throw GroupStateError("group state: epoch 0");
  if (auto problem = group_name_problem(state.name)) throw GroupStateError("group state: " + *problem);
  if (state.members.empty() || state.members.size() > kMaxGroupMembers) {
    throw GroupStateError("group state: member count out of range (1-1000)");
  }
  if (!strictly_increasing(state.members)) throw GroupStateError("group state: members not sorted or repeated");
  if (!strictly_increasing(state.admins)) throw GroupStateError("group state: admins not sorted or repeated");
  for (const auto& member : state.members) {
    const auto canonical = wire::canonical_username(member);
    if (!canonical || canonical.value() != member) throw GroupStateError("group state: a member name is not valid");
  }
  for (const auto& admin : state.admins) {
    if (!sorted_contains(state.members, admin)) throw GroupStateError("group state: an admin is not a member");
  }
}

}  // namespace

bool GroupState::has_member(std::string_view username) const { return sorted_contains(members, username); }
bool GroupState::is_admin(std::string_view username) const { return sorted_contains(admins, username); }

crypto::Bytes encode_group_state(const GroupState& state) {
  check_state(state);
  std::size_t size = 1 + crypto::kGroupIdSize + 8 + 1 + state.name.size() + 2;
  for (const auto& m : state.members) size += 1 + m.size() + 1;
  crypto::Bytes out(size);
  crypto::ByteWriter w(out);
  auto put_text = [&w](const std::string& text) {
    w.bytes(crypto::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  };
  w.u8(kGroupStateVersion);
  w.bytes(state.id);
  w.u64(state.epoch);
  w.u8(static_cast<std::uint8_t>(state.name.size()));
  put_text(state.name);
  w.u16(static_cast<std::uint16_t>(state.members.size()));
  for (const auto& m : state.members) {
    w.u8(static_cast<std::uint8_t>(m.size()));
    put_text(m);
    w.u8(state.is_admin(m) ? kRoleAdmin : kRoleMember);
  }
  w.expect_full();
  return out;
}

GroupState parse_group_state(crypto::ByteView bytes) {
  GroupState state;
  try {
    crypto::ByteReader r(bytes, "group state");
    if (r.u8("version") != kGroupStateVersion) throw GroupStateError("group state: unknown version");
    r.copy_to(state.id, "group id");
    state.epoch = r.u64("epoch");
    const crypto::ByteView name = r.bytes(r.u8("name length"), "name");
    state.name.assign(reinterpret_cast<const char*>(name.data()), name.size());
    const std::uint16_t count = r.u16("member count");
    if (count == 0 || count > kMaxGroupMembers)
      throw GroupStateError("group state: member count out of range (1-1000)");
    state.members.reserve(count);
    for (std::uint16_t i = 0; i < count; ++i) {
      const crypto::ByteView member = r.bytes(r.u8("username length"), "username");
      state.members.emplace_back(reinterpret_cast<const char*>(member.data()), member.size());
      const std::uint8_t role = r.u8("role");
      if (role == kRoleAdmin) {
        state.admins.push_back(state.members.back());
      } else if (role != kRoleMember) {
        throw GroupStateError("group state: unknown role");
      }
    }
    r.expect_end();
  } catch (const crypto::CryptoError& e) {
    throw GroupStateError(e.what());
  }
  check_state(state);
  return state;
}

crypto::Sha256Digest group_state_hash(const GroupState& state) { return crypto::sha256(encode_group_state(state)); }

std::optional<std::string> group_name_problem(std::string_view name) {
  if (name.empty()) return "the group name is empty";
  if (name.size() > kMaxGroupNameBytes) return "the group name is longer than 64 bytes";
  if (config::find_unprintable(name) || name.find_first_of("\t\r\n") != std::string_view::npos) {
    return "the group name holds a control character or is not UTF-8";
  }
  // A name is shown beside other text in every frontend: characters that
  // reorder or break the text around them have no place in it (msgctl
  // refuses the same).
  for (std::size_t at = 0; at < name.size();) {
    const auto c = config::decode_utf8(name, at);
    if (!c) return "the group name holds a control character or is not UTF-8";
    const char32_t cp = c->code_point;
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
        cp == 0x061C || cp == 0x2028 || cp == 0x2029) {
      return "the group name holds a bidirectional or line-separator control character";
    }
    at += c->length;
  }
  if (name.front() == ' ' || name.back() == ' ') return "the group name starts or ends with a space";
  if (name.front() == '@' || name.front() == '#') return "the group name starts with '@' or '#'";
  return std::nullopt;
}

std::string group_id_hex(const crypto::GroupId& id) { return crypto::to_hex(id); }

std::optional<crypto::GroupId> group_id_from_hex(std::string_view hex) {
  if (hex.size() != kGroupIdHexSize || hex.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return std::nullopt;
  }
  const crypto::Bytes bytes = crypto::from_hex(hex);
  crypto::GroupId id{};
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return id;
}

std::string group_conversation(const crypto::GroupId& id) { return "#" + group_id_hex(id); }

bool is_group_conversation(std::string_view peer) { return !peer.empty() && peer.front() == '#'; }

UpdateCheck check_group_update(const GroupState* current, bool current_member, const GroupState& proposed,
                               std::string_view from, std::string_view me) {
  auto refuse = [](std::string why) { return UpdateCheck{UpdateVerdict::kRefuse, std::move(why)}; };
  if (current != nullptr && current->id != proposed.id) return refuse("the update is for another group");
  if (current == nullptr || !current_member) {
    if (current != nullptr && proposed.epoch <= current->epoch) return refuse("an update from an earlier epoch");
    if (!proposed.has_member(me)) {
      return current == nullptr ? refuse("an update for a group this user is not in")
                                : UpdateCheck{UpdateVerdict::kKnown, {}};
    }
    if (!proposed.is_admin(from)) return refuse("only an admin can add a member");
    return UpdateCheck{UpdateVerdict::kApply, {}};
  }
  if (proposed.epoch < current->epoch) return refuse("an update from an earlier epoch (a replay)");
  if (proposed.epoch == current->epoch) {
    if (proposed == *current) return UpdateCheck{UpdateVerdict::kKnown, {}};
    if (!current->is_admin(from) || !proposed.is_admin(from)) {
      return refuse("a different state for the current epoch from a non-admin");
    }
    // Two admins changed the group at once: the larger hash wins everywhere.
    if (group_state_hash(proposed) > group_state_hash(*current)) return UpdateCheck{UpdateVerdict::kApply, {}};
    return refuse("a concurrent change that lost to the one held");
  }
  if (current->is_admin(from)) return UpdateCheck{UpdateVerdict::kApply, {}};
  // Not an admin: the one change allowed is leaving.
  GroupState without = *current;
  std::erase(without.members, std::string(from));
  std::erase(without.admins, std::string(from));
  without.epoch = current->epoch + 1;
  if (current->has_member(from) && !without.members.empty() && proposed == without) {
    return UpdateCheck{UpdateVerdict::kApply, {}};
  }
  return refuse("a membership change from a member who is not an admin");
}

}  // namespace sotto::msgd
