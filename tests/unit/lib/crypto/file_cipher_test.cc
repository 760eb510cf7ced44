#include "lib/crypto/file_cipher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "lib/crypto/aead.h"
#include "lib/crypto/error.h"
#include "lib/crypto/random.h"
#include "lib/crypto/sha256.h"

namespace sotto::crypto {
namespace {

// A fixed key for the known-answer tests: 00 01 02 ... 1f.
SecretBytes counting_key() {
  SecretBytes key(kFileKeySize);
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(i);
  return key;
}

Bytes patterned_plaintext(std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + (i >> 16));
  return out;
}

// Splits a ciphertext into its chunks, as the format lays them out.
std::vector<Bytes> split_chunks(const Bytes& ciphertext) {
  std::vector<Bytes> chunks;
  for (std::size_t at = 0; at < ciphertext.size(); at += kFileChunkCiphertextSize) {
    const std::size_t n = std::min(kFileChunkCiphertextSize, ciphertext.size() - at);
    chunks.emplace_back(ciphertext.begin() + static_cast<std::ptrdiff_t>(at),
                        ciphertext.begin() + static_cast<std::ptrdiff_t>(at + n));
  }
  return chunks;
}

Bytes join_chunks(const std::vector<Bytes>& chunks) {
  Bytes out;
  for (const Bytes& c : chunks) append(out, c);
  return out;
}

// Decrypts and reports what the sink received before any error, so tests can
// check that nothing unverified was released.
struct DecryptOutcome {
  bool ok = false;
  Bytes released;
};

DecryptOutcome try_decrypt(const Bytes& ciphertext, const SecretBytes& key) {
  DecryptOutcome outcome;
  FileDecryptor decryptor(key);
  const ChunkSink sink = [&](ByteView p) { append(outcome.released, p); };
  try {
    decryptor.update(ciphertext, sink);
    decryptor.finish(sink);
    outcome.ok = true;
  } catch (const CryptoError&) {
    outcome.ok = false;
  }
  return outcome;
}

TEST(FileCipher, RoundTripsSizesAroundChunkBoundaries) {
  const SecretBytes key = generate_file_key();
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, std::size_t{65536},
                                 std::size_t{65537}, std::size_t{3 * 65536}, std::size_t{3 * 65536 + 1}}) {
    SCOPED_TRACE("plaintext size " + std::to_string(size));
    const Bytes plaintext = patterned_plaintext(size);
    const Bytes ciphertext = encrypt_file(plaintext, key);
    EXPECT_EQ(ciphertext.size(), file_ciphertext_size(size));
    EXPECT_EQ(decrypt_file(ciphertext, key), plaintext);
  }
}

TEST(FileCipher, EmptyFileIsOneEmptyLastChunkWithTheDocumentedNonceAndAad) {
  const SecretBytes key = counting_key();
  const Bytes ciphertext = encrypt_file({}, key);
  // Nonce: 4 zero bytes || be64(0). AAD: version 1 || be64(0) || last flag 1.
  const Bytes expected =
      aes256gcm_seal(key.view(), from_hex("000000000000000000000000"), from_hex("01000000000000000001"), {});
  EXPECT_EQ(ciphertext, expected);
  EXPECT_EQ(ciphertext.size(), kGcmTagSize);
}

TEST(FileCipher, LaysOutChunksWithTheDocumentedNoncesAndAads) {
  const SecretBytes key = counting_key();
  const Bytes plaintext = patterned_plaintext(kFileChunkSize + 5);
  const std::vector<Bytes> chunks = split_chunks(encrypt_file(plaintext, key));
  ASSERT_EQ(chunks.size(), 2u);
  const ByteView pt(plaintext);
  EXPECT_EQ(chunks[0], aes256gcm_seal(key.view(), from_hex("000000000000000000000000"),
                                      from_hex("01000000000000000000"), pt.first(kFileChunkSize)));
  EXPECT_EQ(chunks[1], aes256gcm_seal(key.view(), from_hex("000000000000000000000001"),
                                      from_hex("01000000000000000101"), pt.subspan(kFileChunkSize)));
}

