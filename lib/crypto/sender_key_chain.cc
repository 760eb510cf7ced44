#include "lib/crypto/sender_key_chain.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "lib/crypto/aead.h"
#include "lib/crypto/error.h"
#include "lib/crypto/random.h"
#include "lib/crypto/ratchet_kdf.h"
#include "lib/crypto/sender_key_kdf.h"
#include "lib/crypto/sender_key_state.h"
#include "lib/crypto/sender_key_state_codec.h"

namespace sotto::crypto {

namespace {

std::uint32_t random_key_id() {
  std::array<std::uint8_t, 4> b{};
  random_fill(b);
  return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | std::uint32_t{b[3]};
}

std::unique_ptr<SenderChainState> fresh_chain_state(const GroupId& group_id, std::uint32_t key_id) {
  return std::make_unique<SenderChainState>(group_id, key_id, 0, random_secret(kRatchetKeySize),
                                            Ed25519KeyPair::generate());
}

}  // namespace

SenderKeyChain::SenderKeyChain(std::unique_ptr<SenderChainState> state) : state_(std::move(state)) {}
SenderKeyChain::SenderKeyChain(SenderKeyChain&&) noexcept = default;
SenderKeyChain& SenderKeyChain::operator=(SenderKeyChain&&) noexcept = default;
SenderKeyChain::~SenderKeyChain() = default;

SenderKeyChain SenderKeyChain::generate(const GroupId& group_id) {
  return SenderKeyChain(fresh_chain_state(group_id, random_key_id()));
}

SenderKeyChain SenderKeyChain::from_keys(const GroupId& group_id, std::uint32_t key_id, std::uint32_t iteration,
                                         const SecretBytes& chain_key, const Ed25519KeyPair& signing_key) {
  if (chain_key.size() != kRatchetKeySize) throw CryptoError("sender chain: chain key must be 32 bytes");
  return SenderKeyChain(std::make_unique<SenderChainState>(group_id, key_id, iteration, chain_key, signing_key));
}

SenderKeyChain SenderKeyChain::deserialize(ByteView stored) {
  return SenderKeyChain(std::make_unique<SenderChainState>(decode_sender_chain_state(stored)));
}

SecretBytes SenderKeyChain::serialize() const { return encode_sender_chain_state(*state_); }

SenderKeyChain SenderKeyChain::next_chain() const {
  std::uint32_t key_id = random_key_id();
  // One chance in 2^32 per draw; drawn again rather than left to chance,
  // because a repeated id would make members refuse the new distribution as
  // a conflict with the old chain.
  while (key_id == state_->key_id) key_id = random_key_id();
  return SenderKeyChain(fresh_chain_state(state_->group_id, key_id));
}

Bytes SenderKeyChain::encrypt(ByteView plaintext, ByteView context) {
  SenderChainState& s = *state_;
  // The iteration is a u32 on the wire and 2^32 - 1 is never sent, so that
  // the receiver's "next iteration" always fits in a u32 too.
  if (s.iteration == std::numeric_limits<std::uint32_t>::max()) {
    throw CryptoError("sender chain: exhausted; rotate to a new chain");
  }
  ChainKdfOutput step = kdf_chain(s.chain_key.view());

  const std::size_t signed_size = kSenderKeyHeaderSize + plaintext.size() + kGcmTagSize;
  Bytes out(signed_size + kEd25519SignatureSize);
  const SenderKeyHeader header{s.group_id, s.key_id, s.iteration};
  encode_sender_key_header(header, std::span<std::uint8_t, kSenderKeyHeaderSize>(out.data(), kSenderKeyHeaderSize));
  const ByteView header_bytes(out.data(), kSenderKeyHeaderSize);

  const MessageCipherKey k = derive_sender_key_cipher_key(step.message_key.view());
  Aes256Gcm(k.key()).seal_into(k.nonce(), sender_key_message_aad(header_bytes, context), plaintext,
                               out.data() + kSenderKeyHeaderSize);
  const Ed25519Signature signature = s.signing_key.sign(ByteView(out.data(), signed_size));
  std::copy(signature.begin(), signature.end(), out.begin() + static_cast<std::ptrdiff_t>(signed_size));

  // Committed only now: a failure above leaves the chain where it was, and
  // the message key (wiped with step) was used for this one message only.
  s.chain_key = std::move(step.chain_key);
  ++s.iteration;
  return out;
}

SenderKeyDistribution SenderKeyChain::distribution() const {
  const SenderChainState& s = *state_;
  SenderKeyDistribution d;
  d.group_id = s.group_id;
  d.key_id = s.key_id;
  d.iteration = s.iteration;
  d.chain_key = s.chain_key;
  d.signing_key = s.signing_key.public_key();
  return d;
}

const GroupId& SenderKeyChain::group_id() const { return state_->group_id; }
std::uint32_t SenderKeyChain::key_id() const { return state_->key_id; }
std::uint32_t SenderKeyChain::iteration() const { return state_->iteration; }

}  // namespace sotto::crypto
