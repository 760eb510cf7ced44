#include "lib/crypto/sender_key_receiver.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "lib/crypto/aead.h"
#include "lib/crypto/constant_time.h"
#include "lib/crypto/error.h"
#include "lib/crypto/ratchet_kdf.h"
#include "lib/crypto/sender_key_kdf.h"
#include "lib/crypto/sender_key_state.h"
#include "lib/crypto/sender_key_state_codec.h"

namespace sotto::crypto {

namespace {

[[noreturn]] void refuse_group_message(std::string_view problem) {
  std::string msg = "group message: ";
  msg += problem;
  throw CryptoError(msg);
}

[[noreturn]] void refuse_distribution(std::string_view problem) {
  std::string msg = "sender key distribution: ";
  msg += problem;
  throw CryptoError(msg);
}

Bytes open_group_message(ByteView message_key, ByteView aad, ByteView ciphertext_and_tag) {
  const MessageCipherKey k = derive_sender_key_cipher_key(message_key);
  try {
    return Aes256Gcm(k.key()).open(k.nonce(), aad, ciphertext_and_tag);
  } catch (const CryptoError&) {
    // The signature was good, so the sender made this ciphertext: what
    // differs is the context (another sender, group epoch, ...).
    refuse_group_message("authentication failed (made for another context)");
  }
}

// A chain advanced on a copy: the message keys of the iterations stepped
// over, in increasing order, and the chain key reached.
struct SteppedChain {
  std::vector<std::pair<std::uint32_t, SecretBytes>> skipped;
  SecretBytes chain_key;
};

// Steps chain_key from iteration `from` to `until` (exclusive), keeping each
// message key on the way; the caller has bounded until - from.
SteppedChain step_sender_chain(const SecretBytes& chain_key, std::uint32_t from, std::uint32_t until) {
  SteppedChain out{{}, chain_key};
  out.skipped.reserve(until - from);
  for (std::uint32_t i = from; i < until; ++i) {
    ChainKdfOutput step = kdf_chain(out.chain_key.view());
    out.skipped.emplace_back(i, std::move(step.message_key));
    out.chain_key = std::move(step.chain_key);
  }
  return out;
}

// Adds keys of iterations above every key held, then drops the lowest (the
// oldest) beyond the cap. Nothing here can throw after the first insertion
// but allocation failure.
void keep_skipped_keys(std::map<std::uint32_t, SecretBytes>& held,
                       std::vector<std::pair<std::uint32_t, SecretBytes>>& keys) {
  for (auto& [iteration, key] : keys) held.emplace_hint(held.end(), iteration, std::move(key));
  while (held.size() > kSenderKeyMaxStoredKeys) held.erase(held.begin());
}

void check_sender_key_skip(std::uint32_t next, std::uint32_t until) {
  if (until - next > kSenderKeyMaxSkip) {
    std::string msg = "would skip ";
    msg += std::to_string(until - next);
    msg += " message keys, more than MAX_SKIP (";
    msg += std::to_string(kSenderKeyMaxSkip);
    msg += ")";
    refuse_group_message(msg);
  }
}

}  // namespace

SenderKeyReceiver::SenderKeyReceiver(std::unique_ptr<SenderReceiverState> state) : state_(std::move(state)) {}
SenderKeyReceiver::SenderKeyReceiver(SenderKeyReceiver&&) noexcept = default;
SenderKeyReceiver& SenderKeyReceiver::operator=(SenderKeyReceiver&&) noexcept = default;
SenderKeyReceiver::~SenderKeyReceiver() = default;

SenderKeyReceiver SenderKeyReceiver::from_distribution(const SenderKeyDistribution& d) {
  if (d.chain_key.size() != kRatchetKeySize) refuse_distribution("chain key must be 32 bytes");
  return SenderKeyReceiver(
      std::make_unique<SenderReceiverState>(d.group_id, d.key_id, d.iteration, d.chain_key, d.signing_key));
}

SenderKeyReceiver SenderKeyReceiver::deserialize(ByteView stored) {
  return SenderKeyReceiver(std::make_unique<SenderReceiverState>(decode_sender_receiver_state(stored)));
}

SecretBytes SenderKeyReceiver::serialize() const { return encode_sender_receiver_state(*state_); }

const GroupId& SenderKeyReceiver::group_id() const { return state_->group_id; }
std::uint32_t SenderKeyReceiver::key_id() const { return state_->key_id; }
std::uint32_t SenderKeyReceiver::next_iteration() const { return state_->next_iteration; }

Bytes SenderKeyReceiver::decrypt(ByteView message, ByteView context) {
  SenderReceiverState& s = *state_;
  const ParsedSenderKeyMessage m = parse_sender_key_message(message);
  const SenderKeyHeader& h = m.header;
  if (!constant_time_equal(h.group_id, s.group_id)) refuse_group_message("for another group");
  if (h.key_id != s.key_id) refuse_group_message("unknown key id (not the chain this receiver follows)");
  // The signature before any key is derived: every member knows the chain
  // key, so only the signature tells the chain's owner from another member,
  // and nothing of an unsigned message should cost more than this check.
  if (!ed25519_verify(s.signing_key, m.signed_part, m.signature)) {
    refuse_group_message("signature does not verify (forged, altered or not from this chain's owner)");
  }
  const Bytes aad = sender_key_message_aad(m.header_bytes, context);

  // Below: computed on copies, committed only after the AEAD has verified,
  // so a failure leaves the receiver as it was.

  // 1. An iteration already passed: readable only through a held skipped key.
  if (h.iteration < s.next_iteration) {
    const auto held = s.skipped.find(h.iteration);
    if (held == s.skipped.end()) {
      refuse_group_message("duplicate or too old (its key was used, discarded or never held)");
    }
    Bytes plaintext = open_group_message(held->second.view(), aad, m.ciphertext_and_tag);
    s.skipped.erase(held);
    return plaintext;
  }
  // 2. This iteration or a later one of the chain.
  if (h.iteration == std::numeric_limits<std::uint32_t>::max()) refuse_group_message("iteration out of range");
  check_sender_key_skip(s.next_iteration, h.iteration);
  SteppedChain stepped = step_sender_chain(s.chain_key, s.next_iteration, h.iteration);
  ChainKdfOutput step = kdf_chain(stepped.chain_key.view());
  Bytes plaintext = open_group_message(step.message_key.view(), aad, m.ciphertext_and_tag);

  s.chain_key = std::move(step.chain_key);
  s.next_iteration = h.iteration + 1;
  keep_skipped_keys(s.skipped, stepped.skipped);
  return plaintext;
}

void SenderKeyReceiver::merge_distribution(const SenderKeyDistribution& d) {
  SenderReceiverState& s = *state_;
  if (d.chain_key.size() != kRatchetKeySize) refuse_distribution("chain key must be 32 bytes");
  if (!constant_time_equal(d.group_id, s.group_id)) refuse_distribution("for another group");
  if (d.key_id != s.key_id) refuse_distribution("for another chain (key id)");
  if (!constant_time_equal(d.signing_key, s.signing_key)) {
    refuse_distribution("conflicts with the chain already held (another signing key)");
  }
  if (d.iteration < s.next_iteration) {
    // Taking it would hand back keys already used or discarded: a replay
    // window, and forward secrecy lost for those messages.
    refuse_distribution("older than the chain already held; it would roll the chain back");
  }
  if (d.iteration - s.next_iteration > kSenderKeyMaxSkip) {
    // Too far to check by stepping at a bounded cost. The pairwise session
    // vouches for the sender, and adopting the distribution brings back a
    // member that fell behind, at the price of the messages in the gap.
    s.chain_key = d.chain_key;
    s.next_iteration = d.iteration;
    return;
  }
  SteppedChain stepped = step_sender_chain(s.chain_key, s.next_iteration, d.iteration);
  if (!(stepped.chain_key == d.chain_key)) {
    refuse_distribution("conflicts with the chain already held (another chain key)");
  }
  s.chain_key = std::move(stepped.chain_key);
  s.next_iteration = d.iteration;
  keep_skipped_keys(s.skipped, stepped.skipped);
}

}  // namespace sotto::crypto
