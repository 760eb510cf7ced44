#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/crypto/bytes.h"
#include "lib/crypto/sender_key_message.h"
#include "lib/crypto/sha256.h"

namespace sotto::msgd {

// Who is in a group, who runs it, what it is called, and which version of
// that this is (the epoch, +1 on every change). Every member keeps a copy; an
// admin's change travels to each member as a group update over the pairwise
// sessions, which authenticate it, and every group message names the epoch
// and the SHA-256 of the state it was sent under, so a member whose view
// differs from the sender's finds out (docs/security.md, "Groups").
//
// Encoding, version 1 (big-endian), the bytes that are hashed:
//   u8 version (1) | 16 bytes group id | u64 epoch (>= 1) | u8 name length (1-64) | name (UTF-8) |
//   u16 member count (1-1000) | per member, in strictly increasing byte order:
//   u8 username length | username (canonical, lib/wire/username.h) | u8 role (0 member, 1 admin)
struct GroupState {
  crypto::GroupId id{};
  std::uint64_t epoch = 1;
  std::string name;
  std::vector<std::string> members;  // sorted, unique; the admins are among them
  std::vector<std::string> admins;   // sorted, unique

  bool has_member(std::string_view username) const;
  bool is_admin(std::string_view username) const;
  friend bool operator==(const GroupState&, const GroupState&) = default;
};

inline constexpr std::uint8_t kGroupStateVersion = 1;
inline constexpr std::size_t kMaxGroupNameBytes = 64;
// What the format carries: the relay takes at most 1000 recipients per Send
// (lib/wire/limits.h), and a sender is not its own recipient.
inline constexpr std::size_t kMaxGroupMembers = 1000;
// A group is named on the API by its id in hex.
inline constexpr std::size_t kGroupIdHexSize = 2 * crypto::kGroupIdSize;

class GroupStateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throw GroupStateError naming the problem (never repeating hostile bytes).
crypto::Bytes encode_group_state(const GroupState& state);
GroupState parse_group_state(crypto::ByteView bytes);
crypto::Sha256Digest group_state_hash(const GroupState& state);

// Why a group name is refused, or nullopt: 1..64 bytes of printable UTF-8,
// no line breaks or tabs, no bidirectional controls (U+202A-202E,
// U+2066-2069, U+200E, U+200F, U+061C) or line/paragraph separators, no
// space at either end, not starting with '@' or '#' (those mark groups on
// the command line and in conversation keys).
std::optional<std::string> group_name_problem(std::string_view name);

std::string group_id_hex(const crypto::GroupId& id);
std::optional<crypto::GroupId> group_id_from_hex(std::string_view hex);
// The key a group's conversation has in history ("#" + id in hex): '#' is
// never part of a username, so it never collides with a pairwise peer.
std::string group_conversation(const crypto::GroupId& id);
bool is_group_conversation(std::string_view peer);

// What a member does with a group update that `from` sent over their
// pairwise session, given its own copy (nullptr: a group it does not know).
enum class UpdateVerdict {
  kApply,   // a valid change: take it
  kKnown,   // the state already held: nothing to do
  kRefuse,  // not allowed (why says which rule)
};
struct UpdateCheck {
  UpdateVerdict verdict = UpdateVerdict::kRefuse;
  std::string why;
};
// The rules (docs/security.md, "Groups"):
//  - a group not known (or one this member is no longer in): only an admin of
//    the new state, who is in it, can bring the member in, with the member in
//    the new state, at a later epoch than any copy held;
//  - a known group: a later epoch from an admin of the current state; or the
//    sender leaving (the current state less the sender, as a member and as
//    an admin, one epoch on); an earlier epoch is a replay;
//  - the same epoch with another state (two admins changed it at once): the
//    state whose hash is larger wins, if an admin of both sent it, so that
//    every member settles on the same one whatever the order of arrival.
UpdateCheck check_group_update(const GroupState* current, bool current_member, const GroupState& proposed,
                               std::string_view from, std::string_view me);

}  // namespace sotto::msgd