TEST(FileCipher, MatchesTheKnownAnswerVectorsInTheDocs) {
  // Produced by an independent implementation (Python's `cryptography`
  // AESGCM) following docs/crypto-content.md, key 00 01 .. 1f.
  const SecretBytes key = counting_key();
  EXPECT_EQ(to_hex(encrypt_file({}, key)), "0796dc2365478b5fcfaf70c00b425f85");
  EXPECT_EQ(to_hex(encrypt_file(as_bytes("sotto"), key)), "7dd3c1aada1935fe5fc5cc9c4c6cbe500eab5ebc90");
  // 65536 bytes 'a' then "z": two chunks, 65569 bytes.
  Bytes plaintext(kFileChunkSize, 'a');
  plaintext.push_back('z');
  const Bytes ciphertext = encrypt_file(plaintext, key);
  EXPECT_EQ(ciphertext.size(), 65569u);
  EXPECT_EQ(to_hex(sha256(ciphertext)), "5432c49d7cd9816eb82680ae32c4225532895c636ce9a8cefe2334b00bb93f3e");
  EXPECT_EQ(to_hex(ByteView(ciphertext).subspan(kFileChunkCiphertextSize)), "6f8d5cd2935b22e648fc691e11a1401c3c");
}

TEST(FileCipher, AppendsAnEmptyLastChunkAfterAnExactMultipleOfTheChunkSize) {
  const SecretBytes key = generate_file_key();
  const std::vector<Bytes> chunks = split_chunks(encrypt_file(patterned_plaintext(2 * kFileChunkSize), key));
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size(), kFileChunkCiphertextSize);
  EXPECT_EQ(chunks[1].size(), kFileChunkCiphertextSize);
  EXPECT_EQ(chunks[2].size(), kGcmTagSize);
}

TEST(FileCipher, RoundTripsAMultiMebibyteFileFedInRandomPieces) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const std::size_t size = 2 * 1024 * 1024 + rng() % (3 * 1024 * 1024);
  const Bytes plaintext = random_bytes(size);
  const SecretBytes key = generate_file_key();

  // Piece sizes span tiny, chunk-sized and multi-chunk writes.
  auto piece = [&rng](std::size_t left) {
    std::size_t n = 0;
    switch (rng() % 4) {
      case 0:
        n = rng() % 17;
        break;
      case 1:
        n = rng() % kFileChunkSize;
        break;
      case 2:
        n = kFileChunkCiphertextSize - 8 + rng() % 16;
        break;
      default:
        n = rng() % (3 * kFileChunkSize);
        break;
    }
    return std::min(n, left);
  };

  Bytes ciphertext;
  FileEncryptor encryptor(key);
  const ChunkSink to_ciphertext = [&](ByteView c) { append(ciphertext, c); };
  for (std::size_t at = 0; at < size;) {
    const std::size_t n = piece(size - at);
    encryptor.update(ByteView(plaintext).subspan(at, n), to_ciphertext);
    at += n;
  }
  encryptor.finish(to_ciphertext);
  EXPECT_EQ(encryptor.plaintext_size(), size);
  // The split points must not change the output: the format depends only on
  // the bytes.
  EXPECT_EQ(ciphertext, encrypt_file(plaintext, key));

  Bytes decrypted;
  FileDecryptor decryptor(key);
  const ChunkSink to_plaintext = [&](ByteView p) { append(decrypted, p); };
  for (std::size_t at = 0; at < ciphertext.size();) {
    const std::size_t n = piece(ciphertext.size() - at);
    decryptor.update(ByteView(ciphertext).subspan(at, n), to_plaintext);
    at += n;
  }
  decryptor.finish(to_plaintext);
  EXPECT_EQ(decryptor.plaintext_size(), size);
  EXPECT_EQ(decrypted, plaintext);
}

