# layering.cmake - the arrows between the libraries, as tests: for each layer, a probe that
# includes one of the layer's own headers and then a header the layer must not see (the core a
# protocol's, a protocol another protocol's) fails to compile, and fails on that second header
# (the compiler's message names it, so the first one was found). Each probe is an object
# library outside `all`; ctest builds it. Included by CMakeLists.txt when ZB_TESTS.
set(ZB_LAYER_PROBES
  # library         its own header       a header it must not see
  "zbproto          schema.h             mt.h"
  "zbproto_mt       mt.h                 zboss.h"
  "zbproto_ezsp     ezsp.h               mt.h"
  "zbproto_zboss    zboss.h              ash.h"
  "zbemu_core       emu.h                znp_frontend.h"
  "zbemu_znp        znp_frontend.h       ezsp_nv.h"
  "zbemu_ezsp       ezsp_frontend.h      zboss_nv.h"
  "zbemu_zboss      zboss_frontend.h     mt.h"
  "zbh_core         ops.h                mt_host.h"
  "zbh_znp          mt_host.h            zboss_host.h"
  "zbh_ezsp         ezsp_host.h          mt.h"
  "zbh_zboss        zboss_host.h         ezsp_host.h")
set(i 0)
foreach(row ${ZB_LAYER_PROBES})
  string(REGEX REPLACE " +" ";" row "${row}")
  list(GET row 0 lib)
  list(GET row 1 own)
  list(GET row 2 foreign)
  foreach(kind foreign)
    set(t layer_${i}_${kind})
    add_library(${t} OBJECT EXCLUDE_FROM_ALL tests/build/probe.c)
    target_link_libraries(${t} PRIVATE ${lib})
    target_compile_definitions(${t} PRIVATE PROBE_OWN="${own}")
    if(kind STREQUAL "foreign")
      target_compile_definitions(${t} PRIVATE PROBE_FOREIGN="${foreign}")
    endif()
    add_test(NAME layering_${lib}_${kind}_${i}
             COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target ${t})
    # one build of the tree at a time; the foreign header must fail to compile
    set_tests_properties(layering_${lib}_${kind}_${i} PROPERTIES LABELS unit TIMEOUT 120
                         RESOURCE_LOCK build_tree)
    if(kind STREQUAL "foreign")
      set_tests_properties(layering_${lib}_${kind}_${i} PROPERTIES
                           PASS_REGULAR_EXPRESSION "${foreign}: No such file or directory|'${foreign}' file not found")
    endif()
  endforeach()
  math(EXPR i "${i} + 1")
endforeach()
