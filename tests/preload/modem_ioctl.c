/* modem_ioctl.c - test program for preload/libzbmodem.so (run by tests/system/preload.sh).
 *
 * WHY a plain program: the library only matters inside another process, on a real pty, next to
 * a running zbemu; the Criterion unit tests spawn none of those. It does what host tools do:
 * modem-line ioctls (TIOCMGET/TIOCMSET like node-serialport, TIOCMBIS/TIOCMBIC like pyserial),
 * then the CC2652 reset sequences, and checks what the emulated stick answers.
 *
 *   modem_ioctl --expect-enotty PATH  every modem ioctl on PATH fails with ENOTTY
 *   modem_ioctl PATH                  (zbemu znp --profile zstack3x0 on PATH, under LD_PRELOAD)
 *                                     ioctls succeed and reflect the lines; the herdsman reset
 *                                     sequence yields SYS_RESET_IND; DTR held across the reset
 *                                     enters the ROM bootloader (55 55 -> 00 CC, no MT).
 *   modem_ioctl --enter-bootloader PATH  leaves the stick in its ROM bootloader (as a flasher
 *                                     would), for the herdsman skip-bootloader test.
 * Exit 0 on success, 1 on a failed check (named on stderr), 2 on usage. */
#include "clock.h" /* header-only: this program links none of the project libraries */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const uint8_t SYS_PING[] = {0xFE, 0x00, 0x21, 0x01, 0x20};
static const uint8_t PING_SRSP[] = {0xFE, 0x02, 0x61, 0x01};
static const uint8_t RESET_IND[] = {0xFE, 0x06, 0x41, 0x80};
static const uint8_t BSL_SYNC[] = {0x55, 0x55};
static const uint8_t BSL_ACK[] = {0x00, 0xCC};

static int failf(const char *what)
{
    fprintf(stderr, "modem_ioctl: FAIL %s\n", what);
    return -1;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* Reads for up to ms; stops early once `want` appears. Returns 1 found, 0 not, -1 error.
 * With want == NULL: returns the number of bytes that arrived (0 = silence). */
static int read_for(int fd, int ms, const uint8_t *want, size_t wlen)
{
    uint8_t buf[1024];
    size_t len = 0;
    int64_t end = zb_now_ms() + ms;
    for (int64_t left; (left = end - zb_now_ms()) > 0;) {
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, (int)left);
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return -1;
        if (rc == 0) break;
        ssize_t n = read(fd, buf + len, sizeof(buf) - len);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return -1;
        len += (size_t)n;
        for (size_t i = 0; want && i + wlen <= len; i++)
            if (memcmp(buf + i, want, wlen) == 0) return 1;
        if (len == sizeof(buf)) len = 0; /* only ever look for short patterns */
    }
    return want ? 0 : (int)len;
}

static int send_bytes(int fd, const uint8_t *p, size_t n)
{
    return write(fd, p, n) == (ssize_t)n ? 0 : failf("write to the pty");
}

static int get_lines(int fd, int *bits)
{
    return ioctl(fd, TIOCMGET, bits) == 0 ? 0 : failf("TIOCMGET returned -1");
}

/* One request, then TIOCMGET must show DTR/RTS exactly as `want`. */
static int line_req(int fd, unsigned long req, int arg, int want, const char *name)
{
    int bits;
    if (ioctl(fd, req, &arg) != 0) return failf(name);
    if (get_lines(fd, &bits) < 0) return -1;
    if ((bits & (TIOCM_DTR | TIOCM_RTS)) != want) return failf(name);
    printf("ok %s -> DTR=%d RTS=%d\n", name, !!(bits & TIOCM_DTR), !!(bits & TIOCM_RTS));
    return 0;
}

static int set_lines(int fd, int dtr, int rts)
{
    int bits = (dtr ? TIOCM_DTR : 0) | (rts ? TIOCM_RTS : 0);
    if (line_req(fd, TIOCMSET, bits, bits, "TIOCMSET") < 0) return -1;
    sleep_ms(150); /* herdsman's pause between steps */
    return 0;
}

static int expect_enotty(const char *path)
{
    int fd = open(path, O_RDWR | O_NOCTTY);
    if (fd < 0) return failf("open");
    static const unsigned long reqs[] = {TIOCMGET, TIOCMSET, TIOCMBIS, TIOCMBIC};
    static const char *const names[] = {"TIOCMGET", "TIOCMSET", "TIOCMBIS", "TIOCMBIC"};
    int rc = 0;
    for (int i = 0; i < 4; i++) {
        int bits = TIOCM_DTR;
        errno = 0;
        if (ioctl(fd, reqs[i], &bits) == -1 && errno == ENOTTY) {
            printf("ok %s fails with ENOTTY\n", names[i]);
        } else {
            rc = failf(names[i]);
        }
    }
    close(fd);
    return rc;
}

