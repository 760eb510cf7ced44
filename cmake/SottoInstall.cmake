# sotto_install_man_page(PAGE SECTION): installs a man page compressed, as
# Debian policy wants (gzip -n, so the file does not change between builds).
function(sotto_install_man_page page section)
  get_filename_component(name ${page} NAME)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/man/${name}.gz)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
    COMMAND sh -c "gzip -n -9 -c \"$1\" > \"$2\"" sh ${CMAKE_CURRENT_SOURCE_DIR}/${page} ${out}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${page}
    VERBATIM)
  add_custom_target(sotto_man_${name} ALL DEPENDS ${out})
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endfunction()
