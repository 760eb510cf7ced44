# Every dependency is a Debian package found on the system; nothing is downloaded.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)
find_package(Boost 1.74 REQUIRED)
# Boost 1.74's Asio turns co_await support on under clang only if libc++'s
# <experimental/coroutine> exists. With libstdc++ (Debian's clang uses it)
# that header is absent, yet clang 14 in C++20 has the standard <coroutine>,
# which Asio already selects (it sets BOOST_ASIO_HAS_STD_COROUTINE for every
# compiler that defines __GNUC__, clang included). Said once for the whole
# tree, so that every file that includes Asio sees the same definitions.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_compile_definitions(BOOST_ASIO_HAS_CO_AWAIT=1)
endif()
find_package(Protobuf 3.21 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(sdbus-c++ 1.2 REQUIRED)
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
# relayd's shared store and bus for several nodes (docs/operations.md
# "Several relays"): PostgreSQL through libpqxx 6.4, Redis through hiredis.
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
if(SOTTO_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(SOTTO_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
