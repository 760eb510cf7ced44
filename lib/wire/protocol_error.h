#pragma once

#include <string>

#include "lib/wire/relay.pb.h"

namespace sotto::wire {

// Why a frame or request was refused: the code the peer receives in an Error
// frame, and a reason that names the offending field. Reasons never echo
// field contents (they may be secrets, or hostile bytes meant for a log).
struct ProtocolError {
  ErrorCode code = ERROR_UNSPECIFIED;
  std::string reason;

  friend bool operator==(const ProtocolError&, const ProtocolError&) = default;
};

}  // namespace sotto::wire
