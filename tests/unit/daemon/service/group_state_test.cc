#include "daemon/service/group_state.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lib/crypto/sha256.h"

namespace sotto::msgd {
namespace {

constexpr crypto::GroupId kGroupId{0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                   0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

GroupState make_state(std::vector<std::string> members, std::vector<std::string> admins, std::uint64_t epoch = 1,
                      std::string name = "Team") {
  GroupState s;
  s.id = kGroupId;
  s.epoch = epoch;
  s.name = std::move(name);
  s.members = std::move(members);
  s.admins = std::move(admins);
  return s;
}

// The format written out by hand from the header's description, independent
// of encode_group_state, so that hostile variants (bad role bytes, unsorted
// members, any name) can be made and the encoder is checked against it.
struct RawMember {
  std::string name;
  std::uint8_t role = 0;
};

crypto::Bytes raw_state(std::string_view name, const std::vector<RawMember>& members, std::uint64_t epoch = 1,
                        std::uint8_t version = 1) {
  // Built as a string: g++ 12 at -O2 reports a false -Warray-bounds for
  // std::vector<std::uint8_t>::insert right after a push_back.
  std::string out(1, static_cast<char>(version));
  out.append(reinterpret_cast<const char*>(kGroupId.data()), kGroupId.size());
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>(epoch >> shift);
  out += static_cast<char>(name.size());
  out.append(name);
  out += static_cast<char>(members.size() >> 8);
  out += static_cast<char>(members.size());
  for (const auto& m : members) {
    out += static_cast<char>(m.name.size());
    out.append(m.name);
    out += static_cast<char>(m.role);
  }
  return crypto::Bytes(out.begin(), out.end());
}

// Sorted usernames user0000, user0001, ...
std::vector<RawMember> numbered_members(std::size_t count) {
  std::vector<RawMember> out;
  for (std::size_t i = 0; i < count; ++i) {
    std::string name = std::to_string(i);
    out.push_back({"user" + std::string(4 - name.size(), '0') + name, i == 0 ? std::uint8_t{1} : std::uint8_t{0}});
  }
  return out;
}

void expect_refused(const crypto::Bytes& bytes, const std::string& what) {
  EXPECT_THROW(parse_group_state(bytes), GroupStateError) << what;
}

TEST(GroupState, EncodesExactlyAsDocumentedAndRoundTrips) {
  const GroupState one = make_state({"alice"}, {"alice"}, 1, "x");
  EXPECT_EQ(encode_group_state(one), raw_state("x", {{"alice", 1}}));

  const GroupState three =
      make_state({"alice", "bob", "carol"}, {"alice", "carol"}, 0x0102030405060708ULL, "Équipe ✓ 日本");
  const crypto::Bytes bytes = encode_group_state(three);
  EXPECT_EQ(bytes, raw_state("Équipe ✓ 日本", {{"alice", 1}, {"bob", 0}, {"carol", 1}}, 0x0102030405060708ULL));
  const GroupState back = parse_group_state(bytes);
  EXPECT_EQ(back, three);
  EXPECT_TRUE(back.has_member("bob"));
  EXPECT_FALSE(back.has_member("dave"));
  EXPECT_TRUE(back.is_admin("carol"));
  EXPECT_FALSE(back.is_admin("bob"));
  EXPECT_EQ(encode_group_state(back), bytes);
}

TEST(GroupState, ThousandMembersRoundTripAndOneMoreIsRefused) {
  const crypto::Bytes most = raw_state("big", numbered_members(kMaxGroupMembers));
  const GroupState state = parse_group_state(most);
  EXPECT_EQ(state.members.size(), kMaxGroupMembers);
  EXPECT_EQ(state.admins, std::vector<std::string>{"user0000"});
  EXPECT_EQ(encode_group_state(state), most);

  expect_refused(raw_state("big", numbered_members(kMaxGroupMembers + 1)), "1001 members");
  GroupState too_many = state;
  too_many.members.push_back("user9999");
  EXPECT_THROW(encode_group_state(too_many), GroupStateError);
}

TEST(GroupState, HashIsSha256OfTheEncodingAndChangesWithEveryField) {
  const GroupState base = make_state({"alice", "bob"}, {"alice"}, 3, "Team");
  EXPECT_EQ(group_state_hash(base), crypto::sha256(encode_group_state(base)));

  const std::vector<std::function<void(GroupState&)>> changes = {
      [](GroupState& s) { s.id[15] ^= 1; },
      [](GroupState& s) { s.epoch = 4; },
      [](GroupState& s) { s.name = "Teams"; },
      [](GroupState& s) {
        s.members = {"alice", "bob", "carol"};
      },
      [](GroupState& s) {
        s.members = {"alice", "bobby"};
      },
      [](GroupState& s) {
        s.admins = {"alice", "bob"};
      },
      [](GroupState& s) { s.admins = {}; },
  };
  std::vector<crypto::Sha256Digest> seen{group_state_hash(base)};
  for (std::size_t i = 0; i < changes.size(); ++i) {
    GroupState changed = base;
    changes[i](changed);
    const crypto::Sha256Digest hash = group_state_hash(changed);
    for (const auto& other : seen) EXPECT_NE(hash, other) << "change " << i;
    seen.push_back(hash);
  }
}

TEST(GroupState, EveryTruncationAndATrailingByteAreRefused) {
  const crypto::Bytes good = raw_state("Équipe", {{"alice", 1}, {"bob", 0}, {"carol", 1}});
  ASSERT_NO_THROW(parse_group_state(good));
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_THROW(parse_group_state(crypto::ByteView(good).first(n)), GroupStateError) << n;
  }
  crypto::Bytes longer = good;
  longer.push_back(0);
  expect_refused(longer, "a trailing byte");
}

TEST(GroupState, UnknownVersionAndEpochZeroAreRefused) {
  for (const std::uint8_t version : {0, 2, 0xff}) {
    expect_refused(raw_state("x", {{"alice", 1}}, 1, version), "version " + std::to_string(version));
  }
  expect_refused(raw_state("x", {{"alice", 1}}, 0), "epoch 0");
  EXPECT_NO_THROW(parse_group_state(raw_state("x", {{"alice", 1}}, UINT64_MAX)));
  EXPECT_THROW(encode_group_state(make_state({"alice"}, {"alice"}, 0)), GroupStateError);
}

TEST(GroupState, NamesTheFormatRefusesAreRefusedByParseAndEncode) {
  const std::vector<std::string> bad = {
      "",
      std::string(kMaxGroupNameBytes + 1, 'n'),
      "a\nb",
      "a\rb",
      "a\tb",
      std::string("a\0b", 3),
      "a\x1b[31mb",
      "a\x7f",
      "a\xc2\x85",      // NEL
      "a\xc2\x9b",      // C1 CSI
      "a\xef\xbf\xbe",  // U+FFFE
      "a\xff",
      "a\xe2\x82",      // truncated sequence
      "a\xc0\xaf",      // overlong '/'
      "a\xed\xa0\x80",  // surrogate
      "@team",
      "#team",
      " team",
      "team ",
  };
  for (const auto& name : bad) {
    expect_refused(raw_state(name, {{"alice", 1}}), "name of " + std::to_string(name.size()) + " bytes");
    EXPECT_THROW(encode_group_state(make_state({"alice"}, {"alice"}, 1, name)), GroupStateError);
  }
}

TEST(GroupState, MembersMustBeSortedUniqueCanonicalWithKnownRoles) {
  expect_refused(raw_state("x", {{"bob", 0}, {"alice", 1}}), "unsorted");
  expect_refused(raw_state("x", {{"alice", 1}, {"alice", 1}}), "repeated");
  expect_refused(raw_state("x", {{"alice", 1}, {"alice", 0}}), "repeated with another role");
  expect_refused(raw_state("x", {{"alice", 2}}), "role 2");
  expect_refused(raw_state("x", {{"alice", 0xff}}), "role 255");
  expect_refused(raw_state("x", {}), "no members");
  for (const std::string& name :
       std::vector<std::string>{"Alice", "al ice", "", "ab", "-alice", "al/ice", "al\xc3\xa9", std::string(33, 'a')}) {
    expect_refused(raw_state("x", {{name, 0}}), "member '" + name + "'");
    EXPECT_THROW(encode_group_state(make_state({name}, {})), GroupStateError) << name;
  }
  // A group with no admin left (its last admin left) is a valid state.
  EXPECT_NO_THROW(parse_group_state(raw_state("x", {{"alice", 0}, {"bob", 0}})));
}

TEST(GroupState, EncodeRefusesAdminsThatAreNotMembersOrNotSorted) {
  EXPECT_THROW(encode_group_state(make_state({"alice", "bob"}, {"carol"})), GroupStateError);
  EXPECT_THROW(encode_group_state(make_state({"alice", "bob"}, {"bob", "alice"})), GroupStateError);
  EXPECT_THROW(encode_group_state(make_state({"alice", "bob"}, {"bob", "bob"})), GroupStateError);
  EXPECT_THROW(encode_group_state(make_state({"bob", "alice"}, {})), GroupStateError);
  EXPECT_THROW(encode_group_state(make_state({}, {})), GroupStateError);
}

TEST(GroupNameProblem, AcceptsPrintableUtf8AndRefusesTheRest) {
  for (const std::string good : {"x", "Team", "two words", "a@b", "a#b", "Équipe ✓", "日本語のグループ", "a\u00a0b"}) {
    EXPECT_EQ(group_name_problem(good), std::nullopt) << good;
  }
  // 64 bytes of two-byte characters is the longest name; one more byte is not.
  std::string longest;
  for (int i = 0; i < 32; ++i) longest += "é";
  EXPECT_EQ(group_name_problem(longest), std::nullopt);
  EXPECT_NE(group_name_problem(longest + "a"), std::nullopt);
  // Characters that reorder or break the text around a name are refused
  // (msgctl refuses them too), though they are printable.
  for (const char* name : {"a\u202eb", "a\u2066b", "a\u200fb", "a\u061cb", "a\u2028b", "a\u2029b"}) {
    EXPECT_NE(group_name_problem(name), std::nullopt) << name;
  }
  EXPECT_EQ(group_name_problem("a\u2010b"), std::nullopt);  // a hyphen next to them is fine

  EXPECT_NE(group_name_problem(""), std::nullopt);
  EXPECT_NE(group_name_problem(std::string(65, 'n')), std::nullopt);
  EXPECT_NE(group_name_problem("a\nb"), std::nullopt);
  EXPECT_NE(group_name_problem("a\tb"), std::nullopt);
  EXPECT_NE(group_name_problem("a\rb"), std::nullopt);
  EXPECT_NE(group_name_problem("a\x01"), std::nullopt);
  EXPECT_NE(group_name_problem("a\x7f"), std::nullopt);
  EXPECT_NE(group_name_problem("a\xc2\x85"), std::nullopt);
  EXPECT_NE(group_name_problem("a\xff"), std::nullopt);
  EXPECT_NE(group_name_problem("@team"), std::nullopt);
  EXPECT_NE(group_name_problem("#team"), std::nullopt);
  EXPECT_NE(group_name_problem(" team"), std::nullopt);
  EXPECT_NE(group_name_problem("team "), std::nullopt);
  EXPECT_NE(group_name_problem(" "), std::nullopt);
}

TEST(GroupNameProblem, NeverRepeatsTheName) {
  const auto problem = group_name_problem("@\x1b[2Jwipe");
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->find("wipe"), std::string::npos) << *problem;
  EXPECT_EQ(problem->find('\x1b'), std::string::npos);
}

TEST(GroupId, HexRoundTripsAndOnlyLowerCaseHexOfTheRightLengthIsAccepted) {
  const std::string hex = group_id_hex(kGroupId);
  EXPECT_EQ(hex, "101112131415161718191a1b1c1d1e1f");
  EXPECT_EQ(hex.size(), kGroupIdHexSize);
  EXPECT_EQ(group_id_from_hex(hex), kGroupId);
  EXPECT_EQ(group_id_from_hex(std::string(32, '0')), crypto::GroupId{});

  EXPECT_EQ(group_id_from_hex(""), std::nullopt);
  EXPECT_EQ(group_id_from_hex(hex.substr(1)), std::nullopt);
  EXPECT_EQ(group_id_from_hex(hex + "0"), std::nullopt);
  EXPECT_EQ(group_id_from_hex("101112131415161718191A1B1C1D1E1F"), std::nullopt);
  EXPECT_EQ(group_id_from_hex("101112131415161718191a1b1c1d1e1g"), std::nullopt);
  EXPECT_EQ(group_id_from_hex("#01112131415161718191a1b1c1d1e1f"), std::nullopt);
  EXPECT_EQ(group_id_from_hex(" 01112131415161718191a1b1c1d1e1f"), std::nullopt);
  EXPECT_EQ(group_id_from_hex(std::string("1011121314151617\0"
                                          "8191a1b1c1d1e1f",
                                          32)),
            std::nullopt);
}

TEST(GroupId, ConversationKeyIsHashAndHexAndNeverAUsername) {
  EXPECT_EQ(group_conversation(kGroupId), "#101112131415161718191a1b1c1d1e1f");
  EXPECT_TRUE(is_group_conversation(group_conversation(kGroupId)));
  EXPECT_FALSE(is_group_conversation("alice"));
  EXPECT_FALSE(is_group_conversation(""));
  EXPECT_FALSE(is_group_conversation("a#b"));
}

// check_group_update. carol is "me" throughout; alice is an admin.

UpdateVerdict verdict(const GroupState* current, bool member, const GroupState& proposed, std::string_view from,
                      std::string_view me = "carol") {
  const UpdateCheck check = check_group_update(current, member, proposed, from, me);
  EXPECT_EQ(check.verdict == UpdateVerdict::kRefuse, !check.why.empty()) << check.why;
  return check.verdict;
}

// The first renaming of `state` (at the same epoch) whose hash is larger, or
// smaller, than `than`'s: each concurrent-change case then fails or passes
// for the reason it is about, not for the order of two hashes.
GroupState renamed_with_hash(GroupState state, const GroupState& than, bool larger) {
  const crypto::Sha256Digest reference = group_state_hash(than);
  for (int i = 0;; ++i) {
    state.name = "variant " + std::to_string(i);
    if ((group_state_hash(state) > reference) == larger && state != than) return state;
  }
}

TEST(GroupUpdate, AnInviteIsTakenOnlyFromAnAdminAndOnlyIfItNamesMe) {
  const GroupState invite = make_state({"alice", "bob", "carol"}, {"alice"}, 5);
  EXPECT_EQ(verdict(nullptr, false, invite, "alice"), UpdateVerdict::kApply);
  EXPECT_EQ(verdict(nullptr, false, invite, "bob"), UpdateVerdict::kRefuse) << "bob is not an admin";
  EXPECT_EQ(verdict(nullptr, false, invite, "dave"), UpdateVerdict::kRefuse) << "dave is not in it";
  const GroupState without_me = make_state({"alice", "bob"}, {"alice"}, 5);
  EXPECT_EQ(verdict(nullptr, false, without_me, "alice"), UpdateVerdict::kRefuse);
}

TEST(GroupUpdate, ALaterEpochIsTakenFromAnAdminOfTheCurrentState) {
  const GroupState current = make_state({"alice", "bob", "carol"}, {"alice"}, 5);
  const GroupState added = make_state({"alice", "bob", "carol", "dave"}, {"alice"}, 6);
  EXPECT_EQ(verdict(&current, true, added, "alice"), UpdateVerdict::kApply);
  const GroupState skipped = make_state({"alice", "bob", "carol", "dave"}, {"alice"}, 9);
  EXPECT_EQ(verdict(&current, true, skipped, "alice"), UpdateVerdict::kApply) << "updates in between may be lost";
  const GroupState me_removed = make_state({"alice", "bob"}, {"alice"}, 6);
  EXPECT_EQ(verdict(&current, true, me_removed, "alice"), UpdateVerdict::kApply);

  EXPECT_EQ(verdict(&current, true, added, "bob"), UpdateVerdict::kRefuse) << "bob is not an admin";
  EXPECT_EQ(verdict(&current, true, added, "dave"), UpdateVerdict::kRefuse) << "dave is not even a member";
  // An admin only in the proposed state made itself one.
  const GroupState bob_promoted = make_state({"alice", "bob", "carol"}, {"alice", "bob"}, 6);
  EXPECT_EQ(verdict(&current, true, bob_promoted, "bob"), UpdateVerdict::kRefuse);
}

TEST(GroupUpdate, AnEarlierEpochIsAReplayAndTheSameStateIsKnown) {
  const GroupState current = make_state({"alice", "bob", "carol"}, {"alice"}, 5);
  const GroupState older = make_state({"alice", "carol"}, {"alice"}, 4);
  EXPECT_EQ(verdict(&current, true, older, "alice"), UpdateVerdict::kRefuse);
  EXPECT_EQ(verdict(&current, true, current, "alice"), UpdateVerdict::kKnown);
  EXPECT_EQ(verdict(&current, true, current, "bob"), UpdateVerdict::kKnown);
}

TEST(GroupUpdate, AnUpdateForAnotherGroupIsRefused) {
  const GroupState current = make_state({"alice", "bob", "carol"}, {"alice"}, 5);
  GroupState other = make_state({"alice", "bob", "carol"}, {"alice"}, 6);
  other.id[0] ^= 1;
  EXPECT_EQ(verdict(&current, true, other, "alice"), UpdateVerdict::kRefuse);
  EXPECT_EQ(verdict(&current, false, other, "alice"), UpdateVerdict::kRefuse);
}

TEST(GroupUpdate, TwoAdminsChangingTheSameEpochSettleOnTheLargerHash) {
  const GroupState current = make_state({"alice", "bob", "carol", "erin"}, {"alice", "bob"}, 5);
  const GroupState larger = renamed_with_hash(current, current, true);
  const GroupState smaller = renamed_with_hash(current, current, false);
  EXPECT_EQ(verdict(&current, true, larger, "bob"), UpdateVerdict::kApply);
  EXPECT_EQ(verdict(&current, true, smaller, "bob"), UpdateVerdict::kRefuse);
  // Whatever the order of arrival, both members end on `larger`.
  EXPECT_EQ(verdict(&larger, true, current, "alice"), UpdateVerdict::kRefuse);

  EXPECT_EQ(verdict(&current, true, larger, "erin"), UpdateVerdict::kRefuse) << "erin is not an admin";
}

TEST(GroupUpdate, AConcurrentChangeNeedsASenderWhoIsAdminOfBothStates) {
  const GroupState current = make_state({"alice", "bob", "carol", "erin"}, {"alice", "bob"}, 5);
  // bob demoted in the proposed state (at the same epoch, with a larger hash).
  GroupState demoted = current;
  demoted.admins = {"alice"};
  demoted = renamed_with_hash(demoted, current, true);
  EXPECT_EQ(verdict(&current, true, demoted, "bob"), UpdateVerdict::kRefuse);
  EXPECT_EQ(verdict(&current, true, demoted, "alice"), UpdateVerdict::kApply);
  // erin promoted only in the proposed state.
  GroupState promoted = current;
  promoted.admins = {"alice", "bob", "erin"};
  promoted = renamed_with_hash(promoted, current, true);
  EXPECT_EQ(verdict(&current, true, promoted, "erin"), UpdateVerdict::kRefuse);
  EXPECT_EQ(verdict(&current, true, promoted, "alice"), UpdateVerdict::kApply);
}

TEST(GroupUpdate, AMemberMayLeaveOneEpochOnAndChangeNothingElse) {
  const GroupState current = make_state({"alice", "bob", "carol", "erin"}, {"alice"}, 5);
  const GroupState left = make_state({"alice", "carol", "erin"}, {"alice"}, 6);
  EXPECT_EQ(verdict(&current, true, left, "bob"), UpdateVerdict::kApply);

  EXPECT_EQ(verdict(&current, true, left, "erin"), UpdateVerdict::kRefuse) << "erin removing bob";
  EXPECT_EQ(verdict(&current, true, make_state({"alice", "carol", "erin"}, {"alice"}, 7), "bob"),
            UpdateVerdict::kRefuse)
      << "skips an epoch";
  EXPECT_EQ(verdict(&current, true, make_state({"alice", "carol", "erin"}, {"alice"}, 6, "Renamed"), "bob"),
            UpdateVerdict::kRefuse)
      << "also renames";
  EXPECT_EQ(verdict(&current, true, make_state({"alice", "carol"}, {"alice"}, 6), "bob"), UpdateVerdict::kRefuse)
      << "also removes erin";
  EXPECT_EQ(verdict(&current, true, make_state({"alice", "carol", "dave", "erin"}, {"alice"}, 6), "bob"),
            UpdateVerdict::kRefuse)
      << "also adds dave";
  EXPECT_EQ(verdict(&current, true, make_state({"alice", "carol", "erin"}, {"alice", "erin"}, 6), "bob"),
            UpdateVerdict::kRefuse)
      << "also promotes erin";
  EXPECT_EQ(verdict(&current, true, make_state({"alice", "bob", "carol", "erin"}, {"alice"}, 6), "dave"),
            UpdateVerdict::kRefuse)
      << "dave, not a member, 'leaving'";
}

TEST(GroupUpdate, AnAdminLeavesAsBothMemberAndAdmin) {
  const GroupState current = make_state({"alice", "bob", "carol"}, {"alice", "bob"}, 5);
  // An admin may make any change, leaving included.
  EXPECT_EQ(verdict(&current, true, make_state({"alice", "carol"}, {"alice"}, 6), "bob"), UpdateVerdict::kApply);
  // The last admin leaving leaves a group without admins.
  const GroupState one_admin = make_state({"alice", "bob", "carol"}, {"alice"}, 5);
  EXPECT_EQ(verdict(&one_admin, true, make_state({"bob", "carol"}, {}, 6), "alice"), UpdateVerdict::kApply);
}

TEST(GroupUpdate, ARemovedMemberCanBeAddedBackOnlyAtALaterEpoch) {
  // What carol holds after alice removed her at epoch 6.
  const GroupState removed = make_state({"alice", "bob"}, {"alice"}, 6);
  const GroupState back = make_state({"alice", "bob", "carol"}, {"alice"}, 7);
  EXPECT_EQ(verdict(&removed, false, back, "alice"), UpdateVerdict::kApply);
  EXPECT_EQ(verdict(&removed, false, back, "bob"), UpdateVerdict::kRefuse) << "bob is not an admin";

  const GroupState before_removal = make_state({"alice", "bob", "carol"}, {"alice"}, 5);
  EXPECT_EQ(verdict(&removed, false, before_removal, "alice"), UpdateVerdict::kRefuse) << "a replay";
  const GroupState same_epoch = make_state({"alice", "bob", "carol"}, {"alice"}, 6);
  EXPECT_EQ(verdict(&removed, false, same_epoch, "alice"), UpdateVerdict::kRefuse);

  // Later changes among the others are none of carol's business.
  const GroupState later = make_state({"alice", "bob", "dave"}, {"alice"}, 8);
  EXPECT_EQ(verdict(&removed, false, later, "alice"), UpdateVerdict::kKnown);
  EXPECT_EQ(verdict(&removed, false, later, "bob"), UpdateVerdict::kKnown);
}

}  // namespace
}  // namespace sotto::msgd
