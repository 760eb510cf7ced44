// AES-256-GCM (lib/crypto/aead.h) against the GCM specification's test cases
// and Project Wycheproof, plus the properties callers rely on.
//
// Policy for Wycheproof's AES-GCM vectors (also in tests/data/wycheproof/README.md):
// only groups with keySize 256 are run (Sotto uses AES-256 only); the file has
// no "acceptable" vectors. "valid" vectors must seal to exactly ct || tag and
// open to msg; "invalid" ones must make open throw CryptoError. Our nonce
// policy is 1..128 bytes: an empty nonce (the ZeroLengthIv vectors) is refused
// by seal and open. The one keySize-256 "valid" vector with a longer nonce
// (tcId 276, a 2056-bit = 257-byte IV) is also refused: 128 bytes is OpenSSL
// 3.0's limit for a GCM IV (GCM_IV_MAX_SIZE in its providers) and far above the
// 12 bytes Sotto uses. Both seal and open must throw CryptoError for it.

#include "lib/crypto/aead.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <algorithm>
#include <string>

#include "lib/crypto/error.h"
#include "tests/unit/lib/crypto/wycheproof.h"

namespace sotto::crypto {
namespace {

// Nonces above this many bytes are refused (see the policy above).
constexpr std::size_t kMaxNonceBytes = 128;

struct KnownAnswer {
  const char* key;
  const char* nonce;
  const char* plaintext;
  const char* aad;
  const char* ciphertext;
  const char* tag;
};

// From "The Galois/Counter Mode of Operation (GCM)", McGrew & Viega, revised
// 2005, Appendix B: test cases 13-18 are the AES-256 ones.
const char kTc15Key[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
const char kTc15Plaintext[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657b"
    "a637b391aafd255";
const char kTc16Plaintext[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657b"
    "a637b39";
const char kTc16Aad[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

const KnownAnswer kTestCase13 = {"0000000000000000000000000000000000000000000000000000000000000000",
                                 "000000000000000000000000",
                                 "",
                                 "",
                                 "",
                                 "530f8afbc74536b9a963b4f1c4cb738b"};
const KnownAnswer kTestCase14 = {"0000000000000000000000000000000000000000000000000000000000000000",
                                 "000000000000000000000000",
                                 "00000000000000000000000000000000",
                                 "",
                                 "cea7403d4d606b6e074ec5d3baf39d18",
                                 "d0d1c8a799996bf0265b98b5d48ab919"};
const KnownAnswer kTestCase15 = {
    kTc15Key,
    "cafebabefacedbaddecaf888",
    kTc15Plaintext,
    "",
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
    "56828838c5f61e6393ba7a0abcc9f662898015ad",
    "b094dac5d93471bdec1a502270e3cc6c"};
const KnownAnswer kTestCase16 = {
    kTc15Key,
    "cafebabefacedbaddecaf888",
    kTc16Plaintext,
    kTc16Aad,
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
    "56828838c5f61e6393ba7a0abcc9f662",
    "76fc6ece0f4e1768cddf8853bb2d551b"};
// 8-byte and 60-byte nonces: GCM hashes a nonce that is not 12 bytes into the
// first counter block, a different path through the cipher.
const KnownAnswer kTestCase17 = {
    kTc15Key,
    "cafebabefacedbad",
    kTc16Plaintext,
    kTc16Aad,
    "c3762df1ca787d32ae47c13bf19844cbaf1ae14d0b976afac52ff7d79bba9de0feb582d33934a4f0954cc236"
    "3bc73f7862ac430e64abe499f47c9b1f",
    "3a337dbf46a792c45e454913fe2ea8f2"};
const KnownAnswer kTestCase18 = {
    kTc15Key,
    "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e242"
    "9a6b525416aedbf5a0de6a57a637b39b",
    kTc16Plaintext,
    kTc16Aad,
    "5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf40fc0c3b780f244452da3ebf1"
    "c5d82cdea2418997200ef82e44ae7e3f",
    "a44a8266ee1c8eb0c8b5d4cf5ae9f19a"};

// Seals and opens with a fresh key object, with the one-shot functions and with
// open_into, and compares each with the known answer.
void expect_known_answer(const KnownAnswer& kat) {
  const Bytes key = from_hex(kat.key);
  const Bytes nonce = from_hex(kat.nonce);
  const Bytes plaintext = from_hex(kat.plaintext);
  const Bytes aad = from_hex(kat.aad);
  const std::string sealed_hex = std::string(kat.ciphertext) + kat.tag;
  const Bytes sealed = from_hex(sealed_hex);

  Aes256Gcm cipher(key);
  EXPECT_EQ(to_hex(cipher.seal(nonce, aad, plaintext)), sealed_hex);
  EXPECT_EQ(to_hex(cipher.open(nonce, aad, sealed)), kat.plaintext);
  EXPECT_EQ(to_hex(aes256gcm_seal(key, nonce, aad, plaintext)), sealed_hex);
  EXPECT_EQ(to_hex(aes256gcm_open(key, nonce, aad, sealed)), kat.plaintext);

  Bytes out(plaintext.size());
  cipher.open_into(nonce, aad, sealed, out.data());
  EXPECT_EQ(to_hex(out), kat.plaintext);
  Bytes sealed_out(plaintext.size() + kGcmTagSize);
  cipher.seal_into(nonce, aad, plaintext, sealed_out.data());
  EXPECT_EQ(to_hex(sealed_out), sealed_hex);
}

TEST(Aes256Gcm, MatchesGcmSpecTestCase13WithNoPlaintextAndNoAad) { expect_known_answer(kTestCase13); }
TEST(Aes256Gcm, MatchesGcmSpecTestCase14WithOneZeroBlock) { expect_known_answer(kTestCase14); }
TEST(Aes256Gcm, MatchesGcmSpecTestCase15WithFourBlocks) { expect_known_answer(kTestCase15); }
TEST(Aes256Gcm, MatchesGcmSpecTestCase16WithAadAndAPartialBlock) { expect_known_answer(kTestCase16); }
TEST(Aes256Gcm, MatchesGcmSpecTestCase17WithAnEightByteNonce) { expect_known_answer(kTestCase17); }
TEST(Aes256Gcm, MatchesGcmSpecTestCase18WithASixtyByteNonce) { expect_known_answer(kTestCase18); }

// Test cases 15-18 share a key, so one object can serve them all in turn: it
// must switch nonce length and direction between calls without carrying state.
TEST(Aes256Gcm, OneKeyObjectServesManyNonceLengthsAndBothDirections) {
  Aes256Gcm cipher(from_hex(kTc15Key));
  for (int pass = 0; pass < 2; ++pass) {
    for (const KnownAnswer* kat : {&kTestCase15, &kTestCase18, &kTestCase17, &kTestCase16, &kTestCase15}) {
      const Bytes nonce = from_hex(kat->nonce);
      const Bytes aad = from_hex(kat->aad);
      const std::string sealed_hex = std::string(kat->ciphertext) + kat->tag;
      EXPECT_EQ(to_hex(cipher.seal(nonce, aad, from_hex(kat->plaintext))), sealed_hex) << kat->nonce;
      EXPECT_EQ(to_hex(cipher.open(nonce, aad, from_hex(sealed_hex))), kat->plaintext) << kat->nonce;
    }
  }
}

TEST(Aes256Gcm, KeyObjectStillWorksAfterAFailedOpen) {
  Aes256Gcm cipher(from_hex(kTc15Key));
  const Bytes nonce = from_hex(kTestCase16.nonce);
  const Bytes aad = from_hex(kTestCase16.aad);
  Bytes sealed = from_hex(std::string(kTestCase16.ciphertext) + kTestCase16.tag);
  sealed.back() ^= 1;
  EXPECT_THROW(cipher.open(nonce, aad, sealed), CryptoError);
  sealed.back() ^= 1;
  EXPECT_EQ(to_hex(cipher.open(nonce, aad, sealed)), kTestCase16.plaintext);
}

// The fixture message for the property tests: two and a half blocks of
// plaintext, some AAD, a 12-byte nonce.
struct Sealed {
  Bytes key = Bytes(32, 0x42);
  Bytes nonce = from_hex("000102030405060708090a0b");
  Bytes aad = Bytes(as_bytes("header: alice -> bob").begin(), as_bytes("header: alice -> bob").end());
  Bytes plaintext = Bytes(40, 0x5a);
  Bytes ciphertext_and_tag = aes256gcm_seal(key, nonce, aad, plaintext);
};

TEST(Aes256Gcm, FailedOpenIntoWipesTheOutputBuffer) {
  const Sealed s;
  Bytes tampered = s.ciphertext_and_tag;
  tampered.back() ^= 0x01;  // only the tag: every plaintext byte is still decrypted before the check
  Bytes out(s.plaintext.size(), 0xee);
  Aes256Gcm cipher(s.key);
  EXPECT_THROW(cipher.open_into(s.nonce, s.aad, tampered, out.data()), CryptoError);
  EXPECT_NE(out, s.plaintext);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }))
      << "output after a failed open: " << to_hex(out);
}

TEST(Aes256Gcm, FailedOpenThrowsInsteadOfReturningPlaintext) {
  const Sealed s;
  Bytes tampered = s.ciphertext_and_tag;
  tampered[0] ^= 0x80;
  EXPECT_THROW(aes256gcm_open(s.key, s.nonce, s.aad, tampered), CryptoError);
  // The untouched message still opens, so the throw above came from the tamper.
  EXPECT_EQ(aes256gcm_open(s.key, s.nonce, s.aad, s.ciphertext_and_tag), s.plaintext);
}

TEST(Aes256Gcm, TamperingWithAnyCiphertextOrTagByteFails) {
  const Sealed s;
  Aes256Gcm cipher(s.key);
  for (std::size_t i = 0; i < s.ciphertext_and_tag.size(); ++i) {
    for (std::uint8_t mask : {0x01, 0x80, 0xff}) {
      Bytes tampered = s.ciphertext_and_tag;
      tampered[i] ^= mask;
      EXPECT_THROW(cipher.open(s.nonce, s.aad, tampered), CryptoError) << "byte " << i << " mask " << int{mask};
    }
  }
}

TEST(Aes256Gcm, TamperingWithAnyNonceByteFails) {
  const Sealed s;
  Aes256Gcm cipher(s.key);
  for (std::size_t i = 0; i < s.nonce.size(); ++i) {
    for (std::uint8_t mask : {0x01, 0x80, 0xff}) {
      Bytes nonce = s.nonce;
      nonce[i] ^= mask;
      EXPECT_THROW(cipher.open(nonce, s.aad, s.ciphertext_and_tag), CryptoError)
          << "byte " << i << " mask " << int{mask};
    }
  }
}

TEST(Aes256Gcm, TamperingWithAnyAadByteFails) {
  const Sealed s;
  Aes256Gcm cipher(s.key);
  for (std::size_t i = 0; i < s.aad.size(); ++i) {
    for (std::uint8_t mask : {0x01, 0x80, 0xff}) {
      Bytes aad = s.aad;
      aad[i] ^= mask;
      EXPECT_THROW(cipher.open(s.nonce, aad, s.ciphertext_and_tag), CryptoError)
          << "byte " << i << " mask " << int{mask};
    }
  }
}

TEST(Aes256Gcm, DroppedAddedOrShortInputFails) {
  const Sealed s;
  Aes256Gcm cipher(s.key);
  const ByteView sealed(s.ciphertext_and_tag);
  EXPECT_THROW(cipher.open(s.nonce, s.aad, sealed.first(sealed.size() - 1)), CryptoError);
  EXPECT_THROW(cipher.open(s.nonce, s.aad, sealed.last(sealed.size() - 1)), CryptoError);
  Bytes extended = s.ciphertext_and_tag;
  extended.push_back(0);
  EXPECT_THROW(cipher.open(s.nonce, s.aad, extended), CryptoError);
  EXPECT_THROW(cipher.open(s.nonce, {}, sealed), CryptoError);  // AAD left out
  EXPECT_THROW(cipher.open(s.nonce, s.aad, sealed.first(kGcmTagSize - 1)), CryptoError);
  EXPECT_THROW(cipher.open(s.nonce, s.aad, {}), CryptoError);
}

TEST(Aes256Gcm, RejectsKeysThatAreNot32Bytes) {
  EXPECT_THROW(Aes256Gcm(Bytes(16, 1)), CryptoError);
  EXPECT_THROW(Aes256Gcm(Bytes(31, 1)), CryptoError);
  EXPECT_THROW(Aes256Gcm(Bytes(33, 1)), CryptoError);
  EXPECT_THROW(Aes256Gcm(Bytes{}), CryptoError);
}

TEST(Aes256Gcm, AcceptsNoncesOfOneTo128BytesAndRefusesEmptyOrLongerOnes) {
  Aes256Gcm cipher(Bytes(32, 3));
  const Bytes plaintext(20, 0x11);
  for (std::size_t n : {std::size_t{1}, std::size_t{12}, std::size_t{16}, kMaxNonceBytes}) {
    const Bytes nonce(n, 0x22);
    EXPECT_EQ(cipher.open(nonce, {}, cipher.seal(nonce, {}, plaintext)), plaintext) << n << "-byte nonce";
  }
  const Bytes sealed = cipher.seal(Bytes(12, 0x22), {}, plaintext);
  for (std::size_t n : {std::size_t{0}, kMaxNonceBytes + 1}) {
    const Bytes nonce(n, 0x22);
    EXPECT_THROW(cipher.seal(nonce, {}, plaintext), CryptoError) << n << "-byte nonce";
    EXPECT_THROW(cipher.open(nonce, {}, sealed), CryptoError) << n << "-byte nonce";
  }
}

TEST(Aes256Gcm, DifferentNoncesGiveDifferentCiphertexts) {
  Aes256Gcm cipher(Bytes(32, 3));
  const Bytes plaintext(32, 0);
  EXPECT_NE(cipher.seal(Bytes(12, 0), {}, plaintext), cipher.seal(Bytes(12, 1), {}, plaintext));
}

// The ciphertext or tag, or an error marker; one unexpected throw then fails one
// vector instead of ending the loop.
template <typename Fn>
std::string hex_or_error(Fn fn) {
  try {
    return to_hex(fn());
  } catch (const CryptoError& e) {
    return std::string("CryptoError: ") + e.what();
  }
}

bool is_crypto_error_text(const std::string& result) { return result.starts_with("CryptoError: "); }

TEST(Aes256Gcm, FollowsPolicyOnEveryWycheproofVectorWithA256BitKey) {
  const wycheproof::VectorFile file = wycheproof::load("aes_gcm_test.json");
  ASSERT_EQ(file.algorithm, "AES-GCM");
  ERR_clear_error();
  std::size_t run = 0, other_key_sizes = 0, opened = 0, rejected = 0, long_nonce_refused = 0;
  for (const wycheproof::Vector& v : file.vectors) {
    if (v.group_int("keySize") != 256) {
      ++other_key_sizes;
      continue;
    }
    ++run;
    ASSERT_EQ(v.group_int("tagSize"), 128) << v.label();
    const Bytes key = v.bytes("key");
    const Bytes nonce = v.bytes("iv");
    const Bytes aad = v.bytes("aad");
    const Bytes msg = v.bytes("msg");
    Bytes sealed = v.bytes("ct");
    append(sealed, v.bytes("tag"));
    ASSERT_EQ(nonce.size() * 8, static_cast<std::size_t>(v.group_int("ivSize"))) << v.label();

    Aes256Gcm cipher(key);
    const std::string seal_result = hex_or_error([&] { return cipher.seal(nonce, aad, msg); });
    const std::string open_result = hex_or_error([&] { return cipher.open(nonce, aad, sealed); });
    const bool nonce_in_policy = !nonce.empty() && nonce.size() <= kMaxNonceBytes;

    if (v.expectation == wycheproof::Expectation::kValid && nonce_in_policy) {
      ++opened;
      EXPECT_EQ(seal_result, to_hex(sealed)) << v.label();
      EXPECT_EQ(open_result, to_hex(msg)) << v.label();
    } else if (v.expectation == wycheproof::Expectation::kValid) {
      ++long_nonce_refused;
      EXPECT_EQ(v.tc_id, 276) << v.label() << ": only tcId 276 is expected outside our nonce policy";
      EXPECT_TRUE(is_crypto_error_text(seal_result)) << v.label() << " sealed to " << seal_result;
      EXPECT_TRUE(is_crypto_error_text(open_result)) << v.label() << " opened to " << open_result;
    } else if (v.expectation == wycheproof::Expectation::kInvalid) {
      ++rejected;
      EXPECT_TRUE(is_crypto_error_text(open_result)) << v.label() << " opened to " << open_result;
      if (nonce.empty()) {
        EXPECT_TRUE(is_crypto_error_text(seal_result)) << v.label() << " sealed to " << seal_result;
      }
    } else {
      ADD_FAILURE() << v.label() << ": no policy for acceptable AES-GCM vectors; write one";
    }
  }
  EXPECT_EQ(run + other_key_sizes, file.declared_count);
  EXPECT_EQ(run, 105u);  // the keySize-256 groups, counted in the file
  EXPECT_EQ(opened, 75u);
  EXPECT_EQ(long_nonce_refused, 1u);
  EXPECT_EQ(rejected, 29u);  // 27 ModifiedTag + 2 ZeroLengthIv
  // Failed opens must not leave errors queued for a later, unrelated OpenSSL call.
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace sotto::crypto
