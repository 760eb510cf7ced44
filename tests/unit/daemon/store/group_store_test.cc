#include "daemon/store/group_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/store/state_database.h"
#include "lib/crypto/random.h"
#include "lib/store/store_error.h"
#include "lib/store/transaction.h"
#include "tests/unit/daemon/store/state_test_support.h"

namespace sotto::msgd {
namespace {

using testing::message_id;
using testing::TempDir;

// Group ids have the same form as message ids: 32 lowercase hex digits.
std::string group_id(unsigned long long n) { return message_id(0xa000 + n); }

GroupRow group_row(unsigned long long n, std::string name, std::uint64_t epoch = 1,
                   GroupStatus status = GroupStatus::kMember) {
  GroupRow row;
  row.id = group_id(n);
  row.name = std::move(name);
  row.epoch = epoch;
  row.state = crypto::random_bytes(100);
  row.state_hash = crypto::random_bytes(32);
  row.status = status;
  row.created_at_ms = 1'790'000'000'000 + static_cast<std::int64_t>(n);
  return row;
}

void expect_same(const GroupRow& a, const GroupRow& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.state_hash, b.state_hash);
  EXPECT_EQ(a.previous_hash, b.previous_hash);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.created_at_ms, b.created_at_ms);
}

std::vector<std::string> ids_of(const std::vector<GroupRow>& rows) {
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  return ids;
}

