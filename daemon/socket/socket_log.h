#pragma once

#include <string_view>

namespace sotto::msgd {

// One line on stderr: "msgd: event=NAME k=v ...". fields is already
// formatted; callers put in it only names, numbers and error texts, never
// request params (they carry passwords and message text).
void log_socket_event(std::string_view event, std::string_view fields = {});

}  // namespace sotto::msgd
