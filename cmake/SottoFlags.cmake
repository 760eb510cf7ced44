# Warnings for our own code only: third-party headers come in as SYSTEM.
add_library(sotto_warnings INTERFACE)
target_compile_options(sotto_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror)
# g++ 12 at -O2/-O3 reports -Wrestrict inside libstdc++'s std::string for
# plain `"x" + s + "y"` (GCC bug 105329, fixed in 13): a false positive in the
# library's code, not ours, so it is off for that compiler only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(sotto_warnings INTERFACE -Wno-restrict)
endif()

# Release hardening: fortify, stack protector, full RELRO, PIE.
if(CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo)$")
  add_compile_options(-D_FORTIFY_SOURCE=2 -fstack-protector-strong)
  add_link_options(-Wl,-z,relro,-z,now -pie)
endif()

if(SOTTO_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(SOTTO_SANITIZE STREQUAL "thread")
  # -Wtsan flags Boost.Asio's std::atomic_thread_fence, which TSan does not
  # model; keep it a warning so -Werror does not stop the TSan build.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-error=tsan)
  add_link_options(-fsanitize=thread)
elseif(NOT SOTTO_SANITIZE STREQUAL "")
  message(FATAL_ERROR "SOTTO_SANITIZE must be '', 'address' or 'thread', not '${SOTTO_SANITIZE}'")
endif()
