# `cmake --install`: the libraries, their public headers, the troupe command,
# a CMake package (find_package(troupe) gives troupe::engine, troupe::sim,
# troupe::metrics_http, troupe::cli) and a pkg-config file for the engine.
include(CMakePackageConfigHelpers)

set(TROUPE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/troupe)
set(troupe_targets troupe_engine troupe_sim_kernel troupe_sim)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/include/ ${PROJECT_SOURCE_DIR}/sim/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TROUPE_BUILD_METRICS_HTTP)
  list(APPEND troupe_targets troupe_metrics_http)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/http/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
if(TROUPE_BUILD_CLI)
  list(APPEND troupe_targets troupe_cli)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/cli/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(TARGETS troupe_command RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(TARGETS ${troupe_targets} EXPORT troupeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT troupeTargets NAMESPACE troupe:: DESTINATION ${TROUPE_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/troupeConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/troupeConfig.cmake
                              INSTALL_DESTINATION ${TROUPE_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API, so only the same minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/troupeConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/troupeConfig.cmake ${PROJECT_BINARY_DIR}/troupeConfigVersion.cmake
        DESTINATION ${TROUPE_INSTALL_CMAKEDIR})

# The prefix relative to the .pc file, so the installed tree can move.
set(TROUPE_PC_PREFIX "\${pcfiledir}")
string(REPLACE "/" ";" pc_dirs "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
foreach(dir ${pc_dirs})
  string(APPEND TROUPE_PC_PREFIX "/..")
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/troupe.pc.in ${PROJECT_BINARY_DIR}/troupe.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/troupe.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The licence travels with the binaries (Apache-2.0 asks for it), and the
# changelog tells a user of the installed package what changed.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/CHANGELOG.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
