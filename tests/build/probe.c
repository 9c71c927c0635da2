/* probe.c - compiled by tests/build/layering.cmake against one library's include path at a
 * time: PROBE_OWN names a header of the library itself (it must compile), PROBE_FOREIGN one
 * from a layer the library must not see (it must not). */
#include PROBE_OWN
#ifdef PROBE_FOREIGN
#include PROBE_FOREIGN
#endif

int zb_probe(void);
int zb_probe(void)
{
    return 0;
}