/* pyserial's and node-serialport's ways, each checked with TIOCMGET */
static int check_requests(int fd)
{
    int bits;
    if (get_lines(fd, &bits) < 0) return -1;
    printf("ok TIOCMGET -> 0x%03x\n", (unsigned)bits);
    if (line_req(fd, TIOCMSET, 0, 0, "TIOCMSET(0)") < 0) return -1;
    if (line_req(fd, TIOCMBIS, TIOCM_DTR, TIOCM_DTR, "TIOCMBIS(DTR)") < 0) return -1;
    if (line_req(fd, TIOCMBIC, TIOCM_DTR, 0, "TIOCMBIC(DTR)") < 0) return -1;
    if (ioctl(fd, TIOCSBRK) != 0 || ioctl(fd, TIOCCBRK) != 0) return failf("TIOCSBRK/TIOCCBRK");
    printf("ok TIOCSBRK/TIOCCBRK\n");
    return 0;
}

/* herdsman 10.9.5 znp.js skipBootloader(): DTR stays 0, RTS pulses */
static int check_reset(int fd)
{
    if (set_lines(fd, 0, 0) < 0 || set_lines(fd, 0, 1) < 0) return -1;
    read_for(fd, 100, NULL, 0);
    if (send_bytes(fd, SYS_PING, sizeof(SYS_PING)) < 0) return -1;
    if (read_for(fd, 300, NULL, 0) != 0) return failf("a chip held in reset (RTS=1) answered");
    printf("ok RTS=1: held in reset, SYS_PING unanswered\n");
    if (set_lines(fd, 0, 0) < 0) return -1;
    if (read_for(fd, 2000, RESET_IND, sizeof(RESET_IND)) != 1)
        return failf("no SYS_RESET_IND after the reset sequence");
    printf("ok SYS_RESET_IND after DTR=0/RTS=0, DTR=0/RTS=1, DTR=0/RTS=0\n");
    if (send_bytes(fd, SYS_PING, sizeof(SYS_PING)) < 0) return -1;
    if (read_for(fd, 1000, PING_SRSP, sizeof(PING_SRSP)) != 1) return failf("no ping answer");
    printf("ok firmware answers SYS_PING\n");
    return 0;
}

/* cc2538-bsl's way in: DTR asserted while RTS releases the reset */
static int check_bootloader(int fd)
{
    if (set_lines(fd, 1, 1) < 0 || set_lines(fd, 1, 0) < 0) return -1;
    read_for(fd, 100, NULL, 0);
    if (send_bytes(fd, BSL_SYNC, sizeof(BSL_SYNC)) < 0) return -1;
    if (read_for(fd, 1000, BSL_ACK, sizeof(BSL_ACK)) != 1) return failf("no bootloader ACK");
    if (send_bytes(fd, SYS_PING, sizeof(SYS_PING)) < 0) return -1;
    if (read_for(fd, 300, NULL, 0) != 0) return failf("the bootloader answered MT");
    printf("ok DTR=1 across the reset: ROM bootloader (sync ACK, no MT)\n");
    if (set_lines(fd, 0, 0) < 0 || set_lines(fd, 0, 1) < 0 || set_lines(fd, 0, 0) < 0) return -1;
    if (read_for(fd, 2000, RESET_IND, sizeof(RESET_IND)) != 1)
        return failf("no SYS_RESET_IND after skipping the bootloader");
    printf("ok the skip-bootloader sequence boots the firmware again\n");
    return 0;
}

/* leaves the stick in its ROM bootloader (closing drops DTR; RTS is already released) */
static int enter_bootloader(int fd)
{
    if (set_lines(fd, 1, 1) < 0 || set_lines(fd, 1, 0) < 0) return -1;
    read_for(fd, 100, NULL, 0);
    if (send_bytes(fd, BSL_SYNC, sizeof(BSL_SYNC)) < 0) return -1;
    if (read_for(fd, 1000, BSL_ACK, sizeof(BSL_ACK)) != 1) return failf("no bootloader ACK");
    printf("ok the stick is in its ROM bootloader\n");
    return 0;
}

static int open_raw(const char *path)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return failf("open");
    struct termios tio;
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(fd, TCSANOW, &tio);
    }
    return fd;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--expect-enotty") == 0)
        return expect_enotty(argv[2]) == 0 ? 0 : 1;
    int bsl = argc == 3 && strcmp(argv[1], "--enter-bootloader") == 0;
    if (!bsl && (argc != 2 || argv[1][0] == '-')) {
        fprintf(stderr, "usage: modem_ioctl [--expect-enotty | --enter-bootloader] PATH\n");
        return 2;
    }
    int fd = open_raw(argv[argc - 1]);
    if (fd < 0) return 1;
    read_for(fd, 400, NULL, 0); /* the SYS_RESET_IND a port open brings */
    int rc = bsl ? enter_bootloader(fd) < 0
                 : check_requests(fd) < 0 || check_reset(fd) < 0 || check_bootloader(fd) < 0;
    close(fd);
    return rc;
}
