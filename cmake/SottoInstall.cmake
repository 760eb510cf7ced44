# sotto_install_gzipped(SOURCE DESTINATION TARGET): installs SOURCE compressed
# as <name>.gz, as Debian policy wants for man pages and changelogs (gzip -n,
# so the file does not change between builds). TARGET names the build step.
function(sotto_install_gzipped source destination target)
  get_filename_component(name ${source} NAME)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/gz/${name}.gz)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/gz
    COMMAND sh -c "gzip -n -9 -c \"$1\" > \"$2\"" sh ${source} ${out}
    DEPENDS ${source}
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${out})
  install(FILES ${out} DESTINATION ${destination})
endfunction()

# sotto_install_man_page(PAGE SECTION): PAGE (in this folder) into manSECTION.
function(sotto_install_man_page page section)
  get_filename_component(name ${page} NAME)
  sotto_install_gzipped(${CMAKE_CURRENT_SOURCE_DIR}/${page} ${CMAKE_INSTALL_MANDIR}/man${section} sotto_man_${name})
endfunction()
