#pragma once

#include <sdbus-c++/IConnection.h>

#include <functional>
#include <memory>
#include <string>

#include "lib/net/asio.h"

namespace sotto::msgd {

// Drives an sdbus::IConnection from an asio::io_context, so msgd serves D-Bus
// on its one I/O thread with no thread of sdbus-c++'s own: waits on the bus
// fd (for the events sd-bus asks for) and on sd-bus's timeout, then processes
// everything pending, then waits again. Method handlers and signal handlers
// therefore run on the io_context's thread.
//
// Everything here must be called on that thread.
class DbusEventLoop {
 public:
  using FailureHandler = std::function<void(const std::string& reason)>;

  // connection must outlive the loop, or stop() must be called first.
  // on_failure is called once, on the I/O thread, if the bus connection
  // breaks (the loop has then stopped).
  DbusEventLoop(net::asio::io_context& io, sdbus::IConnection& connection, FailureHandler on_failure = {});
  ~DbusEventLoop();
  DbusEventLoop(const DbusEventLoop&) = delete;
  DbusEventLoop& operator=(const DbusEventLoop&) = delete;

  // Processes what is pending and starts waiting.
  void start();
  // Call after writing to the bus outside a dispatch (a late method reply, a
  // signal): sd-bus may have queued the message and now need the fd writable,
  // which the wait armed before did not ask for.
  void wake();
  // Stops waiting; never touches the connection again. The bus fd stays open
  // (it belongs to the connection).
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sotto::msgd
