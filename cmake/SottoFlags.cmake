# Build speed (scripts/test builds the tree twice on CI's two cores).
# ccache: a rebuild of an unchanged file costs a hash instead of a compile
# (scripts/test sets it up so that clones share the cache). mold links the ~60 test and
# program binaries several times faster than GNU ld. Both are used when
# installed (scripts/setup-deps installs them) and change no output.
option(SOTTO_CCACHE "Compile through ccache when it is installed" ON)
if(SOTTO_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(SOTTO_CCACHE_PROGRAM ccache)
  if(SOTTO_CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${SOTTO_CCACHE_PROGRAM})
  endif()
endif()
option(SOTTO_MOLD "Link with mold when it is installed" ON)
if(SOTTO_MOLD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  find_program(SOTTO_MOLD_PROGRAM mold)
  if(SOTTO_MOLD_PROGRAM)
    add_link_options(-fuse-ld=mold)
  endif()
endif()

# Warnings for our own code only: third-party headers come in as SYSTEM.
add_library(sotto_warnings INTERFACE)
target_compile_options(sotto_warnings INTERFACE -Wall -Wextra -Wpedantic -Werror)
# g++ 12 at -O2/-O3 reports -Wrestrict inside libstdc++'s std::string for
# plain `"x" + s + "y"` (GCC bug 105329, fixed in 13): a false positive in the
# library's code, not ours, so it is off for that compiler only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(sotto_warnings INTERFACE -Wno-restrict)
endif()

# g++ before 14 at -O2 (RelWithDebInfo; -O0 and -O3 do not show it) reports
# -Wmismatched-new-delete for coroutine frames of Boost.Asio's awaitable: the
# frame comes from the class's own operator new and goes back to its own
# operator delete, but the compiler pairs the delete with the global new it
# sees inlined (GCC bug 109224, "false positive with a templated operator new
# (common with coroutines)", fixed in 14). A false positive inside the
# library's code, so it is off for that compiler at that build type only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 14)
  target_compile_options(sotto_warnings INTERFACE $<$<CONFIG:RelWithDebInfo>:-Wno-mismatched-new-delete>)
endif()

# In a unity build (the ci and asan presets) each .cc is #included into a
# generated file, so g++ treats it like a header and -Wsubobject-linkage
# reports every coroutine frame that holds a type from the file's anonymous
# namespace. That warning guards against one class defined differently in
# several translation units through a shared header; a .cc included exactly
# once cannot do that, so it is off for unity builds only.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(sotto_warnings INTERFACE -Wno-subobject-linkage)
endif()

# Release hardening: fortify, stack protector, full RELRO, PIE.
if(CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo)$")
  add_compile_options(-D_FORTIFY_SOURCE=2 -fstack-protector-strong)
  add_link_options(-Wl,-z,relro,-z,now -pie)
endif()

# Fuzzing (the fuzz preset): libFuzzer comes with clang only. Every library
# is compiled with the fuzzer's coverage instrumentation (fuzzer-no-link), so
# the edges it counts and steers by include the parsers inside lib/ and the
# programs' libraries, not only the target's own file; libFuzzer's main() is
# linked into the fuzz targets alone (sotto_fuzz_target in SottoTesting.cmake).
if(SOTTO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SOTTO_FUZZ=ON needs clang for libFuzzer (the fuzz preset sets clang++), "
                        "not ${CMAKE_CXX_COMPILER_ID}; without it the targets replay their corpus under any compiler")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(SOTTO_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  # clang's -fsanitize=function (part of "undefined" there, not in g++) puts
  # data before each function that points at it relative to the function; a
  # coroutine's split-off parts land in other sections, and clang 14 stops
  # with "Cannot represent a difference across sections" on every file with
  # an Asio coroutine. That one check (calls through a mistyped function
  # pointer) is off under clang; the rest of UBSan stays.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    add_compile_options(-fno-sanitize=function)
  endif()
elseif(SOTTO_SANITIZE STREQUAL "thread")
  # -Wtsan flags Boost.Asio's std::atomic_thread_fence, which TSan does not
  # model; keep it a warning so -Werror does not stop the TSan build.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-error=tsan)
  add_link_options(-fsanitize=thread)
elseif(NOT SOTTO_SANITIZE STREQUAL "")
  message(FATAL_ERROR "SOTTO_SANITIZE must be '', 'address' or 'thread', not '${SOTTO_SANITIZE}'")
endif()
