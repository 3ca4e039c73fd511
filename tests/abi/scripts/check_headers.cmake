# Each public header compiles on its own, as C99 and as C++, with -Wall -Wextra -pedantic -Werror.
foreach(h fls.h fls_plugin.h)
  file(WRITE ${OUT}/hdr_${h}.c "#include <fls/${h}>\nint main(void) { return 0; }\n")
  execute_process(COMMAND ${CC} -std=c99 -Wall -Wextra -pedantic -Werror -I${SRC}/include -c ${OUT}/hdr_${h}.c
                  -o ${OUT}/hdr_${h}.o RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${h} does not compile alone as C99: ${err}")
  endif()
  find_program(CXX NAMES c++ g++ clang++)
  if(CXX)
    file(WRITE ${OUT}/hdr_${h}.cpp "#include <fls/${h}>\nint main() { return 0; }\n")
    execute_process(COMMAND ${CXX} -std=c++11 -Wall -Wextra -pedantic -Werror -I${SRC}/include -c ${OUT}/hdr_${h}.cpp
                    -o ${OUT}/hdr_${h}.cpp.o RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${h} does not compile alone as C++: ${err}")
    endif()
  endif()
endforeach()
