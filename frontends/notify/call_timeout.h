#pragma once

#include <chrono>

namespace sotto::notify {

// A frontend never hangs on a dead peer (DESIGN.md): every D-Bus call
// msg-notify makes, to msgd or to the notification server, gives up after
// this. Both answer in milliseconds when they are well.
inline constexpr std::chrono::seconds kCallTimeout{3};

}  // namespace sotto::notify
