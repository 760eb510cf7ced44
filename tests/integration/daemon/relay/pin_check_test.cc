#include "daemon/relay/pin_check.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <vector>

namespace sotto::msgd {
namespace {

class MapPinStore : public PinStore {
 public:
  std::optional<std::string> load_pin(const std::string& relay) override {
    ++loads;
    const auto it = pins.find(relay);
    if (it == pins.end()) return std::nullopt;
    return it->second;
  }
  void save_pin(const std::string& relay, const std::string& fingerprint) override {
    ++saves;
    pins[relay] = fingerprint;
  }
  std::map<std::string, std::string> pins;
  int loads = 0;
  int saves = 0;
};

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kRelay = "relay.example.org:7443";

TEST(PinCheckTest, FirstUseSavesThePresentedFingerprint) {
  MapPinStore store;
  check_pin(store, kRelay, std::nullopt, kA);
  ASSERT_EQ(store.pins.count(kRelay), 1U);
  EXPECT_EQ(store.pins[kRelay], kA);
  EXPECT_EQ(store.saves, 1);
}

TEST(PinCheckTest, SameFingerprintAgainIsAcceptedWithoutSaving) {
  MapPinStore store;
  store.pins[kRelay] = kA;
  EXPECT_NO_THROW(check_pin(store, kRelay, std::nullopt, kA));
  EXPECT_EQ(store.saves, 0);
}

TEST(PinCheckTest, ADifferentCertificateIsRefusedNamingBothAndTheWayOut) {
  MapPinStore store;
  store.pins[kRelay] = kA;
  try {
    check_pin(store, kRelay, std::nullopt, kB);
    FAIL() << "no mismatch reported";
  } catch (const RelayPinMismatch& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(kRelay), std::string::npos) << what;
    EXPECT_NE(what.find(kA), std::string::npos) << what;
    EXPECT_NE(what.find(kB), std::string::npos) << what;
    EXPECT_NE(what.find("if the relay's certificate really changed, run `msgctl relay forget`"), std::string::npos)
        << what;
    EXPECT_EQ(e.relay(), kRelay);
    EXPECT_EQ(e.pinned(), kA);
    EXPECT_EQ(e.presented(), kB);
    EXPECT_EQ(e.source(), RelayPinMismatch::Source::kStored);
  }
  EXPECT_EQ(store.pins[kRelay], kA) << "a mismatch must not replace the pin";
}

TEST(PinCheckTest, PinsAreKeptPerRelay) {
  MapPinStore store;
  check_pin(store, "one:7443", std::nullopt, kA);
  check_pin(store, "two:7443", std::nullopt, kB);
  EXPECT_EQ(store.pins["one:7443"], kA);
  EXPECT_EQ(store.pins["two:7443"], kB);
  EXPECT_THROW(check_pin(store, "one:7443", std::nullopt, kB), RelayPinMismatch);
}

TEST(PinCheckTest, ConfiguredFingerprintMustMatchAndIsNeverStored) {
  MapPinStore store;
  EXPECT_NO_THROW(check_pin(store, kRelay, kA, kA));
  EXPECT_EQ(store.saves, 0);
  try {
    check_pin(store, kRelay, kB, kA);
    FAIL() << "no mismatch reported";
  } catch (const RelayPinMismatch& e) {
    EXPECT_EQ(e.source(), RelayPinMismatch::Source::kConfigured);
    const std::string what = e.what();
    EXPECT_NE(what.find(kA), std::string::npos);
    EXPECT_NE(what.find(kB), std::string::npos);
    EXPECT_NE(what.find("configured"), std::string::npos);
  }
}

TEST(PinCheckTest, ConfiguredFingerprintOverridesAStoredOne) {
  // The user set it on purpose (e.g. after a certificate change).
  MapPinStore store;
  store.pins[kRelay] = kA;
  EXPECT_NO_THROW(check_pin(store, kRelay, kB, kB));
  EXPECT_THROW(check_pin(store, kRelay, kA, kB), RelayPinMismatch);
}

TEST(PinCheckTest, ComparisonIgnoresCaseAndByteSeparators) {
  MapPinStore store;
  std::string upper = "SHA256:" + std::string(64, 'A');
  EXPECT_NO_THROW(check_pin(store, kRelay, upper, kA));
  std::string colons;
  for (int i = 0; i < 32; ++i) colons += (i == 0 ? "" : ":") + std::string("AA");
  EXPECT_NO_THROW(check_pin(store, kRelay, colons, kA));
  store.pins[kRelay] = "sha256:" + std::string(64, 'A');
  EXPECT_NO_THROW(check_pin(store, kRelay, std::nullopt, kA));
}

TEST(PinCheckTest, MalformedConfiguredFingerprintIsAnErrorNotAMatch) {
  MapPinStore store;
  for (const std::string& bad : std::vector<std::string>{
           "", "sha256:", "sha256:abc", "sha256:" + std::string(63, 'a'), "sha256:" + std::string(65, 'a'),
           "sha256:" + std::string(64, 'g'), "md5:" + std::string(64, 'a'), std::string(64, 'a') + "\n",
           std::string("sha256:") + std::string(63, 'a') + '\0'}) {
    EXPECT_THROW(check_pin(store, kRelay, bad, kA), std::invalid_argument) << bad;
  }
  EXPECT_EQ(store.saves, 0);
}

TEST(PinCheckTest, MalformedStoredPinNeverMatches) {
  MapPinStore store;
  store.pins[kRelay] = "garbage";
  EXPECT_THROW(check_pin(store, kRelay, std::nullopt, kA), RelayPinMismatch);
  EXPECT_EQ(store.pins[kRelay], "garbage");
}

TEST(PinCheckTest, NormalizeProducesTheCanonicalForm) {
  EXPECT_EQ(normalize_fingerprint(std::string(64, 'F')), "sha256:" + std::string(64, 'f'));
  EXPECT_EQ(normalize_fingerprint(kA), kA);
  EXPECT_THROW(normalize_fingerprint(std::string(100000, 'a')), std::invalid_argument);
}

}  // namespace
}  // namespace sotto::msgd
