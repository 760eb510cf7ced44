#pragma once

// Boost 1.74's <boost/asio/awaitable.hpp> uses std::exchange without including
// <utility> (a known pitfall with g++ 12), so every Asio user includes this.
#include <utility>
// clang-format off
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
// clang-format on

namespace sotto::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
template <typename T = void>
using Awaitable = asio::awaitable<T>;

}  // namespace sotto::net
