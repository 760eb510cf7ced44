#include "lib/crypto/ratchet_message.h"

#include "lib/crypto/byte_codec.h"
#include "lib/crypto/error.h"

namespace sotto::crypto {

void encode_ratchet_header(const RatchetHeader& header, std::span<std::uint8_t, kRatchetHeaderSize> out) {
  ByteWriter w(out);
  w.u8(kRatchetMessageVersion);
  w.bytes(header.ratchet_key);
  w.u32(header.previous_chain_length);
  w.u32(header.message_number);
  w.expect_full();
}

ParsedRatchetMessage parse_ratchet_message(ByteView message) {
  if (message.empty()) throw CryptoError("ratchet message: empty");
  if (message[0] != kRatchetMessageVersion) throw CryptoError("ratchet message: unsupported format version");
  if (message.size() < kRatchetHeaderSize + kRatchetTagSize) throw CryptoError("ratchet message: truncated");
  ByteReader r(message, "ratchet message");
  ParsedRatchetMessage out;
  r.u8("version");
  r.copy_to(out.header.ratchet_key, "ratchet key");
  out.header.previous_chain_length = r.u32("PN");
  out.header.message_number = r.u32("N");
  out.header_bytes = message.first(kRatchetHeaderSize);
  out.ciphertext_and_tag = r.rest();
  return out;
}

}  // namespace sotto::crypto