TEST(FileCipher, DetectsTruncationAtAChunkBoundaryOnlyInFinish) {
  const SecretBytes key = generate_file_key();
  const Bytes plaintext = patterned_plaintext(3 * kFileChunkSize + 100);
  std::vector<Bytes> chunks = split_chunks(encrypt_file(plaintext, key));
  ASSERT_EQ(chunks.size(), 4u);
  chunks.pop_back();
  const Bytes truncated = join_chunks(chunks);

  FileDecryptor decryptor(key);
  Bytes released;
  const ChunkSink sink = [&](ByteView p) { append(released, p); };
  ASSERT_NO_THROW(decryptor.update(truncated, sink));
  EXPECT_THROW(decryptor.finish(sink), CryptoError);
  // What was released is a verified prefix, but only finish() can tell the
  // file is complete: the caller must discard it.
  EXPECT_EQ(released, Bytes(plaintext.begin(), plaintext.begin() + 3 * kFileChunkSize));
}

TEST(FileCipher, DetectsRemovalOfTheEmptyLastChunk) {
  const SecretBytes key = generate_file_key();
  Bytes ciphertext = encrypt_file(patterned_plaintext(2 * kFileChunkSize), key);
  ciphertext.resize(ciphertext.size() - kGcmTagSize);
  EXPECT_FALSE(try_decrypt(ciphertext, key).ok);
}

TEST(FileCipher, DetectsTruncationInsideAChunk) {
  const SecretBytes key = generate_file_key();
  const Bytes ciphertext = encrypt_file(patterned_plaintext(kFileChunkSize + 300), key);
  for (const std::size_t cut : {std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{299}, std::size_t{316},
                                std::size_t{317}, std::size_t{1000}, ciphertext.size() - 1, ciphertext.size()}) {
    SCOPED_TRACE("bytes cut " + std::to_string(cut));
    const Bytes truncated(ciphertext.begin(), ciphertext.end() - static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(try_decrypt(truncated, key).ok);
  }
}

TEST(FileCipher, DetectsDataAppendedAfterTheLastChunk) {
  const SecretBytes key = generate_file_key();
  const Bytes plaintext = patterned_plaintext(kFileChunkSize + 10);
  const Bytes ciphertext = encrypt_file(plaintext, key);
  const std::vector<Bytes> chunks = split_chunks(ciphertext);
  // A few bytes, enough bytes to make the last chunk full-sized, a copy of a
  // whole valid chunk, and a whole valid empty last chunk of another file
  // under the same key.
  const Bytes tail_to_full(kFileChunkCiphertextSize - chunks.back().size(), 0xaa);
  const Bytes other_empty_file = encrypt_file({}, key);
  for (const Bytes& extra : {Bytes{0x00}, Bytes(16, 0x11), tail_to_full, chunks[0], other_empty_file}) {
    SCOPED_TRACE("appended " + std::to_string(extra.size()) + " bytes");
    Bytes extended = ciphertext;
    append(extended, extra);
    EXPECT_FALSE(try_decrypt(extended, key).ok);
  }
}

TEST(FileCipher, DetectsReorderedChunks) {
  const SecretBytes key = generate_file_key();
  std::vector<Bytes> chunks = split_chunks(encrypt_file(patterned_plaintext(3 * kFileChunkSize + 1), key));
  ASSERT_EQ(chunks.size(), 4u);
  std::swap(chunks[0], chunks[1]);
  EXPECT_FALSE(try_decrypt(join_chunks(chunks), key).ok);
  std::swap(chunks[0], chunks[1]);
  std::swap(chunks[1], chunks[2]);
  const DecryptOutcome outcome = try_decrypt(join_chunks(chunks), key);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.released.size(), kFileChunkSize);  // only chunk 0, which was in place
}

