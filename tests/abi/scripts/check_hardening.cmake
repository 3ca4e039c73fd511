# checksec-style assertions on a built ELF file (SECURITY.md "Hardening"), with readelf:
#   cmake -DFILE=<elf> -DKIND=lib|exe -DFORTIFY=ON|OFF -DREADELF=<readelf> -P check_hardening.cmake
#  - full RELRO: a GNU_RELRO segment and immediate binding (BIND_NOW, or NOW in FLAGS_1);
#  - a non-executable stack: GNU_STACK present and without E;
#  - no text relocations;
#  - exe: position-independent (ELF type DYN with an INTERP segment);
#  - the stack protector: __stack_chk_fail referenced;
#  - FORTIFY=ON: _FORTIFY_SOURCE in effect, i.e. some __*_chk function referenced (it needs an optimised,
#    non-sanitizer build: glibc ignores it at -O0 and FLS_SANITIZE drops it).
if(NOT FILE OR NOT EXISTS "${FILE}")
  message(FATAL_ERROR "check_hardening: no such file '${FILE}'")
endif()
if(NOT READELF)
  set(READELF readelf)
endif()

function(readelf_out opt var)
  execute_process(COMMAND ${READELF} -W ${opt} "${FILE}" OUTPUT_VARIABLE out RESULT_VARIABLE rc
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "readelf ${opt} failed on ${FILE}: ${err}")
  endif()
  set(${var} "${out}" PARENT_SCOPE)
endfunction()

readelf_out(-h hdr)
readelf_out(-l phdr)
readelf_out(-d dyn)
readelf_out(--dyn-syms syms)

set(problems "")
set(ok "")

if(phdr MATCHES "GNU_RELRO")
  list(APPEND ok "RELRO")
else()
  list(APPEND problems "no GNU_RELRO segment (link with -z relro)")
endif()
if(dyn MATCHES "\\(BIND_NOW\\)" OR dyn MATCHES "\\(FLAGS\\)[^\n]*BIND_NOW" OR dyn MATCHES "\\(FLAGS_1\\)[^\n]*NOW")
  list(APPEND ok "BIND_NOW")
else()
  list(APPEND problems "lazy binding: RELRO is only partial (link with -z now)")
endif()
if(dyn MATCHES "TEXTREL")
  list(APPEND problems "text relocations")
endif()

string(REGEX MATCH "GNU_STACK[^\n]*" stack "${phdr}")
if(NOT stack)
  list(APPEND problems "no GNU_STACK segment: the loader may make the stack executable")
elseif(stack MATCHES " RWE ")
  list(APPEND problems "executable stack (${stack})")
else()
  list(APPEND ok "NX stack")
endif()

if(KIND STREQUAL "exe")
  if(hdr MATCHES "Type:[ \t]+DYN" AND phdr MATCHES "INTERP")
    list(APPEND ok "PIE")
  else()
    list(APPEND problems "not a position-independent executable (ELF type must be DYN, with INTERP)")
  endif()
endif()

if(syms MATCHES "__stack_chk_fail")
  list(APPEND ok "stack protector")
else()
  list(APPEND problems "__stack_chk_fail is not referenced: no -fstack-protector-strong")
endif()

if(FORTIFY)
  string(REGEX MATCHALL "__[a-z0-9_]+_chk" chk "${syms}")
  list(REMOVE_ITEM chk "__stack_chk_fail")
  list(REMOVE_DUPLICATES chk)
  if(chk)
    list(LENGTH chk n)
    list(APPEND ok "FORTIFY (${n} __*_chk functions)")
  else()
    list(APPEND problems "no __*_chk function referenced: _FORTIFY_SOURCE is not in effect")
  endif()
else()
  list(APPEND ok "FORTIFY not checked (unoptimised or sanitizer build)")
endif()

if(problems)
  string(REPLACE ";" "\n  " p "${problems}")
  message(FATAL_ERROR "${FILE}: hardening check failed:\n  ${p}")
endif()
string(REPLACE ";" ", " o "${ok}")
message(STATUS "${FILE}: ${o}")
