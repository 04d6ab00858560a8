# The layers, checked on the sources (cmake -DROOT=<repo> -P check_layering.cmake):
#   - the engine includes nothing of the simulator, the CLI or the exporter;
#   - the simulator's kernel includes nothing of its lab;
#   - no public header includes a test helper (troupe/testing/).
# Include directories already keep the engine from the rest; the kernel and
# the lab share troupe/sim/, so this is what keeps them apart. Every spelling
# of an include counts: quotes or angle brackets, blanks around the `#`.
# (An include through a macro, `#include HEADER`, is not seen: don't.)
set(kernel_headers decision_tape event_hash fault_plan node_recycler pct_strategy prng recorder schedule_strategy service_time
                   sim_scheduler streams)
set(failures "")

# Appends "file: include (why)" to failures for every include of FILES that
# matches FORBIDDEN and, if ALLOWED is not empty, does not match ALLOWED.
function(refuse files forbidden allowed why)
  foreach(file ${files})
    file(STRINGS ${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line ${includes})
      if(line MATCHES "${forbidden}" AND (allowed STREQUAL "" OR NOT line MATCHES "${allowed}"))
        file(RELATIVE_PATH rel ${ROOT} ${file})
        list(APPEND failures "${rel}: ${line} (${why})")
      endif()
    endforeach()
  endforeach()
  set(failures ${failures} PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE engine_files ${ROOT}/engine/include/*.hpp ${ROOT}/engine/src/*.hpp ${ROOT}/engine/src/*.cpp)
refuse("${engine_files}" "[<\"]troupe/(sim|cli|http)/" "" "the engine is below the simulator, the CLI and the exporter")

file(GLOB_RECURSE public_headers ${ROOT}/engine/include/*.hpp ${ROOT}/engine/http/include/*.hpp
     ${ROOT}/sim/include/*.hpp ${ROOT}/cli/include/*.hpp)
refuse("${public_headers}" "[<\"]troupe/testing/" "" "a public header never includes a test helper")

set(kernel_files "")
foreach(name ${kernel_headers})
  if(NOT EXISTS ${ROOT}/sim/include/troupe/sim/${name}.hpp)
    list(APPEND failures "troupe/sim/${name}.hpp is listed as a kernel header but does not exist")
  endif()
  list(APPEND kernel_files ${ROOT}/sim/include/troupe/sim/${name}.hpp)
endforeach()
file(GLOB kernel_sources ${ROOT}/sim/src/kernel/*.cpp)
list(FILTER kernel_sources EXCLUDE REGEX "\\.test\\.cpp$")
list(APPEND kernel_files ${kernel_sources})
list(JOIN kernel_headers "|" kernel_names)
refuse("${kernel_files}" "[<\"]troupe/(sim|cli|http|testing)/" "[<\"]troupe/sim/(${kernel_names})\\.hpp[>\"]"
       "the simulator's kernel never includes its lab")

if(failures)
  list(JOIN failures "\n  " text)
  message(FATAL_ERROR "layering broken:\n  ${text}")
endif()
list(LENGTH engine_files engine_count)
list(LENGTH kernel_files kernel_count)
message(STATUS "layering holds: ${engine_count} engine files, ${kernel_count} kernel files checked")
