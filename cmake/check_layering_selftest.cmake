# The layering check must see every spelling of a forbidden include
# (cmake -DCHECK=<check_layering.cmake> -DWORK=<scratch dir> -P check_layering_selftest.cmake):
# a tree that holds clean passes, and each planted violation fails it.
set(kernel_headers decision_tape event_hash fault_plan node_recycler pct_strategy prng recorder schedule_strategy service_time
                   sim_scheduler streams)

function(fresh_tree)
  file(REMOVE_RECURSE ${WORK})
  file(MAKE_DIRECTORY ${WORK}/engine/include/troupe ${WORK}/engine/src ${WORK}/sim/src/kernel
       ${WORK}/sim/src/lab ${WORK}/cli/include)
  foreach(name ${kernel_headers})
    file(WRITE ${WORK}/sim/include/troupe/sim/${name}.hpp "#pragma once\n#include \"troupe/sim/prng.hpp\"\n")
  endforeach()
  file(WRITE ${WORK}/sim/include/troupe/sim/stage.hpp "#pragma once\n#include <troupe/sim/prng.hpp>\n")
  file(WRITE ${WORK}/sim/src/kernel/prng.cpp "#include <troupe/sim/prng.hpp>\n#include \"troupe/time.hpp\"\n")
  # Not includes: a comment and a string.
  file(WRITE ${WORK}/engine/src/system.cpp
       "#include \"troupe/system.hpp\"\n// #include <troupe/sim/stage.hpp>\nconst char* s = \"#include <troupe/sim/stage.hpp>\";\n")
endfunction()

function(expect_result planted_file planted_line want_fail)
  fresh_tree()
  if(planted_file)
    file(APPEND ${WORK}/${planted_file} "${planted_line}\n")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${WORK} -P ${CHECK} RESULT_VARIABLE rc OUTPUT_QUIET
                  ERROR_VARIABLE err)
  if(want_fail AND rc EQUAL 0)
    message(FATAL_ERROR "layering check missed `${planted_line}` in ${planted_file}")
  elseif(NOT want_fail AND NOT rc EQUAL 0)
    message(FATAL_ERROR "layering check refused a clean tree (${planted_file}):\n${err}")
  endif()
endfunction()

expect_result("" "" FALSE)
expect_result(sim/src/kernel/prng.cpp "#include \"troupe/sim/stage.hpp\"" TRUE)
expect_result(sim/src/kernel/prng.cpp "#include <troupe/sim/stage.hpp>" TRUE)
expect_result(sim/src/kernel/prng.cpp "  #  include <troupe/sim/workload.hpp>" TRUE)
expect_result(sim/include/troupe/sim/recorder.hpp "#include<troupe/sim/stage.hpp>" TRUE)
expect_result(sim/include/troupe/sim/recorder.hpp "#include <troupe/sim/prng.hpp>" FALSE)
expect_result(engine/src/system.cpp "#include <troupe/sim/stage.hpp>" TRUE)
expect_result(engine/src/system.cpp "#include <troupe/cli/options.hpp>" TRUE)
expect_result(engine/include/troupe/x.hpp "#include <troupe/testing/test_support.hpp>" TRUE)
file(REMOVE_RECURSE ${WORK})
message(STATUS "the layering check sees quoted, angle-bracket and indented includes")