TEST(FileCipher, DetectsADuplicatedChunk) {
  const SecretBytes key = generate_file_key();
  std::vector<Bytes> chunks = split_chunks(encrypt_file(patterned_plaintext(2 * kFileChunkSize + 1), key));
  ASSERT_EQ(chunks.size(), 3u);
  std::vector<Bytes> doubled = chunks;
  doubled.insert(doubled.begin() + 1, chunks[0]);
  EXPECT_FALSE(try_decrypt(join_chunks(doubled), key).ok);
  std::vector<Bytes> last_twice = chunks;
  last_twice.push_back(chunks.back());
  EXPECT_FALSE(try_decrypt(join_chunks(last_twice), key).ok);
}

TEST(FileCipher, DetectsADroppedMiddleChunk) {
  const SecretBytes key = generate_file_key();
  std::vector<Bytes> chunks = split_chunks(encrypt_file(patterned_plaintext(3 * kFileChunkSize + 1), key));
  chunks.erase(chunks.begin() + 1);
  EXPECT_FALSE(try_decrypt(join_chunks(chunks), key).ok);
}

TEST(FileCipher, DetectsAChunkSwappedInFromAnotherFile) {
  const SecretBytes key_a = generate_file_key();
  const SecretBytes key_b = generate_file_key();
  std::vector<Bytes> a = split_chunks(encrypt_file(patterned_plaintext(2 * kFileChunkSize + 7), key_a));
  const std::vector<Bytes> b = split_chunks(encrypt_file(random_bytes(2 * kFileChunkSize + 7), key_b));
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("chunk " + std::to_string(i));
    std::vector<Bytes> mixed = a;
    mixed[i] = b[i];
    EXPECT_FALSE(try_decrypt(join_chunks(mixed), key_a).ok);
  }
}

TEST(FileCipher, RejectsTheWrongKey) {
  const Bytes ciphertext = encrypt_file(as_bytes("attachment"), generate_file_key());
  const DecryptOutcome outcome = try_decrypt(ciphertext, generate_file_key());
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.released.empty());
}

TEST(FileCipher, DetectsABitFlipAnywhereInASmallCiphertext) {
  const SecretBytes key = generate_file_key();
  const Bytes ciphertext = encrypt_file(as_bytes("a small file of a few dozen bytes"), key);
  for (std::size_t byte = 0; byte < ciphertext.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes tampered = ciphertext;
      tampered[byte] ^= static_cast<std::uint8_t>(1u << bit);
      const DecryptOutcome outcome = try_decrypt(tampered, key);
      EXPECT_FALSE(outcome.ok) << "flip of bit " << bit << " in byte " << byte << " went unnoticed";
      EXPECT_TRUE(outcome.released.empty());
    }
  }
}

TEST(FileCipher, ReleasesNoPlaintextFromAChunkThatFailsToVerify) {
  const SecretBytes key = generate_file_key();
  const Bytes plaintext = patterned_plaintext(2 * kFileChunkSize + 50);
  Bytes ciphertext = encrypt_file(plaintext, key);
  ciphertext[kFileChunkCiphertextSize + 1234] ^= 0x01;  // inside chunk 1
  const DecryptOutcome outcome = try_decrypt(ciphertext, key);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.released, Bytes(plaintext.begin(), plaintext.begin() + kFileChunkSize));
}

TEST(FileCipher, RejectsAnEmptyCiphertextAsTruncated) {
  EXPECT_FALSE(try_decrypt({}, generate_file_key()).ok);
  EXPECT_THROW(decrypt_file(Bytes(kGcmTagSize - 1, 0), generate_file_key()), CryptoError);
}

TEST(FileCipher, RefusesUseAfterFinishOrAfterAnError) {
  const SecretBytes key = generate_file_key();
  const ChunkSink ignore = [](ByteView) {};
  FileEncryptor encryptor(key);
  encryptor.finish(ignore);
  EXPECT_THROW(encryptor.update(as_bytes("x"), ignore), CryptoError);
  EXPECT_THROW(encryptor.finish(ignore), CryptoError);

  Bytes ciphertext = encrypt_file(patterned_plaintext(kFileChunkSize + 1), key);
  ciphertext[0] ^= 0x80;
  FileDecryptor decryptor(key);
  EXPECT_THROW(decryptor.update(ciphertext, ignore), CryptoError);
  EXPECT_THROW(decryptor.update({}, ignore), CryptoError);
  EXPECT_THROW(decryptor.finish(ignore), CryptoError);
}

