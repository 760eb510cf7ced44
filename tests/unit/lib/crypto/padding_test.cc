#include "lib/crypto/padding.h"

#include <gtest/gtest.h>

#include <bit>
#include <limits>
#include <string>
#include <vector>

#include "lib/crypto/error.h"
#include "lib/crypto/random.h"

namespace sotto::crypto {
namespace {

// Every bucket up to 1 MiB + 2 steps, from the definition in the docs rather
// than from padded_size().
std::vector<std::size_t> buckets_up_to_a_few_mib() {
  std::vector<std::size_t> out;
  for (std::size_t b = 256; b <= 65536; b *= 2) out.push_back(b);
  for (std::size_t b = 2 * 65536; b <= 18 * 65536; b += 65536) out.push_back(b);
  return out;
}

bool is_bucket(std::size_t size) {
  if (size < 256) return false;
  if (size <= 65536) return std::has_single_bit(size);
  return size % 65536 == 0;
}

TEST(Padding, RoundTripsEveryLengthFromZeroTo5000) {
  const Bytes source = random_bytes(5000);
  for (std::size_t n = 0; n <= 5000; ++n) {
    const Bytes plaintext(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(n));
    const Bytes padded = pad(plaintext);
    ASSERT_TRUE(is_bucket(padded.size())) << "length " << n << " padded to " << padded.size();
    ASSERT_GT(padded.size(), n);
    ASSERT_EQ(unpad(padded), plaintext) << "length " << n;
  }
}

TEST(Padding, RoundTripsAtEveryBucketEdge) {
  for (const std::size_t bucket : buckets_up_to_a_few_mib()) {
    for (const std::size_t n : {bucket - 2, bucket - 1, bucket, bucket + 1}) {
      SCOPED_TRACE("length " + std::to_string(n));
      const Bytes plaintext(n, 0x5a);
      const Bytes padded = pad(plaintext);
      EXPECT_TRUE(is_bucket(padded.size()));
      EXPECT_EQ(unpad(padded), plaintext);
    }
  }
}

TEST(Padding, PadsToTheSmallestBucketThatHoldsTheMarker) {
  EXPECT_EQ(padded_size(0), 256u);
  EXPECT_EQ(padded_size(255), 256u);
  EXPECT_EQ(padded_size(256), 512u);
  EXPECT_EQ(padded_size(1000), 1024u);
  EXPECT_EQ(padded_size(65535), 65536u);
  EXPECT_EQ(padded_size(65536), 131072u);
  EXPECT_EQ(padded_size(131071), 131072u);
  EXPECT_EQ(padded_size(131072), 196608u);
  EXPECT_EQ(padded_size(1024 * 1024), 1024 * 1024 + 65536u);
  const std::vector<std::size_t> buckets = buckets_up_to_a_few_mib();
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    // The largest plaintext of a bucket and the smallest of the next one.
    EXPECT_EQ(padded_size(buckets[i - 1] - 1), buckets[i - 1]);
    EXPECT_EQ(padded_size(buckets[i - 1]), buckets[i]);
  }
}

TEST(Padding, WritesThePlaintextThen0x80ThenZeros) {
  const Bytes padded = pad(as_bytes("hi"));
  ASSERT_EQ(padded.size(), 256u);
  EXPECT_EQ(padded[0], 'h');
  EXPECT_EQ(padded[1], 'i');
  EXPECT_EQ(padded[2], 0x80);
  for (std::size_t i = 3; i < padded.size(); ++i) EXPECT_EQ(padded[i], 0) << i;
}

TEST(Padding, RoundTripsPlaintextsThatEndInZeroOr0x80Bytes) {
  for (const Bytes& plaintext :
       {Bytes{0x00}, Bytes{0x80}, Bytes{0x80, 0x00}, Bytes{0x00, 0x80}, Bytes(255, 0x80), Bytes(255, 0x00)}) {
    EXPECT_EQ(unpad(pad(plaintext)), plaintext);
  }
}

TEST(Padding, RejectsInputWithoutAMarker) {
  EXPECT_THROW(unpad({}), CryptoError);
  EXPECT_THROW(unpad(Bytes(256, 0x00)), CryptoError);
}

TEST(Padding, RejectsALastNonZeroByteOtherThan0x80) {
  Bytes padded = pad(as_bytes("hello"));
  padded[5] = 0x81;
  EXPECT_THROW(unpad(padded), CryptoError);
  padded[5] = 0x80;
  padded[200] = 0x01;  // junk after the marker
  EXPECT_THROW(unpad(padded), CryptoError);
  Bytes all_ff(256, 0xff);
  EXPECT_THROW(unpad(all_ff), CryptoError);
}

TEST(Padding, RejectsLengthsThatAreNotBuckets) {
  Bytes padded = pad(as_bytes("hello"));
  padded.pop_back();  // 255 bytes
  EXPECT_THROW(unpad(padded), CryptoError);
  padded.resize(257, 0);
  EXPECT_THROW(unpad(padded), CryptoError);
  Bytes tiny = {'a', 0x80};
  EXPECT_THROW(unpad(tiny), CryptoError);
}

TEST(Padding, RejectsMorePaddingThanTheBucketSchemeAdds) {
  // A 10-byte plaintext belongs in the 256 bucket, not the 512 one.
  Bytes oversized(512, 0);
  oversized[10] = 0x80;
  EXPECT_THROW(unpad(oversized), CryptoError);
  // Full bucket of data with the marker as its last byte is canonical...
  Bytes full(256, 0x41);
  full[255] = 0x80;
  EXPECT_EQ(unpad(full).size(), 255u);
  // ...but the same marker position one bucket larger is not.
  full.resize(512, 0);
  EXPECT_THROW(unpad(full), CryptoError);
}

TEST(Padding, RefusesSizesWhoseBucketWouldOverflow) {
  EXPECT_THROW(padded_size(std::numeric_limits<std::size_t>::max()), CryptoError);
  EXPECT_THROW(padded_size(std::numeric_limits<std::size_t>::max() - 65535), CryptoError);
  // The largest size accepted still gets a bucket that holds it and the marker.
  const std::size_t largest = std::numeric_limits<std::size_t>::max() - 65536;
  EXPECT_EQ(padded_size(largest), std::numeric_limits<std::size_t>::max() - 65535);
}

}  // namespace
}  // namespace sotto::crypto