crypto::SecretBytes secret(std::string_view text) {
  return crypto::SecretBytes(crypto::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

PendingGroupMessage pending_message(const std::string& group, const std::string& sender, unsigned long long id) {
  PendingGroupMessage m;
  m.group_id = group;
  m.sender = sender;
  m.message_id = message_id(id);
  m.envelope = crypto::random_bytes(64);
  m.received_at_ms = 1'790'000'000'000 + static_cast<std::int64_t>(id);
  return m;
}

class MsgdStoreGroups : public ::testing::Test {
 protected:
  TempDir dir_;
  StateDatabase state_{dir_.path()};
  GroupStore groups_{state_.db()};
};

TEST_F(MsgdStoreGroups, SavesFindsAndReplacesAGroup) {
  EXPECT_FALSE(groups_.find(group_id(1)).has_value());
  GroupRow row = group_row(1, "Team", 3);
  groups_.save(row);
  auto found = groups_.find(group_id(1));
  ASSERT_TRUE(found.has_value());
  expect_same(*found, row);
  EXPECT_FALSE(found->previous_hash.has_value());

  GroupRow next = row;
  next.name = "Renamed";
  next.epoch = 4;
  next.state = crypto::random_bytes(120);
  next.previous_hash = row.state_hash;
  next.state_hash = crypto::random_bytes(32);
  next.status = GroupStatus::kRemoved;
  next.created_at_ms = row.created_at_ms + 99;
  groups_.save(next);
  found = groups_.find(group_id(1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->created_at_ms, row.created_at_ms) << "a group is created once";
  next.created_at_ms = row.created_at_ms;
  expect_same(*found, next);
  EXPECT_EQ(groups_.all().size(), 1u);
}

TEST_F(MsgdStoreGroups, ListsAllByNameThenIdAndFindsThemByName) {
  groups_.save(group_row(2, "beta"));
  groups_.save(group_row(3, "alpha"));
  groups_.save(group_row(1, "beta"));
  EXPECT_EQ(ids_of(groups_.all()), (std::vector<std::string>{group_id(3), group_id(1), group_id(2)}));
  EXPECT_EQ(ids_of(groups_.with_name("beta")), (std::vector<std::string>{group_id(1), group_id(2)}));
  EXPECT_EQ(ids_of(groups_.with_name("alpha")), std::vector<std::string>{group_id(3)});
  EXPECT_TRUE(groups_.with_name("Beta").empty());
  EXPECT_TRUE(groups_.with_name("gamma").empty());
}

TEST_F(MsgdStoreGroups, CountsOnlyGroupsThisUserIsStillIn) {
  EXPECT_EQ(groups_.count_member_of(), 0u);
  groups_.save(group_row(1, "a", 1, GroupStatus::kMember));
  groups_.save(group_row(2, "b", 1, GroupStatus::kRemoved));
  groups_.save(group_row(3, "c", 1, GroupStatus::kLeft));
  groups_.save(group_row(4, "d", 1, GroupStatus::kMember));
  EXPECT_EQ(groups_.count_member_of(), 2u);
  EXPECT_EQ(groups_.find(group_id(2))->status, GroupStatus::kRemoved);
  EXPECT_EQ(groups_.find(group_id(3))->status, GroupStatus::kLeft);
  GroupRow left = group_row(1, "a", 2, GroupStatus::kLeft);
  groups_.save(left);
  EXPECT_EQ(groups_.count_member_of(), 1u);
}

TEST_F(MsgdStoreGroups, MalformedRowsAreRefused) {
  GroupRow upper = group_row(1, "x");
  upper.id = std::string(32, 'A');
  EXPECT_THROW(groups_.save(upper), store::StoreError);
  GroupRow short_hash = group_row(1, "x");
  short_hash.state_hash = crypto::random_bytes(31);
  EXPECT_THROW(groups_.save(short_hash), store::StoreError);
  GroupRow epoch_zero = group_row(1, "x", 0);
  EXPECT_THROW(groups_.save(epoch_zero), store::StoreError);
  EXPECT_TRUE(groups_.all().empty());
}

TEST_F(MsgdStoreGroups, OwnChainIsSavedReplacedAndForgottenPerGroup) {
  groups_.save(group_row(1, "a"));
  groups_.save(group_row(2, "b"));
  EXPECT_FALSE(groups_.own_chain(group_id(1)).has_value());

  groups_.save_own_chain(group_id(1), 3, 0xFFFFFFFFu, secret("chain at epoch 3"));
  groups_.save_own_chain(group_id(2), 1, 7, secret("other group"));
  auto chain = groups_.own_chain(group_id(1));
  ASSERT_TRUE(chain.has_value());
  EXPECT_EQ(chain->epoch, 3u);
  EXPECT_EQ(chain->key_id, 0xFFFFFFFFu);
  EXPECT_EQ(chain->state, secret("chain at epoch 3"));

  groups_.save_own_chain(group_id(1), 4, 12, secret("chain at epoch 4"));
  chain = groups_.own_chain(group_id(1));
  ASSERT_TRUE(chain.has_value());
  EXPECT_EQ(chain->epoch, 4u);
  EXPECT_EQ(chain->key_id, 12u);
  EXPECT_EQ(chain->state, secret("chain at epoch 4"));

  groups_.forget_own_chain(group_id(1));
  EXPECT_FALSE(groups_.own_chain(group_id(1)).has_value());
  EXPECT_EQ(groups_.own_chain(group_id(2))->state, secret("other group"));
  // A chain belongs to a group this device knows.
  EXPECT_THROW(groups_.save_own_chain(group_id(9), 1, 1, secret("x")), store::StoreError);
}

TEST_F(MsgdStoreGroups, ReceiversAreKeptPerSenderAndKeyIdAndReplaced) {
  groups_.save(group_row(1, "a"));
  EXPECT_EQ(groups_.receiver(group_id(1), "bob", 5), std::nullopt);
  groups_.save_receiver(group_id(1), "bob", 5, 2, secret("bob 5"));
  groups_.save_receiver(group_id(1), "bob", 6, 3, secret("bob 6"));
  groups_.save_receiver(group_id(1), "carol", 5, 3, secret("carol 5"));
  EXPECT_EQ(groups_.receiver(group_id(1), "bob", 5), secret("bob 5"));
  EXPECT_EQ(groups_.receiver(group_id(1), "bob", 6), secret("bob 6"));
  EXPECT_EQ(groups_.receiver(group_id(1), "carol", 5), secret("carol 5"));
  EXPECT_EQ(groups_.receiver(group_id(1), "carol", 6), std::nullopt);

  groups_.save_receiver(group_id(1), "bob", 5, 2, secret("bob 5, later"));
  EXPECT_EQ(groups_.receiver(group_id(1), "bob", 5), secret("bob 5, later"));
  EXPECT_EQ(groups_.receiver(group_id(1), "carol", 5), secret("carol 5"));
  EXPECT_THROW(groups_.save_receiver(group_id(9), "bob", 5, 2, secret("x")), store::StoreError);
}

TEST_F(MsgdStoreGroups, ReceiversAreTrimmedToTheNewestEpochsOfEachSender) {
  groups_.save(group_row(1, "a"));
  groups_.save_receiver(group_id(1), "carol", 100, 1, secret("carol"));
  // Saved out of order: the trim goes by epoch, not by arrival.
  for (const std::uint64_t epoch : {3, 1, 5, 2, 4}) {
    groups_.save_receiver(group_id(1), "bob", static_cast<std::uint32_t>(10 + epoch), epoch,
                          secret("bob " + std::to_string(epoch)));
  }
  ASSERT_EQ(GroupStore::kMaxChainsPerSender, 4u) << "the loop above saves one more than that";
  EXPECT_EQ(groups_.receiver(group_id(1), "bob", 11), std::nullopt) << "the oldest epoch goes";
  for (const std::uint32_t key : {12, 13, 14, 15}) EXPECT_TRUE(groups_.receiver(group_id(1), "bob", key)) << key;
  EXPECT_EQ(groups_.receiver(group_id(1), "carol", 100), secret("carol")) << "another sender's are not counted";

  // A chain older than all kept ones is not kept either.
  groups_.save_receiver(group_id(1), "bob", 10, 0, secret("bob 0"));
  EXPECT_EQ(groups_.receiver(group_id(1), "bob", 10), std::nullopt);
  EXPECT_TRUE(groups_.receiver(group_id(1), "bob", 12));
}

TEST_F(MsgdStoreGroups, PruneDropsFormerMembersAndOldEpochsOfThatGroupOnly) {
  groups_.save(group_row(1, "a"));
  groups_.save(group_row(2, "b"));
  groups_.save_receiver(group_id(1), "bob", 1, 3, secret("bob 3"));
  groups_.save_receiver(group_id(1), "bob", 2, 4, secret("bob 4"));
  groups_.save_receiver(group_id(1), "carol", 3, 4, secret("carol 4"));
  groups_.save_receiver(group_id(1), "dave", 4, 5, secret("dave 5"));
  groups_.save_receiver(group_id(2), "dave", 4, 1, secret("dave in b"));

  groups_.prune_receivers(group_id(1), {"alice", "bob", "carol"}, 4);
  EXPECT_EQ(groups_.receiver(group_id(1), "bob", 1), std::nullopt) << "epoch 3 < 4";
  EXPECT_EQ(groups_.receiver(group_id(1), "bob", 2), secret("bob 4"));
  EXPECT_EQ(groups_.receiver(group_id(1), "carol", 3), secret("carol 4"));
  EXPECT_EQ(groups_.receiver(group_id(1), "dave", 4), std::nullopt) << "no longer a member";
  EXPECT_EQ(groups_.receiver(group_id(2), "dave", 4), secret("dave in b"));

  groups_.forget_receivers(group_id(1));
  EXPECT_EQ(groups_.receiver(group_id(1), "bob", 2), std::nullopt);
  EXPECT_EQ(groups_.receiver(group_id(1), "carol", 3), std::nullopt);
  EXPECT_EQ(groups_.receiver(group_id(2), "dave", 4), secret("dave in b"));
}

TEST_F(MsgdStoreGroups, KeySentRecordsOnlyTheCurrentChain) {
  groups_.save(group_row(1, "a"));
  groups_.save(group_row(2, "b"));
  EXPECT_FALSE(groups_.key_sent(group_id(1), 7, "bob"));
  groups_.mark_key_sent(group_id(1), 7, "bob");
  groups_.mark_key_sent(group_id(1), 7, "bob");  // twice: a resend
  groups_.mark_key_sent(group_id(1), 7, "carol");
  groups_.mark_key_sent(group_id(2), 7, "bob");
  EXPECT_TRUE(groups_.key_sent(group_id(1), 7, "bob"));
  EXPECT_TRUE(groups_.key_sent(group_id(1), 7, "carol"));
  EXPECT_FALSE(groups_.key_sent(group_id(1), 7, "dave"));
  EXPECT_FALSE(groups_.key_sent(group_id(1), 8, "bob"));

  // A new chain: whoever had the old one has not had this one.
  groups_.mark_key_sent(group_id(1), 8, "carol");
  EXPECT_TRUE(groups_.key_sent(group_id(1), 8, "carol"));
  EXPECT_FALSE(groups_.key_sent(group_id(1), 8, "bob"));
  EXPECT_FALSE(groups_.key_sent(group_id(1), 7, "bob")) << "the old chain's records are gone";
  EXPECT_FALSE(groups_.key_sent(group_id(1), 7, "carol"));
  EXPECT_TRUE(groups_.key_sent(group_id(2), 7, "bob")) << "another group's records stay";
}

TEST_F(MsgdStoreGroups, PendingMessagesComeBackInArrivalOrderOnceEach) {
  groups_.save(group_row(1, "a"));
  groups_.save(group_row(2, "b"));
  EXPECT_TRUE(groups_.pending(group_id(1)).empty());
  const auto first = pending_message(group_id(1), "bob", 30);
  const auto second = pending_message(group_id(1), "carol", 10);
  const auto third = pending_message(group_id(1), "bob", 20);
  EXPECT_TRUE(groups_.add_pending(first));
  EXPECT_TRUE(groups_.add_pending(second));
  EXPECT_TRUE(groups_.add_pending(third));
  // The relay delivering the same message again, from the same or another sender.
  EXPECT_FALSE(groups_.add_pending(pending_message(group_id(1), "bob", 30)));
  EXPECT_FALSE(groups_.add_pending(pending_message(group_id(1), "dave", 10)));
  // The same id in another group is another message.
  EXPECT_TRUE(groups_.add_pending(pending_message(group_id(2), "bob", 30)));

  const auto waiting = groups_.pending(group_id(1));
  ASSERT_EQ(waiting.size(), 3u);
  const PendingGroupMessage* expected[] = {&first, &second, &third};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(waiting[i].group_id, group_id(1));
    EXPECT_EQ(waiting[i].sender, expected[i]->sender) << i;
    EXPECT_EQ(waiting[i].message_id, expected[i]->message_id) << i;
    EXPECT_EQ(waiting[i].envelope, expected[i]->envelope) << i;
    EXPECT_EQ(waiting[i].received_at_ms, expected[i]->received_at_ms) << i;
  }
  EXPECT_LT(waiting[0].seq, waiting[1].seq);
  EXPECT_LT(waiting[1].seq, waiting[2].seq);

  groups_.remove_pending(waiting[1].seq);
  groups_.remove_pending(waiting[1].seq);  // nothing left to remove
  const auto rest = groups_.pending(group_id(1));
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].message_id, first.message_id);
  EXPECT_EQ(rest[1].message_id, third.message_id);
  EXPECT_EQ(groups_.pending(group_id(2)).size(), 1u);
  EXPECT_THROW(groups_.add_pending(pending_message(group_id(9), "bob", 1)), store::StoreError);
}

