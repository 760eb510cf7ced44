#include "relayd/bus/delivery_bus.h"

namespace sotto::relayd {

DeliveryBus::~DeliveryBus() = default;

}  // namespace sotto::relayd
