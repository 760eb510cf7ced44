// Messenger: groups. A group's state (members, admins, name, epoch) lives in
// every member's store; an admin's change goes to each member as a group
// update over the pairwise sessions. A group message is encrypted once under
// the sender's sender-key chain and the relay fans the one ciphertext out;
// each member learns the chain from the sender's distribution, also sent over
// the pairwise session, just before the first message that needs it.
// docs/security.md, "Groups", has the rules and what they do not protect.
#include <algorithm>
#include <set>

#include "daemon/service/message_json.h"
#include "daemon/service/messenger.h"
#include "daemon/service/msgd_log.h"
#include "lib/crypto/padding.h"
#include "lib/crypto/random.h"
#include "lib/crypto/sender_key_chain.h"
#include "lib/crypto/sender_key_distribution.h"
#include "lib/crypto/sender_key_receiver.h"
#include "lib/store/transaction.h"
#include "lib/wire/username.h"

namespace sotto::msgd {

using api::ApiError;
using api::ErrorName;
using nlohmann::json;

namespace {

crypto::Bytes hash_bytes(const crypto::Sha256Digest& digest) { return crypto::Bytes(digest.begin(), digest.end()); }

std::vector<std::string> canonical_members(const json& list, const std::string& me) {
  std::set<std::string> out;
  for (const auto& item : list) {
    const auto canonical = wire::canonical_username(item.get_ref<const std::string&>());
    if (!canonical) throw ApiError(ErrorName::kInvalidParams, "members: " + canonical.error());
    if (canonical.value() == me) throw ApiError(ErrorName::kInvalidParams, "members: you are in the group already");
    out.insert(canonical.value());
  }
  return {out.begin(), out.end()};
}

void insert_sorted(std::vector<std::string>& names, const std::string& name) {
  auto at = std::lower_bound(names.begin(), names.end(), name);
  if (at == names.end() || *at != name) names.insert(at, name);
}

std::string names_text(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

// ---- state and lookups ----

std::optional<Messenger::LoadedGroup> Messenger::load_group(std::string_view id_hex) {
  auto row = groups_.find(id_hex);
  if (!row) return std::nullopt;
  GroupState state = parse_group_state(row->state);
  return LoadedGroup{std::move(*row), std::move(state)};
}

Messenger::LoadedGroup Messenger::resolve_group(std::string_view reference) {
  std::string_view ref = reference;
  if (!ref.empty() && ref.front() == '@') ref.remove_prefix(1);
  if (!ref.empty() && ref.front() == '#') ref.remove_prefix(1);
  if (ref.empty()) throw ApiError(ErrorName::kInvalidParams, "group: empty");
  if (group_id_from_hex(ref)) {
    if (auto group = load_group(ref)) return std::move(*group);
  }
  auto named = groups_.with_name(ref);
  if (named.empty()) {
    throw ApiError(ErrorName::kNotFound, "no group named '" + std::string(ref.substr(0, kMaxGroupNameBytes)) + "'");
  }
  if (named.size() > 1) {
    std::string ids;
    for (const auto& g : named) ids += (ids.empty() ? "" : ", ") + g.id;
    throw ApiError(ErrorName::kInvalidParams,
                   "group: several groups are named '" + std::string(ref) + "'; use an id: " + ids);
  }
  GroupState state = parse_group_state(named.front().state);
  return LoadedGroup{std::move(named.front()), std::move(state)};
}

json Messenger::group_json(const LoadedGroup& group) const {
  return {
      {"id", group.row.id},
      {"name", group.state.name},
      {"epoch", static_cast<std::int64_t>(group.state.epoch)},
      {"members", group.state.members},
      {"admins", group.state.admins},
      {"status", std::string(to_string(group.row.status))},
      {"admin", group.row.status == GroupStatus::kMember && group.state.is_admin(username_)},
  };
}

json Messenger::message_json(const StoredMessage& message) {
  json out = to_json(message);
  if (is_group_conversation(message.peer)) {
    const std::string id = message.peer.substr(1);
    auto row = groups_.find(id);
    out["group"] = {{"id", id}, {"name", row ? row->name : id.substr(0, 8)}};
  }
  return out;
}

std::string Messenger::require_conversation(const json& params) {
  const std::string& raw = params.at("peer").get_ref<const std::string&>();
  if (!raw.empty() && (raw.front() == '@' || raw.front() == '#')) return "#" + resolve_group(raw).row.id;
  return require_peer(params);
}

// ---- changes made here ----

GroupRow Messenger::store_group_state(const std::optional<LoadedGroup>& current, const GroupState& next,
                                      GroupStatus status) {
  GroupRow row;
  row.id = group_id_hex(next.id);
  row.name = next.name;
  row.epoch = next.epoch;
  row.state = encode_group_state(next);
  row.state_hash = hash_bytes(crypto::sha256(row.state));
  if (current && current->state.epoch + 1 == next.epoch) row.previous_hash = current->row.state_hash;
  row.status = status;
  row.created_at_ms = current ? current->row.created_at_ms : now_ms();
  groups_.save(row);
  if (status == GroupStatus::kMember) {
    // The chains of the epoch before stay: a sender may have encrypted under
    // its chain before it saw the change.
    groups_.prune_receivers(row.id, next.members, next.epoch > 1 ? next.epoch - 1 : 1);
  } else {
    // Out of the group: every key of it goes, so nothing sent from now on can
    // be read here even if it reached this device.
    groups_.forget_own_chain(row.id);
    groups_.forget_receivers(row.id);
  }
  return row;
}

Messenger::LoadedGroup Messenger::commit_group_change(std::optional<LoadedGroup> current, GroupState next,
                                                      GroupStatus my_status,
                                                      const std::vector<std::string>& extra_recipients) {
  // Everyone in the new state hears of it, and those it removes too (so they
  // know they are out and stop expecting messages).
  std::set<std::string> tell(next.members.begin(), next.members.end());
  if (current) tell.insert(current->state.members.begin(), current->state.members.end());
  tell.insert(extra_recipients.begin(), extra_recipients.end());
  tell.erase(username_);

  Content update;
  update.kind = ContentKind::kGroupUpdate;
  update.sent_at_ms = static_cast<std::uint64_t>(now_ms());
  GroupRow row;
  {
    store::Transaction tx(database_.db());
    row = store_group_state(current, next, my_status);
    update.group_state = row.state;
    for (const auto& member : tell) {
      update.id = new_message_id();
      outbox_.enqueue(message_id_hex(update.id), member, "group_update", encode_content(update));
    }
    tx.commit();
  }
  kick_pump();
  LoadedGroup loaded{std::move(row), std::move(next)};
  json event = group_json(loaded);
  event["by"] = username_;
  events_.publish("GroupChanged", event);
  log_event("group_changed", {{"group", loaded.row.id}, {"epoch", std::to_string(loaded.state.epoch)}});
  return loaded;
}

Messenger::LoadedGroup Messenger::require_admin_of(const json& params) {
  require_account();
  LoadedGroup group = resolve_group(params.at("group").get_ref<const std::string&>());
  if (group.row.status != GroupStatus::kMember) {
    throw ApiError(ErrorName::kInvalidParams, "you are no longer in '" + group.state.name + "'");
  }
  if (!group.state.is_admin(username_)) {
    throw ApiError(ErrorName::kInvalidParams, "only an admin of '" + group.state.name +
                                                  "' can change it; its admins: " + names_text(group.state.admins));
  }
  return group;
}

json Messenger::group_create(const json& params) {
  require_account();
  const std::string& name = params.at("name").get_ref<const std::string&>();
  if (auto problem = group_name_problem(name)) throw ApiError(ErrorName::kInvalidParams, "name: " + *problem);
  std::vector<std::string> members = canonical_members(params.at("members"), username_);
  if (members.size() + 1 > config_.group_max_members) {
    throw ApiError(ErrorName::kInvalidParams,
                   "members: a group has at most " + std::to_string(config_.group_max_members) + " members");
  }
  if (groups_.count_member_of() >= config_.max_groups) {
    throw ApiError(ErrorName::kInvalidParams,
                   "you are in " + std::to_string(config_.max_groups) + " groups already (max_groups in msgd.yaml)");
  }
  GroupState state;
  crypto::random_fill(state.id);
  state.epoch = 1;
  state.name = name;
  state.members = std::move(members);
  insert_sorted(state.members, username_);
  state.admins = {username_};
  return group_json(commit_group_change(std::nullopt, std::move(state), GroupStatus::kMember, {}));
}

json Messenger::group_add(const json& params) {
  LoadedGroup group = require_admin_of(params);
  const std::vector<std::string> added = canonical_members(params.at("members"), username_);
  if (added.empty()) throw ApiError(ErrorName::kInvalidParams, "members: name at least one user to add");
  GroupState next = group.state;
  for (const auto& user : added) {
    if (next.has_member(user)) throw ApiError(ErrorName::kInvalidParams, user + " is in the group already");
    insert_sorted(next.members, user);
  }
  if (next.members.size() > config_.group_max_members) {
    throw ApiError(ErrorName::kInvalidParams,
                   "a group has at most " + std::to_string(config_.group_max_members) + " members");
  }
  next.epoch += 1;
  return group_json(commit_group_change(std::move(group), std::move(next), GroupStatus::kMember, {}));
}

json Messenger::group_remove(const json& params) {
  LoadedGroup group = require_admin_of(params);
  const std::vector<std::string> removed = canonical_members(params.at("members"), username_);
  if (removed.empty()) throw ApiError(ErrorName::kInvalidParams, "members: name at least one member to remove");
  GroupState next = group.state;
  for (const auto& user : removed) {
    if (!next.has_member(user)) throw ApiError(ErrorName::kInvalidParams, user + " is not in the group");
    std::erase(next.members, user);
    std::erase(next.admins, user);
  }
  next.epoch += 1;
  // The next group message this device sends takes a new chain (one per
  // epoch), which the removed members never receive; every other member does
  // the same when it sees the new epoch.
  return group_json(commit_group_change(std::move(group), std::move(next), GroupStatus::kMember, {}));
}

json Messenger::group_leave(const json& params) {
  require_account();
  LoadedGroup group = resolve_group(params.at("group").get_ref<const std::string&>());
  if (group.row.status != GroupStatus::kMember) {
    throw ApiError(ErrorName::kInvalidParams, "you are no longer in '" + group.state.name + "'");
  }
  GroupState next = group.state;
  std::erase(next.members, username_);
  std::erase(next.admins, username_);
  if (next.members.empty()) {
    // The last member: nobody to tell, and a state needs a member.
    store::Transaction tx(database_.db());
    group.row = store_group_state(group, group.state, GroupStatus::kLeft);
    tx.commit();
    return group_json(group);
  }
  next.epoch += 1;
  LoadedGroup left = commit_group_change(std::move(group), std::move(next), GroupStatus::kLeft, {});
  return group_json(left);
}

json Messenger::group_rename(const json& params) {
  LoadedGroup group = require_admin_of(params);
  const std::string& name = params.at("name").get_ref<const std::string&>();
  if (auto problem = group_name_problem(name)) throw ApiError(ErrorName::kInvalidParams, "name: " + *problem);
  if (name == group.state.name) return group_json(group);
  GroupState next = group.state;
  next.name = name;
  next.epoch += 1;
  return group_json(commit_group_change(std::move(group), std::move(next), GroupStatus::kMember, {}));
}

json Messenger::group_list() {
  json out = json::array();
  for (auto& row : groups_.all()) {
    GroupState state = parse_group_state(row.state);
    out.push_back(group_json(LoadedGroup{std::move(row), std::move(state)}));
  }
  return out;
}

json Messenger::group_members(const json& params) {
  const LoadedGroup group = resolve_group(params.at("group").get_ref<const std::string&>());
  json out = json::array();
  for (const auto& member : group.state.members) {
    std::string trust = member == username_ ? "self" : "unknown";
    if (member != username_) {
      if (auto contact = contacts_.find(member)) trust = std::string(to_string(contact->trust));
    }
    out.push_back({{"username", member}, {"admin", group.state.is_admin(member)}, {"trust", trust}});
  }
  return out;
}

// ---- sending ----

void Messenger::require_group_sendable(const LoadedGroup& group) {
  if (group.row.status != GroupStatus::kMember) {
    throw ApiError(ErrorName::kInvalidParams, "you are no longer in '" + group.state.name + "'");
  }
  // A member whose identity key changed could be someone else now: nothing
  // goes to the group until the user has looked (the same rule as 1:1).
  std::vector<std::string> untrusted;
  for (const auto& member : group.state.members) {
    if (member == username_) continue;
    if (auto contact = contacts_.find(member); contact && contact->trust == Trust::kUntrusted) {
      untrusted.push_back(member);
    }
  }
  if (!untrusted.empty()) {
    throw ApiError(ErrorName::kIdentityUntrusted,
                   "the identity key of " + names_text(untrusted) + " in '" + group.state.name +
                       "' changed: compare safety numbers (`msgctl fingerprint " + untrusted.front() +
                       "`), then run `msgctl trust " + untrusted.front() + "`; nothing was sent to the group");
  }
}

json Messenger::group_send(const json& params) {
  require_account();
  LoadedGroup group = resolve_group(params.at("group").get_ref<const std::string&>());
  const std::string& text = params.at("text").get_ref<const std::string&>();
  if (text.empty()) throw ApiError(ErrorName::kInvalidParams, "text: empty; there is nothing to send");
  if (text.size() > kMaxTextBytes) throw ApiError(ErrorName::kInvalidParams, "text: longer than 64 KiB");
  require_group_sendable(group);
  StoredMessage m;

  m.id = message_id_hex(new_message_id());
  m.peer = group_conversation(group.state.id);
  m.direction = Direction::kOut;
  m.sender = username_;
  m.text = text;
  m.sent_at_ms = now_ms();
  m.state = MessageState::kQueued;
  {
    store::Transaction tx(database_.db());
    messages_.insert_outgoing(m);
    queue_group_message(group, m.id, "group_text");
    tx.commit();
  }
  kick_pump();
  return {{"id", m.id}, {"state", "queued"}, {"group", {{"id", group.row.id}, {"name", group.state.name}}}};
}

void Messenger::queue_group_message(const LoadedGroup& group, const std::string& message_id, std::string_view kind,
                                    std::optional<crypto::ByteView> body) {
  ensure_own_chain_distributed(group);
  if (body) {
    outbox_.enqueue(message_id, group_conversation(group.state.id), kind, *body);
  } else {
    outbox_.enqueue(message_id, group_conversation(group.state.id), kind);
  }
}

void Messenger::ensure_own_chain_distributed(const LoadedGroup& group) {
  auto stored = groups_.own_chain(group.row.id);
  std::optional<crypto::SenderKeyChain> chain;
  if (stored && stored->epoch == group.state.epoch) {
    chain = crypto::SenderKeyChain::deserialize(stored->state.view());
  } else {
    // One chain per epoch: after any change, and always after a removal, the
    // old chain (which a removed member knows) is never used again.
    chain = stored ? crypto::SenderKeyChain::deserialize(stored->state.view()).next_chain()
                   : crypto::SenderKeyChain::generate(group.state.id);
    groups_.save_own_chain(group.row.id, group.state.epoch, chain->key_id(), chain->serialize());
  }
  Content key;
  key.kind = ContentKind::kSenderKey;
  key.sent_at_ms = static_cast<std::uint64_t>(now_ms());
  key.group_epoch = group.state.epoch;
  for (const auto& member : group.state.members) {
    if (member == username_ || groups_.key_sent(group.row.id, chain->key_id(), member)) continue;
    if (key.sender_key.empty()) key.sender_key = crypto::encode_sender_key_distribution(chain->distribution());
    key.id = new_message_id();
    // Ahead of the group message in the outbox, so the member has the chain
    // before the first message under it arrives.
    outbox_.enqueue(message_id_hex(key.id), member, "sender_key", encode_content(key));
    groups_.mark_key_sent(group.row.id, chain->key_id(), member);
  }
}

Messenger::GroupSeal Messenger::seal_group_entry(OutboxEntry& entry) {
  const std::string group_id = entry.peer.substr(1);
  auto group = load_group(group_id);
  if (!group || group->row.status != GroupStatus::kMember) {
    fail_message(entry.message_id, entry.peer, "this user is no longer in the group");
    return GroupSeal::kDropped;
  }
  const auto message = messages_.find(entry.message_id);
  if (!message) {
    outbox_.remove(entry.message_id);
    return GroupSeal::kDropped;
  }
  std::vector<std::string> recipients;
  bool everyone_has_key = true;
  auto chain_row = groups_.own_chain(group_id);
  for (const auto& member : group->state.members) {
    if (member == username_) continue;
    if (auto contact = contacts_.find(member); contact && contact->trust == Trust::kUntrusted) {
      return GroupSeal::kHeld;  // until the user trusts the member's new key (or removes the member)
    }
    recipients.push_back(member);
    if (!chain_row || !groups_.key_sent(group_id, chain_row->key_id, member)) everyone_has_key = false;
  }
  if (!chain_row || chain_row->epoch != group->state.epoch || !everyone_has_key) {
    // The group changed since the message was queued: a new chain for the
    // new epoch and its distributions go first, then this message and every
    // later one of the group still to encrypt, in their order.
    std::vector<OutboxEntry> unsealed;
    for (OutboxEntry& e : outbox_.pending()) {
      if (e.peer == entry.peer && !e.envelope) unsealed.push_back(std::move(e));
    }
    store::Transaction tx(database_.db());
    for (const auto& e : unsealed) outbox_.remove(e.message_id);
    ensure_own_chain_distributed(*group);
    for (const auto& e : unsealed) {
      if (e.body) {
        outbox_.enqueue(e.message_id, e.peer, e.kind, *e.body);
      } else {
        outbox_.enqueue(e.message_id, e.peer, e.kind);
      }
    }
    tx.commit();
    return GroupSeal::kRequeued;
  }
  crypto::SenderKeyChain chain = crypto::SenderKeyChain::deserialize(chain_row->state.view());
  const Content content = entry.kind == "group_file" ? parse_content(entry.body.value_or(std::vector<std::uint8_t>{}))
                                                     : text_content(*message);
  GroupEnvelope envelope;
  envelope.group_id = group->state.id;
  envelope.epoch = group->state.epoch;
  std::copy(group->row.state_hash.begin(), group->row.state_hash.end(), envelope.state_hash.begin());
  const crypto::Bytes ciphertext = chain.encrypt(crypto::pad(encode_content(content)),
                                                 group_message_context(username_, envelope.epoch, envelope.state_hash));
  envelope.message = ciphertext;
  const crypto::Bytes bytes = encode_group_envelope(envelope);
  store::Transaction tx(database_.db());
  groups_.save_own_chain(group_id, envelope.epoch, chain.key_id(), chain.serialize());
  outbox_.set_envelope(entry.message_id, bytes, recipients);
  tx.commit();
  entry.envelope = bytes;
  entry.recipients = std::move(recipients);
  return GroupSeal::kSealed;
}

net::Awaitable<json> Messenger::broadcast(json params) {
  require_account();
  const std::string text = params.at("text").get<std::string>();
  if (text.empty()) throw ApiError(ErrorName::kInvalidParams, "text: empty; there is nothing to send");
  if (text.size() > kMaxTextBytes) throw ApiError(ErrorName::kInvalidParams, "text: longer than 64 KiB");
  std::vector<std::string> peers;
  for (const auto& c : contacts_.list()) {
    if (c.username != username_) peers.push_back(c.username);
  }
  if (params.at("online_only").get<bool>() && !peers.empty()) {
    auto asking = online(json{{"peers", peers}});
    const json presence = co_await std::move(asking);
    peers.clear();
    for (const auto& p : presence) {
      if (p.at("online").get<bool>()) peers.push_back(p.at("username").get<std::string>());
    }
  }
  json messages = json::array();
  json skipped = json::array();
  for (const auto& peer : peers) {
    // Each copy is an ordinary pairwise message: encrypted for its contact
    // alone, with its own id and delivery state.
    try {
      json sent = send(json{{"peer", peer}, {"text", text}});
      messages.push_back({{"id", sent.at("id")}, {"peer", peer}});
    } catch (const ApiError& e) {
      skipped.push_back({{"peer", peer}, {"reason", e.what()}});
    }
  }
  co_return json{{"count", messages.size()}, {"messages", messages}, {"skipped", skipped}};
}

// ---- receiving: what arrives over the pairwise sessions ----

std::optional<json> Messenger::take_group_update(const std::string& sender, const Content& content) {
  GroupState proposed;
  try {
    proposed = parse_group_state(content.group_state);
  } catch (const GroupStateError& e) {
    log_warning("group_update_refused", {{"from", sender}, {"error", e.what()}});
    return std::nullopt;
  }
  const std::string id = group_id_hex(proposed.id);
  auto current = load_group(id);
  const bool member = current && current->row.status == GroupStatus::kMember;
  const UpdateCheck check =
      check_group_update(current ? &current->state : nullptr, member, proposed, sender, username_);
  if (check.verdict == UpdateVerdict::kKnown) return std::nullopt;
  if (check.verdict == UpdateVerdict::kRefuse) {
    log_warning("group_update_refused", {{"from", sender}, {"group", id}, {"error", check.why}});
    return std::nullopt;
  }
  if (!current && groups_.count_member_of() >= config_.max_groups) {
    log_warning("group_update_refused", {{"from", sender}, {"group", id}, {"error", "max_groups reached"}});
    return std::nullopt;
  }
  GroupRow row = store_group_state(current, proposed,
                                   proposed.has_member(username_) ? GroupStatus::kMember : GroupStatus::kRemoved);
  LoadedGroup loaded{std::move(row), std::move(proposed)};
  json event = group_json(loaded);
  event["by"] = sender;
  return event;
}

std::optional<std::string> Messenger::take_sender_key(const std::string& sender, const Content& content) {
  try {
    const crypto::SenderKeyDistribution distribution = crypto::parse_sender_key_distribution(content.sender_key.view());
    const std::string id = group_id_hex(distribution.group_id);
    auto group = load_group(id);
    if (!group || group->row.status != GroupStatus::kMember) {
      throw ContentError("a sender key for a group this user is not in");
    }
    // A sender's key for an epoch this device has not reached yet is kept:
    // the admin's update may still be on its way.
    if (!group->state.has_member(sender) && content.group_epoch <= group->state.epoch) {
      throw ContentError("a sender key from someone who is not a member");
    }
    if (content.group_epoch + 1 < group->state.epoch) throw ContentError("a sender key for an old epoch");
    std::optional<crypto::SenderKeyReceiver> receiver;
    if (auto stored = groups_.receiver(id, sender, distribution.key_id)) {
      receiver = crypto::SenderKeyReceiver::deserialize(stored->view());
      receiver->merge_distribution(distribution);
    } else {
      receiver = crypto::SenderKeyReceiver::from_distribution(distribution);
    }
    groups_.save_receiver(id, sender, distribution.key_id, content.group_epoch, receiver->serialize());
    return id;
  } catch (const std::exception& e) {
    log_warning("sender_key_refused", {{"from", sender}, {"error", e.what()}});
    return std::nullopt;
  }
}

// ---- receiving: group messages ----

Messenger::GroupOpen Messenger::open_group_message(const std::string& sender, const MessageId& outer_id,
                                                   crypto::ByteView envelope_body, std::int64_t received_at,
                                                   std::optional<StoredMessage>& stored) {
  GroupEnvelope envelope;
  try {
    envelope = parse_group_envelope(envelope_body);
  } catch (const ContentError& e) {
    log_warning("group_message_refused", {{"from", sender}, {"error", e.what()}});
    return GroupOpen::kRefused;
  }
  const std::string id = group_id_hex(envelope.group_id);
  auto refuse = [&](const std::string& why) {
    log_warning("group_message_refused", {{"from", sender}, {"group", id}, {"error", why}});
    return GroupOpen::kRefused;
  };
  const std::string conversation = group_conversation(envelope.group_id);
  if (messages_.contains(conversation, message_id_hex(outer_id))) return GroupOpen::kDuplicate;
  auto group = load_group(id);
  if (!group) return refuse("an unknown group");
  if (group->row.status != GroupStatus::kMember) return refuse("a group this user is no longer in");
  if (envelope.epoch > group->state.epoch) return GroupOpen::kWait;  // its update has not arrived yet
  if (!group->state.has_member(sender)) return refuse("the sender is not a member");
  if (envelope.epoch + 1 < group->state.epoch) return refuse("a message from an old epoch");
  const crypto::Bytes expected_hash =
      envelope.epoch == group->state.epoch ? group->row.state_hash : group->row.previous_hash.value_or(crypto::Bytes{});
  if (!std::equal(envelope.state_hash.begin(), envelope.state_hash.end(), expected_hash.begin(), expected_hash.end())) {
    log_warning("group_state_mismatch", {{"from", sender}, {"group", id}, {"epoch", std::to_string(envelope.epoch)}});
    return refuse("the sender's view of the group differs from this user's");
  }
  const crypto::ParsedSenderKeyMessage parsed = crypto::parse_sender_key_message(envelope.message);
  auto stored_receiver = groups_.receiver(id, sender, parsed.header.key_id);
  if (!stored_receiver) return GroupOpen::kWait;  // the sender's key is on its way
  crypto::SenderKeyReceiver receiver = crypto::SenderKeyReceiver::deserialize(stored_receiver->view());
  Content content;
  try {
    const crypto::Bytes padded =
        receiver.decrypt(envelope.message, group_message_context(sender, envelope.epoch, envelope.state_hash));
    content = parse_content(crypto::unpad(padded));
  } catch (const std::exception& e) {
    return refuse(e.what());
  }
  if (content.id != outer_id) return refuse("the message id inside does not match the envelope's");
  if (content.kind != ContentKind::kText && content.kind != ContentKind::kFile) {
    return refuse("a kind of content groups do not carry");
  }
  StoredMessage m;
  m.id = message_id_hex(content.id);
  m.peer = conversation;
  m.direction = Direction::kIn;
  m.sender = sender;
  m.text = content.text;
  m.sent_at_ms = static_cast<std::int64_t>(content.sent_at_ms);
  m.received_at_ms = received_at;
  m.state = MessageState::kUnread;
  if (auto contact = contacts_.find(sender)) m.identity_warning = contact->trust == Trust::kUntrusted;
  std::optional<Transfer> file;
  if (content.kind == ContentKind::kFile) {
    file = incoming_transfer(sender, content, received_at);
    file->peer = conversation;  // listed with the group's files
    m.kind = MessageKind::kFile;
    m.file = FileSummary{file->name, file->size, file->mime};
  }
  store::Transaction tx(database_.db());
  const bool inserted = messages_.insert_incoming(m);
  if (inserted && file) transfers_.insert(*file);
  groups_.save_receiver(id, sender, parsed.header.key_id, envelope.epoch, receiver.serialize());
  tx.commit();
  if (!inserted) return GroupOpen::kDuplicate;
  if (file && file->state == TransferState::kDownloading) start_transfer(file->id);
  stored = std::move(m);
  return GroupOpen::kStored;
}

void Messenger::receive_group(const ConnectionPtr& connection, const wire::Deliver& deliver, const MessageId& outer_id,
                              crypto::ByteView envelope_body) {
  const std::uint64_t delivery_id = deliver.delivery_id();
  const std::string& sender = deliver.sender();
  std::optional<StoredMessage> stored;
  GroupOpen outcome = GroupOpen::kRefused;
  try {
    outcome = open_group_message(sender, outer_id, envelope_body, now_ms(), stored);
    if (outcome == GroupOpen::kWait) {
      // Kept (durably, before the relay forgets it) until the sender's key or
      // the group's update arrives; bounded per group.
      const GroupEnvelope envelope = parse_group_envelope(envelope_body);
      PendingGroupMessage pending;
      pending.group_id = group_id_hex(envelope.group_id);
      pending.sender = sender;
      pending.message_id = message_id_hex(outer_id);
      pending.envelope.assign(envelope_body.begin(), envelope_body.end());
      pending.received_at_ms = now_ms();
      if (!groups_.add_pending(pending)) {
        log_warning("group_message_refused",
                    {{"from", sender}, {"group", pending.group_id}, {"error", "too many messages waiting for keys"}});
      }
    }
  } catch (const std::exception& e) {
    log_warning("group_message_refused", {{"from", sender}, {"error", e.what()}});
  }
  net::asio::co_spawn(io_, acknowledge(connection, delivery_id), net::asio::detached);
  if (stored) {
    log_event("message_received", {{"from", sender}, {"id", stored->id}, {"group", stored->peer.substr(1)}});
    events_.publish("MessageReceived", message_json(*stored));
  }
}

void Messenger::retry_pending_group_messages(const std::string& group_id) {
  for (const PendingGroupMessage& pending : groups_.pending(group_id)) {
    std::optional<StoredMessage> stored;
    GroupOpen outcome = GroupOpen::kRefused;
    try {
      outcome = open_group_message(pending.sender, message_id_from_hex(pending.message_id), pending.envelope,
                                   pending.received_at_ms, stored);
    } catch (const std::exception& e) {
      log_warning("group_message_refused", {{"from", pending.sender}, {"error", e.what()}});
    }
    if (outcome == GroupOpen::kWait) continue;
    groups_.remove_pending(pending.seq);
    if (stored) {
      log_event("message_received", {{"from", pending.sender}, {"id", stored->id}, {"group", group_id}});
      events_.publish("MessageReceived", message_json(*stored));
    }
  }
}

}  // namespace sotto::msgd