TEST_F(MsgdStoreGroups, PendingMessagesAreBoundedPerGroup) {
  groups_.save(group_row(1, "a"));
  groups_.save(group_row(2, "b"));
  {
    store::Transaction transaction(state_.db());
    for (std::size_t i = 0; i < GroupStore::kMaxPendingPerGroup; ++i) {
      ASSERT_TRUE(groups_.add_pending(pending_message(group_id(1), "bob", i))) << i;
    }
    transaction.commit();
  }
  EXPECT_FALSE(groups_.add_pending(pending_message(group_id(1), "bob", 5000)));
  EXPECT_EQ(groups_.pending(group_id(1)).size(), GroupStore::kMaxPendingPerGroup);
  EXPECT_TRUE(groups_.add_pending(pending_message(group_id(2), "bob", 5000))) << "each group has its own bound";

  groups_.remove_pending(groups_.pending(group_id(1)).front().seq);
  EXPECT_TRUE(groups_.add_pending(pending_message(group_id(1), "bob", 5000)));
  const auto waiting = groups_.pending(group_id(1));
  EXPECT_EQ(waiting.size(), GroupStore::kMaxPendingPerGroup);
  EXPECT_EQ(waiting.back().message_id, message_id(5000));
}

TEST_F(MsgdStoreGroups, EverythingSurvivesReopen) {
  const GroupRow row = group_row(1, "a", 2);
  groups_.save(row);
  groups_.save_own_chain(group_id(1), 2, 3, secret("own"));
  groups_.save_receiver(group_id(1), "bob", 4, 2, secret("bob"));
  groups_.mark_key_sent(group_id(1), 3, "bob");
  ASSERT_TRUE(groups_.add_pending(pending_message(group_id(1), "carol", 1)));

  StateDatabase reopened(dir_.path());
  GroupStore groups(reopened.db());
  expect_same(*groups.find(group_id(1)), row);
  EXPECT_EQ(groups.own_chain(group_id(1))->state, secret("own"));
  EXPECT_EQ(groups.receiver(group_id(1), "bob", 4), secret("bob"));
  EXPECT_TRUE(groups.key_sent(group_id(1), 3, "bob"));
  EXPECT_EQ(groups.pending(group_id(1)).size(), 1u);
}

}  // namespace
}  // namespace sotto::msgd