TEST(FileCipher, StopsAnEncryptorWhoseSinkThrew) {
  FileEncryptor encryptor(generate_file_key());
  const ChunkSink failing = [](ByteView) { throw CryptoError("disk full"); };
  EXPECT_THROW(encryptor.update(patterned_plaintext(kFileChunkSize), failing), CryptoError);
  // The chunk that could not be delivered is gone; going on would silently
  // produce a file with a hole, so the encryptor refuses.
  EXPECT_THROW(encryptor.finish([](ByteView) {}), CryptoError);
}

TEST(FileCipher, RejectsKeysThatAreNot32Bytes) {
  EXPECT_THROW(FileEncryptor(SecretBytes(16)), CryptoError);
  EXPECT_THROW(FileDecryptor(SecretBytes(33)), CryptoError);
}

TEST(FileCipher, GeneratesDistinctRandomKeys) {
  const SecretBytes a = generate_file_key();
  const SecretBytes b = generate_file_key();
  EXPECT_EQ(a.size(), kFileKeySize);
  EXPECT_FALSE(a == b);
}

TEST(FileCipherSize, MapsPlaintextSizesToCiphertextSizesAndBack) {
  EXPECT_EQ(file_ciphertext_size(0), 16u);
  EXPECT_EQ(file_ciphertext_size(65535), 65551u);
  EXPECT_EQ(file_ciphertext_size(65536), 65568u);
  EXPECT_EQ(file_ciphertext_size(3 * 65536 + 1), 3 * 65536 + 1 + 4 * 16u);
  for (const std::uint64_t size :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{65535}, std::uint64_t{65536}, std::uint64_t{65537},
        std::uint64_t{10} * 1024 * 1024 * 1024, kFileMaxPlaintextSize}) {
    SCOPED_TRACE("plaintext size " + std::to_string(size));
    EXPECT_EQ(file_plaintext_size(file_ciphertext_size(size)), size);
  }
}

TEST(FileCipherSize, RejectsCiphertextSizesNoPlaintextProduces) {
  for (std::uint64_t size = 0; size < kGcmTagSize; ++size) EXPECT_FALSE(file_plaintext_size(size).has_value());
  for (std::uint64_t size = kFileChunkCiphertextSize; size < kFileChunkCiphertextSize + kGcmTagSize; ++size) {
    EXPECT_FALSE(file_plaintext_size(size).has_value());
  }
  EXPECT_FALSE(file_plaintext_size(file_ciphertext_size(kFileMaxPlaintextSize) + 1).has_value());
  EXPECT_THROW(file_ciphertext_size(kFileMaxPlaintextSize + 1), CryptoError);
}

TEST(FileCipherStream, RoundTripsThroughStreamsAndHashesTheCiphertext) {
  const SecretBytes key = generate_file_key();
  const Bytes plaintext = random_bytes(2 * kFileChunkSize + 12345);
  std::istringstream plain_in(std::string(plaintext.begin(), plaintext.end()));
  std::ostringstream cipher_out;
  const FileStreamResult sealed = encrypt_stream(plain_in, cipher_out, key);

  const std::string cipher = cipher_out.str();
  EXPECT_EQ(sealed.plaintext_size, plaintext.size());
  EXPECT_EQ(sealed.ciphertext_size, cipher.size());
  EXPECT_EQ(sealed.ciphertext_sha256, sha256(as_bytes(cipher)));
  EXPECT_EQ(Bytes(cipher.begin(), cipher.end()), encrypt_file(plaintext, key));

  std::istringstream cipher_in(cipher);
  std::ostringstream plain_out;
  const FileStreamResult opened = decrypt_stream(cipher_in, plain_out, key);
  EXPECT_EQ(opened.plaintext_size, plaintext.size());
  EXPECT_EQ(opened.ciphertext_size, cipher.size());
  EXPECT_EQ(opened.ciphertext_sha256, sealed.ciphertext_sha256);
  EXPECT_EQ(plain_out.str(), std::string(plaintext.begin(), plaintext.end()));
}

