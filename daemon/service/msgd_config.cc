#include "daemon/service/msgd_config.h"

#include <stdexcept>

#include "daemon/relay/pin_check.h"
#include "lib/config/document.h"
#include "lib/config/host_port.h"
#include "lib/config/mapping_reader.h"

namespace sotto::msgd {
namespace {

void read_settings(config::MappingReader& top, MsgdConfig& c) {
  if (auto relay = top.optional_host_port("relay", /*allow_names=*/true)) c.relay = config::to_string(*relay);
  if (top.contains("relay_fingerprint")) {
    const std::string text = top.string("relay_fingerprint", "", {.max_bytes = 128, .allow_empty = false});
    try {
      c.relay_fingerprint = normalize_fingerprint(text);
    } catch (const std::invalid_argument& e) {
      top.fail("relay_fingerprint", e.what());
    }
  }
  c.trust_new_identities = top.one_of<TrustPolicy>(
      "trust_new_identities", c.trust_new_identities,
      {{"on-first-use", TrustPolicy::kOnFirstUse}, {"always", TrustPolicy::kAlways}, {"never", TrustPolicy::kNever}});
  c.device_name = top.string("device_name", c.device_name, {.max_bytes = 64, .allow_empty = false});
  c.data_dir = top.path("data_dir", c.data_dir, {.allow_empty = true, .require_absolute = true});
  c.socket = top.path("socket", c.socket, {.allow_empty = true, .require_absolute = true});
  // A cap of 0 would refuse every file but the empty one; the file format
  // itself ends one byte short of 256 TiB.
  c.max_file_size = top.byte_size("max_file_size", c.max_file_size, 1, (256ull << 40) - 1);
  c.auto_download_max = top.byte_size("auto_download_max", c.auto_download_max, 0, 256ull << 40);
  c.download_dir = top.path("download_dir", c.download_dir, {.allow_empty = true, .require_absolute = true});
  c.transfer_rate_limit = top.byte_size("transfer_rate_limit", c.transfer_rate_limit, 0, 1ull << 40);
  // Whole seconds are all the stored times resolve; at an hour or more, the
  // milliseconds a value like "3600001ms" would add do not matter, and are dropped.
  c.skipped_key_max_age = std::chrono::floor<std::chrono::seconds>(
      top.duration("skipped_key_max_age", c.skipped_key_max_age, kMinSkippedKeyMaxAge, kMaxSkippedKeyMaxAge));
  // The format carries at most 1000 members (the relay's recipients per Send
  // plus the sender); a group needs its creator and one more to be useful.
  c.group_max_members = top.integer<std::size_t>("group_max_members", c.group_max_members, 2, 1000);
  c.max_groups = top.integer<std::size_t>("max_groups", c.max_groups, 1, 100000);
}

}  // namespace

std::string_view to_string(TrustPolicy policy) {
  switch (policy) {
    case TrustPolicy::kOnFirstUse:
      return "on-first-use";
    case TrustPolicy::kAlways:
      return "always";
    case TrustPolicy::kNever:
      return "never";
  }
  return "?";
}

MsgdConfig load_msgd_config(const std::filesystem::path& path) {
  MsgdConfig c;
  config::read_mapping(config::load_document(path), [&](config::MappingReader& top) { read_settings(top, c); });
  return c;
}

MsgdConfig parse_msgd_config(std::string_view text, std::string_view name) {
  MsgdConfig c;
  config::read_mapping(config::parse_document(text, name), [&](config::MappingReader& top) { read_settings(top, c); });
  return c;
}

}  // namespace sotto::msgd
