# CPack: `cpack -G DEB` in a build tree configured with CMAKE_INSTALL_PREFIX=/usr
# (the "package" preset) builds sotto_<version>_<arch>.deb from the install
# rules, so the package holds exactly what `cmake --install` installs.
set(CPACK_PACKAGE_NAME sotto)
set(CPACK_PACKAGE_VENDOR "Sotto")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Sotto developers <developers@sotto.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "end-to-end encrypted messenger for the Linux desktop and server")
set(CPACK_PACKAGE_DESCRIPTION
    "Sotto is an end-to-end encrypted messenger. It contains the relay server\n"
    "(relayd, a systemd service that stores and forwards ciphertext it cannot\n"
    "read), the per-user daemon (msgd, which holds the keys and serves a D-Bus\n"
    "and Unix socket API), the command-line client msgctl, the desktop\n"
    "notifier msg-notify and the terminal chat msg-tui.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
# Absolute destinations (/etc/sotto, the systemd unit folders) are staged under
# the package root instead of the real filesystem.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps works out the library packages (libssl3, libsqlite3-0,
# libsdbus-c++1, ...) from the binaries themselves.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# msgd needs a session bus per user; msg-notify a notification server.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "dbus-user-session | dbus-x11")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "dunst | notification-daemon")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# Debian policy: a copyright file and a compressed changelog in the doc folder
# (changelog.gz: the upstream project packages itself, a "native" package),
# and everything under /etc is a conffile.
set(sotto_deb_dir ${CMAKE_BINARY_DIR}/debian-package)
file(MAKE_DIRECTORY ${sotto_deb_dir})
configure_file(${PROJECT_SOURCE_DIR}/packaging/changelog.in ${sotto_deb_dir}/changelog @ONLY)
file(WRITE ${sotto_deb_dir}/conffiles "${SOTTO_RELAYD_CONFIG}\n")
sotto_install_gzipped(${sotto_deb_dir}/changelog ${CMAKE_INSTALL_DOCDIR} sotto_deb_changelog)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${sotto_deb_dir}/conffiles ${PROJECT_SOURCE_DIR}/packaging/postinst
    ${PROJECT_SOURCE_DIR}/packaging/postrm)

include(CPack)