TEST(FileCipherStream, DecryptStreamThrowsOnATruncatedStream) {
  const SecretBytes key = generate_file_key();
  const Bytes ciphertext = encrypt_file(patterned_plaintext(kFileChunkSize + 1), key);
  std::istringstream in(std::string(ciphertext.begin(), ciphertext.begin() + kFileChunkCiphertextSize));
  std::ostringstream out;
  EXPECT_THROW(decrypt_stream(in, out, key), CryptoError);
}

TEST(FileCipherStream, ReportsAFailedWrite) {
  std::istringstream in("some plaintext");
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_THROW(encrypt_stream(in, out, generate_file_key()), CryptoError);
}

}  // namespace
}  // namespace sotto::crypto

namespace sotto::crypto {
namespace {

// A resumed upload re-encrypts from some chunk on; it must produce exactly the
// bytes the streaming encryptor produced for that chunk.
TEST(FileChunkCipher, SealsEachChunkExactlyAsTheStreamingEncryptorDoes) {
  const SecretBytes key = generate_file_key();
  const Bytes plaintext = patterned_plaintext(2 * kFileChunkSize + 1234);
  const Bytes streamed = encrypt_file(plaintext, key);
  FileChunkCipher cipher(key);
  Bytes assembled;
  for (std::uint64_t index = 0; index < 3; ++index) {
    const bool last = index == 2;
    const std::size_t begin = static_cast<std::size_t>(index) * kFileChunkSize;
    const std::size_t size = last ? plaintext.size() - begin : kFileChunkSize;
    Bytes out(size + kGcmTagSize);
    cipher.seal(index, last, ByteView(plaintext).subspan(begin, size), out.data());
    append(assembled, out);
  }
  EXPECT_EQ(assembled, streamed);
}

TEST(FileChunkCipher, OpensAChunkOnlyAtItsOwnIndexAndLastFlag) {
  const SecretBytes key = generate_file_key();
  const Bytes plaintext = patterned_plaintext(kFileChunkSize + 10);
  const Bytes streamed = encrypt_file(plaintext, key);
  FileChunkCipher cipher(key);
  const ByteView second = ByteView(streamed).subspan(kFileChunkCiphertextSize);
  Bytes out(second.size() - kGcmTagSize);
  cipher.open(1, true, second, out.data());
  EXPECT_TRUE(std::equal(out.begin(), out.end(), plaintext.begin() + kFileChunkSize));
  EXPECT_THROW(cipher.open(0, true, second, out.data()), CryptoError);
  EXPECT_THROW(cipher.open(2, true, second, out.data()), CryptoError);
  EXPECT_THROW(cipher.open(1, false, second, out.data()), CryptoError);  // wrong size for a non-last chunk
  Bytes first_out(kFileChunkSize);
  EXPECT_THROW(cipher.open(0, true, ByteView(streamed).first(kFileChunkCiphertextSize), first_out.data()),
               CryptoError);  // a full chunk is never the last one
}

TEST(FileChunkCipher, RefusesChunksOfTheWrongSize) {
  FileChunkCipher cipher(generate_file_key());
  Bytes big(kFileChunkSize + 1);
  Bytes out(kFileChunkCiphertextSize + 1);
  EXPECT_THROW(cipher.seal(0, true, big, out.data()), CryptoError);
  EXPECT_THROW(cipher.seal(0, false, ByteView(big).first(10), out.data()), CryptoError);
  EXPECT_THROW(cipher.open(0, true, ByteView(big).first(kGcmTagSize - 1), out.data()), CryptoError);
}

}  // namespace
}  // namespace sotto::crypto
