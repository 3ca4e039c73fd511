# Warning, hardening and sanitizer flags as INTERFACE targets (STYLE.md §6): link them privately to
# the project's own targets only, never to third-party code, and never touch CMAKE_C_FLAGS.

add_library(fls_warnings INTERFACE)
target_compile_options(fls_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wformat=2 -Wconversion -Wsign-conversion -Wshadow
  -Wstrict-prototypes -Wmissing-prototypes -Wcast-qual -Wvla -Wimplicit-fallthrough
  -Werror=format-security)
if(FLS_WERROR)
  target_compile_options(fls_warnings INTERFACE -Werror)
endif()

# Tests and test hosts: same warnings, minus the ones cmocka's macros trip over.
add_library(fls_test_warnings INTERFACE)
target_compile_options(fls_test_warnings INTERFACE -Wall -Wextra -Wformat=2 -Wshadow -Wvla
  -Werror=format-security)
if(FLS_WERROR)
  target_compile_options(fls_test_warnings INTERFACE -Werror)
endif()

# OpenSSF "Compiler Options Hardening Guide for C and C++". No -z nodlopen (breaks dlopen, STYLE §6).
add_library(fls_hardening INTERFACE)
if(NOT FLS_SANITIZE)
  target_compile_options(fls_hardening INTERFACE -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3)
endif()
target_compile_options(fls_hardening INTERFACE -fstack-protector-strong)
check_c_compiler_flag(-fstack-clash-protection FLS_HAVE_STACK_CLASH)
if(FLS_HAVE_STACK_CLASH)
  target_compile_options(fls_hardening INTERFACE -fstack-clash-protection)
endif()
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  check_c_compiler_flag(-fcf-protection=full FLS_HAVE_CF_PROTECTION)
  if(FLS_HAVE_CF_PROTECTION)
    target_compile_options(fls_hardening INTERFACE -fcf-protection=full)
  endif()
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  target_compile_options(fls_hardening INTERFACE -mbranch-protection=standard)
endif()
check_c_compiler_flag(-fstrict-flex-arrays=3 FLS_HAVE_STRICT_FLEX)
if(FLS_HAVE_STRICT_FLEX)
  target_compile_options(fls_hardening INTERFACE -fstrict-flex-arrays=3)
endif()
target_link_options(fls_hardening INTERFACE "LINKER:-z,relro" "LINKER:-z,now" "LINKER:-z,noexecstack"
  "LINKER:--as-needed")

# Executables (the CLI) are position-independent executables.
add_library(fls_pie INTERFACE)
target_compile_options(fls_pie INTERFACE -fPIE)
target_link_options(fls_pie INTERFACE -pie)

# -DFLS_SANITIZE=address,undefined: applied to everything the project builds (core, plugin, tests).
if(FLS_SANITIZE)
  add_compile_options(-fsanitize=${FLS_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${FLS_SANITIZE})
endif()
