# Runs COMMAND (a ;-list) and fails unless it exits with EXPECT_CODE and its
# output (stdout and stderr) matches EXPECT_REGEX: how the CLI tests check
# both the exit code and the message of a bad input.
execute_process(COMMAND ${COMMAND} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL ${EXPECT_CODE})
  message(FATAL_ERROR "exit code ${rc}, expected ${EXPECT_CODE}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT_REGEX}")
  message(FATAL_ERROR "output does not match '${EXPECT_REGEX}'\nstdout:\n${out}\nstderr:\n${err}")
endif()
