#include "lib/crypto/sender_key_distribution.h"

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/error.h"

namespace sotto::crypto {

SecretBytes encode_sender_key_distribution(const SenderKeyDistribution& d) {
  if (d.chain_key.size() != kRatchetKeySize) throw CryptoError("sender key distribution: chain key must be 32 bytes");
  SecretBytes out(kSenderKeyDistributionSize);
  ByteWriter w(out.span());
  w.u8(kSenderKeyDistributionVersion);
  w.bytes(d.group_id);
  w.u32(d.key_id);
  w.u32(d.iteration);
  w.bytes(d.chain_key.view());
  w.bytes(d.signing_key);
  w.expect_full();
  return out;
}

SenderKeyDistribution parse_sender_key_distribution(ByteView encoded) {
  if (encoded.empty()) throw CryptoError("sender key distribution: empty");
  if (encoded[0] != kSenderKeyDistributionVersion) {
    throw CryptoError("sender key distribution: unsupported format version");
  }
  // The size is fixed: checked whole, so that neither a short nor a padded
  // encoding is half-read.
  if (encoded.size() != kSenderKeyDistributionSize) throw CryptoError("sender key distribution: wrong length");
  ByteReader r(encoded, "sender key distribution");
  SenderKeyDistribution d;
  r.u8("version");
  r.copy_to(d.group_id, "group id");
  d.key_id = r.u32("key id");
  d.iteration = r.u32("iteration");
  d.chain_key = SecretBytes(r.bytes(kRatchetKeySize, "chain key"));
  r.copy_to(d.signing_key, "signing key");
  r.expect_end();
  return d;
}

}  // namespace sotto::crypto
