#include "relayd/auth/password_hasher.h"

#include <argon2.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "relayd/auth/argon2id_phc.h"

namespace sotto::relayd {
namespace {

using std::chrono::steady_clock;

// The reference implementation's Argon2id vector (see argon2id_phc_test.cc).
constexpr std::string_view kReference =
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

// A valid Argon2id string far below OWASP's costs (64 KiB, one pass), made by
// libargon2 directly: for tests that run many verifications and only care
// about parsing and the outcome, not the cost.
std::string cheap_hash(std::string_view password) {
  const std::string salt = "0123456789abcdef";
  std::string encoded(argon2_encodedlen(1, 64, 1, 16, 32, Argon2_id), '\0');
  const int rc = argon2id_hash_encoded(1, 64, 1, password.data(), password.size(), salt.data(), salt.size(), 32,
                                       encoded.data(), encoded.size());
  EXPECT_EQ(rc, ARGON2_OK);
  encoded.resize(encoded.find('\0'));
  return encoded;
}

template <typename F>
std::chrono::microseconds time_of(F&& f) {
  const auto start = steady_clock::now();
  f();
  return std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - start);
}

TEST(PasswordHasher, HashesWithArgon2idAtTheDefaultParameters) {
  const std::string encoded = hash_password("correct horse battery staple");
  EXPECT_TRUE(encoded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << encoded;
  const auto phc = parse_argon2id_phc(encoded);
  ASSERT_TRUE(phc.has_value());
  EXPECT_EQ(phc->salt.size(), 16u);
  EXPECT_EQ(phc->hash.size(), 32u);
}

TEST(PasswordHasher, VerifiesTheRightPasswordAndRejectsWrongOnes) {
  const std::string encoded = hash_password("correct horse battery staple");
  EXPECT_TRUE(verify_password("correct horse battery staple", encoded));
  EXPECT_FALSE(verify_password("correct horse battery staplE", encoded));
  EXPECT_FALSE(verify_password("correct horse battery stapl", encoded));
  EXPECT_FALSE(verify_password("", encoded));
}

TEST(PasswordHasher, TwoHashesOfOnePasswordDifferBecauseOfTheSalt) {
  const std::string a = hash_password("same password");
  const std::string b = hash_password("same password");
  EXPECT_NE(a, b);
  EXPECT_NE(parse_argon2id_phc(a)->salt, parse_argon2id_phc(b)->salt);
  EXPECT_TRUE(verify_password("same password", a));
  EXPECT_TRUE(verify_password("same password", b));
}

TEST(PasswordHasher, VerifiesTheReferenceImplementationsVector) {
  EXPECT_TRUE(verify_password("password", kReference));
  EXPECT_FALSE(verify_password("Password", kReference));
}

TEST(PasswordHasher, TreatsEveryByteOfThePasswordIncludingNul) {
  const std::string with_nul("pass\0word", 9);
  const std::string encoded = hash_password(with_nul);
  EXPECT_TRUE(verify_password(with_nul, encoded));
  EXPECT_FALSE(verify_password("pass", encoded));
  EXPECT_FALSE(verify_password("password", encoded));
}

TEST(PasswordHasher, HashesWithStrongerParametersWhenAsked) {
  const Argon2Params stronger{32768, 3, 2};
  const std::string encoded = hash_password("pw", stronger);
  EXPECT_TRUE(encoded.starts_with("$argon2id$v=19$m=32768,t=3,p=2$")) << encoded;
  EXPECT_TRUE(verify_password("pw", encoded));
  EXPECT_FALSE(needs_rehash(encoded, stronger));
  EXPECT_TRUE(needs_rehash(encoded, Argon2Params{}));
}

TEST(PasswordHasher, RefusesParametersBelowTheOwaspMinimum) {
  const std::vector<Argon2Params> weak = {{19455, 2, 1}, {19456, 1, 1}, {19456, 2, 0}, {65536, 1, 1}, {0, 0, 0}};
  for (const auto& params : weak) {
    EXPECT_TRUE(check_argon2_params(params).has_value());
    EXPECT_THROW(hash_password("pw", params), PasswordHashError);
    EXPECT_THROW(verify_against_dummy("pw", params), PasswordHashError);
  }
  EXPECT_EQ(check_argon2_params({19455, 2, 1}).value_or(""),
            "memory_kib must be at least 19456 (OWASP minimum for Argon2id), got 19455");
  EXPECT_FALSE(check_argon2_params(kMinArgon2Params).has_value());
}

TEST(PasswordHasher, RefusesParametersAboveTheCaps) {
  const std::vector<Argon2Params> absurd = {{kMaxArgon2MemoryKib + 1, 2, 1},
                                            {19456, kMaxArgon2Iterations + 1, 1},
                                            {19456, 2, kMaxArgon2Parallelism + 1},
                                            {4294967295u, 2, 1}};
  for (const auto& params : absurd) {
    EXPECT_TRUE(check_argon2_params(params).has_value());
    EXPECT_THROW(hash_password("pw", params), PasswordHashError);
  }
  EXPECT_EQ(check_argon2_params({19456, 2, 17}).value_or(""), "parallelism must be at most 16, got 17");
}

TEST(PasswordHasher, ReturnsFalseForMalformedEncodedStrings) {
  const std::string good = cheap_hash("pw");
  ASSERT_TRUE(verify_password("pw", good));  // the cheap form itself is accepted

  std::vector<std::string> bad = {
      "",
      "$argon2id$",
      "not a hash at all",
      // The reference implementation's Argon2i vector: valid, but not Argon2id.
      "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
      // No version (libargon2 would read it as v16).
      "$argon2id$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$" + good.substr(good.rfind('$') + 1),
      // Tag shorter than 16 bytes, salt shorter than 8 bytes.
      "$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAA",
      "$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Ng$" + good.substr(good.rfind('$') + 1),
      // Below libargon2's own limits (t=0, m < 8 KiB per lane): it refuses them.
      "$argon2id$v=19$m=64,t=0,p=1$MDEyMzQ1Njc4OWFiY2RlZg$" + good.substr(good.rfind('$') + 1),
      "$argon2id$v=19$m=7,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$" + good.substr(good.rfind('$') + 1),
      good + "A",
      std::string(300, 'A'),
      std::string(1 << 20, '$'),
  };
  // Every truncation of a valid string.
  for (std::size_t length = 0; length < good.size(); ++length) bad.push_back(good.substr(0, length));
  for (const auto& encoded : bad) {
    EXPECT_FALSE(verify_password("pw", encoded)) << encoded.substr(0, 120);
  }
}

TEST(PasswordHasher, RefusesAbsurdEncodedParametersBeforeAllocating) {
  const std::string rest = "$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  // Just over the memory cap (libargon2 would fill 256 MiB, taking far longer
  // than the budget below), 4 TiB, 2^32-1 passes, 2^24-1 threads.
  const std::vector<std::string> absurd = {
      "$argon2id$v=19$m=" + std::to_string(kMaxArgon2MemoryKib + 1) + ",t=2,p=1" + rest,
      "$argon2id$v=19$m=4294967295,t=2,p=1" + rest,
      "$argon2id$v=19$m=4294967295,t=4294967295,p=4294967295" + rest,
      "$argon2id$v=19$m=19456,t=4294967295,p=1" + rest,
      "$argon2id$v=19$m=19456,t=2,p=16777215" + rest,
  };
  for (const auto& encoded : absurd) {
    bool result = true;
    const auto took = time_of([&] { result = verify_password("pw", encoded); });
    EXPECT_FALSE(result) << encoded;
    // Refusal is parsing only (microseconds). Running libargon2 would take
    // over half a second for 256 MiB and forever for 2^32-1 passes; the
    // margin leaves room for a busy machine's scheduling delays.
    EXPECT_LT(took, std::chrono::milliseconds(200)) << encoded;
  }
}

TEST(PasswordHasher, DummyVerificationReturnsFalseEvenForTheRightLookingPassword) {
  EXPECT_FALSE(verify_against_dummy("password"));
  EXPECT_FALSE(verify_against_dummy(""));
  EXPECT_FALSE(verify_against_dummy("password", Argon2Params{32768, 2, 1}));
}

TEST(PasswordHasher, DummyVerificationCostsAsMuchAsARealOne) {
  const std::string encoded = hash_password("pw");
  // The fastest of three interleaved runs of each, to shed scheduling noise
  // on a shared machine. Equal work gives a ratio near 1; a dummy that
  // skipped the Argon2 run would be thousands of times faster, one with
  // other parameters several times off.
  auto real = std::chrono::microseconds::max();
  auto dummy = std::chrono::microseconds::max();
  for (int i = 0; i < 3; ++i) {
    real = std::min(real, time_of([&] { EXPECT_FALSE(verify_password("wrong", encoded)); }));
    dummy = std::min(dummy, time_of([&] { EXPECT_FALSE(verify_against_dummy("wrong")); }));
  }
  EXPECT_GT(dummy * 3, real) << "dummy " << dummy.count() << " us, real " << real.count() << " us";
  EXPECT_GT(real * 3, dummy) << "dummy " << dummy.count() << " us, real " << real.count() << " us";
}

TEST(PasswordHasher, NeedsRehashWhenParametersDifferOrTheStringIsUnreadable) {
  const std::string encoded = hash_password("pw");
  EXPECT_FALSE(needs_rehash(encoded, Argon2Params{}));
  EXPECT_TRUE(needs_rehash(encoded, Argon2Params{19456, 3, 1}));
  EXPECT_TRUE(needs_rehash(encoded, Argon2Params{47104, 2, 1}));
  EXPECT_TRUE(needs_rehash(encoded, Argon2Params{19456, 2, 2}));
  EXPECT_TRUE(needs_rehash(kReference, Argon2Params{65536, 2, 1}));  // 8-byte salt, not ours
  EXPECT_TRUE(needs_rehash("garbage", Argon2Params{}));
}

TEST(PasswordHasher, VerifiesConcurrentlyFromFourThreads) {
  const std::string alice = cheap_hash("alice-password");
  const std::string bob = cheap_hash("bob-password");
  std::atomic<int> right{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (verify_password("alice-password", alice) && verify_password("bob-password", bob)) ++right;
        if (verify_password("alice-password", bob) || verify_password("bob-password", alice)) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(right.load(), 100);
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace sotto::relayd
