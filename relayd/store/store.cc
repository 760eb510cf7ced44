#include "relayd/store/store.h"

namespace sotto::relayd {

// Defined here so the vtable has one home.
Store::~Store() = default;

}  // namespace sotto::relayd
