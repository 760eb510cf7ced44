#pragma once

#include <exception>
#include <type_traits>
#include <utility>

#include "lib/net/asio.h"

namespace sotto::relayd {

// Runs f() on `pool` and resumes the awaiting coroutine on its own executor
// with f's result, or rethrows f's exception there.
//
// Written with async_initiate rather than a lambda coroutine handed to
// co_spawn: g++ 12 destroyed that lambda's captures twice (a double free in
// the Register path), and a plain completion handler has no coroutine frame
// for the compiler to get wrong.
template <typename F>
net::Awaitable<std::invoke_result_t<F&>> run_blocking(net::asio::thread_pool& pool, F f) {
  using R = std::invoke_result_t<F&>;
  namespace asio = net::asio;
  if constexpr (std::is_void_v<R>) {
    return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(
        [&pool](auto handler, F fn) {
          asio::post(pool, [handler = std::move(handler), fn = std::move(fn)]() mutable {
            std::exception_ptr error;
            try {
              fn();
            } catch (...) {
              error = std::current_exception();
            }
            auto ex = asio::get_associated_executor(handler);
            asio::post(ex, [handler = std::move(handler), error]() mutable { std::move(handler)(error); });
          });
        },
        asio::use_awaitable, std::move(f));
  } else {
    return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, R)>(
        [&pool](auto handler, F fn) {
          asio::post(pool, [handler = std::move(handler), fn = std::move(fn)]() mutable {
            std::exception_ptr error;
            R result{};
            try {
              result = fn();
            } catch (...) {
              error = std::current_exception();
            }
            auto ex = asio::get_associated_executor(handler);
            asio::post(ex, [handler = std::move(handler), error, result = std::move(result)]() mutable {
              std::move(handler)(error, std::move(result));
            });
          });
        },
        asio::use_awaitable, std::move(f));
  }
}

}  // namespace sotto::relayd
