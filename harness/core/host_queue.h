/* host_queue.h - the bounded queue each host layer (mt_host.c, ezsp_host.c, zboss_host.c)
 * keeps of the frames that arrive while it waits for something else: append at the end,
 * forgetting the oldest when full, and take any element out with the order of the rest kept.
 * One copy for the three element types (mt_frame, ezsp_host_frame, zboss_msg): the queue is
 * an array of `size`-byte elements and a count. */
#ifndef ZB_HOST_QUEUE_H
#define ZB_HOST_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Appends *elem to the queue of *len elements (at most cap). When it is full the oldest
 * element is dropped first and copied to `dropped` (if not NULL) for the caller to release;
 * returns true then. */
static inline bool zbh_queue_push(void *q, size_t size, int *len, int cap, const void *elem,
                                  void *dropped)
{
    unsigned char *b = q;
    bool full = *len == cap;
    if (full) {
        if (dropped) memcpy(dropped, b, size);
        memmove(b, b + size, (size_t)(cap - 1) * size);
        (*len)--;
    }
    memcpy(b + (size_t)*len * size, elem, size);
    (*len)++;
    return full;
}

/* Moves element i (< *len) to *out and closes the gap. */
static inline void zbh_queue_take(void *q, size_t size, int *len, int i, void *out)
{
    unsigned char *b = q;
    memcpy(out, b + (size_t)i * size, size);
    memmove(b + (size_t)i * size, b + (size_t)(i + 1) * size, (size_t)(*len - i - 1) * size);
    (*len)--;
}

#endif
