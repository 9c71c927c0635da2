/* serial.c - libserialport wrapper. Modem lines are left alone: toggling DTR/RTS fails on a
 * pty (ENOTTY) and resets some sticks; the drivers wake devices with protocol frames only. */
#include "serial.h"

#include "log.h"

#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>

struct zbh_serial {
    struct sp_port *port;
    uint64_t tx, rx;
};

static const char *sp_msg(void)
{
    char *m = sp_last_error_message();
    static char buf[256];
    snprintf(buf, sizeof(buf), "%s", m ? m : "unknown error");
    sp_free_error_message(m);
    return buf;
}

zbh_serial *zbh_serial_open(const char *path, int baud, char *err, size_t errlen)
{
    zbh_serial *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (sp_get_port_by_name(path, &s->port) != SP_OK) {
        snprintf(err, errlen, "%s: no such serial port (%s)", path, sp_msg());
        free(s);
        return NULL;
    }
    if (sp_open(s->port, SP_MODE_READ_WRITE) != SP_OK) {
        snprintf(err, errlen, "%s: cannot open: %s", path, sp_msg());
        sp_free_port(s->port);
        free(s);
        return NULL;
    }
    /* On a pty the modem-line part of the configuration fails with ENOTTY; set the line
     * parameters one by one and ignore only those failures. */
    sp_set_baudrate(s->port, baud);
    sp_set_bits(s->port, 8);
    sp_set_parity(s->port, SP_PARITY_NONE);
    sp_set_stopbits(s->port, 1);
    sp_set_xon_xoff(s->port, SP_XONXOFF_DISABLED);
    sp_flush(s->port, SP_BUF_BOTH);
    return s;
}

void zbh_serial_close(zbh_serial *s)
{
    if (!s) return;
    sp_close(s->port);
    sp_free_port(s->port);
    free(s);
}

int zbh_serial_write(zbh_serial *s, const uint8_t *p, size_t n)
{
    zb_log_frame("host tx", p, n, n < 4 ? n : 4);
    enum sp_return r = sp_blocking_write(s->port, p, n, 1000);
    if (r < 0 || (size_t)r != n) {
        LOG_ERROR("serial write failed: %s", r < 0 ? sp_msg() : "timeout");
        return -1;
    }
    s->tx += n;
    return 0;
}

int zbh_serial_read(zbh_serial *s, uint8_t *p, size_t cap, int timeout_ms)
{
    enum sp_return r = sp_blocking_read_next(s->port, p, cap, (unsigned)timeout_ms);
    if (r < 0) {
        LOG_ERROR("serial read failed: %s", sp_msg());
        return -1;
    }
    if (r > 0) {
        s->rx += (uint64_t)r;
        zb_log_frame("host rx", p, (size_t)r, r < 4 ? (size_t)r : 4);
    }
    return (int)r;
}

void zbh_serial_counters(const zbh_serial *s, uint64_t *tx, uint64_t *rx)
{
    *tx = s->tx;
    *rx = s->rx;
}
