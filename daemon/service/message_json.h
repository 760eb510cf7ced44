#pragma once

#include <nlohmann/json.hpp>

#include "daemon/store/contact_store.h"
#include "daemon/store/message_store.h"

namespace sotto::msgd {

// The objects of docs/local-api.md.
nlohmann::json to_json(const StoredMessage& message);
nlohmann::json to_json(const Contact& contact);

// export: a conversation as text, one message a line.
std::string conversation_text(const std::vector<StoredMessage>& messages);

}  // namespace sotto::msgd
