#!/usr/bin/env python3
"""hiccup_proxy.py - a pty between a host and an emulated ZNP stick that loses one read.

Why: issue 26. A stick that misses the answers to one NV read (a USB hiccup, a busy stick)
must never be taken for an empty one. The proxy makes that hiccup reproducible without wall
clock guesses on a loaded machine: it forwards every byte both ways, except that from the
first OSAL NV read-type request the host sends (SYS_OSAL_NV_LENGTH, _READ, _READ_EXT) it
drops every such request until the host starts a new session (its next SYS_PING). So the
host's own timeout and retries are what runs out; the proxy never sleeps. Each dropped
frame is logged with a monotonic timestamp, so a test can check the host waited itself.

usage: hiccup_proxy.py DEVICE_PORT LINK_PATH LOG_PATH
  prints nothing; LINK_PATH becomes a symlink to the proxy's pty once it is ready.
"""
import os
import select
import signal
import sys
import time
import tty

SOF = 0xFE
SREQ_SYS = 0x21
PING = 0x01
NV_READ_TYPES = {0x08, 0x13, 0x1C}  # SYS_OSAL_NV_READ, _LENGTH, _READ_EXT


class HostFrames:
    """Splits the host->device byte stream into MT frames (SOF len cmd0 cmd1 data fcs)."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data):
        self.buf += data
        out = []
        while self.buf:
            if self.buf[0] != SOF:  # noise (a bootloader skip byte): passed through alone
                out.append(bytes(self.buf[:1]))
                del self.buf[:1]
                continue
            if len(self.buf) < 2 or len(self.buf) < 5 + self.buf[1]:
                break
            n = 5 + self.buf[1]
            out.append(bytes(self.buf[:n]))
            del self.buf[:n]
        return out


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    dev_path, link, log_path = sys.argv[1:]
    dev = os.open(dev_path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(dev)
    master, slave = os.openpty()
    tty.setraw(slave)  # kept open: the master never sees EIO between host sessions
    tmp = link + ".tmp"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(os.ttyname(slave), tmp)
    os.rename(tmp, link)
    log = open(log_path, "w", buffering=1)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    frames = HostFrames()
    state = "armed"  # armed -> dropping (first NV read) -> done (next SYS_PING)
    try:
        while True:
            r, _, _ = select.select([master, dev], [], [])
            if dev in r:
                data = os.read(dev, 4096)
                if not data:
                    break
                os.write(master, data)
            if master in r:
                try:
                    data = os.read(master, 4096)
                except OSError:
                    continue
                for f in frames.feed(data):
                    is_cmd = len(f) >= 4 and f[2] == SREQ_SYS
                    if state == "armed" and is_cmd and f[3] in NV_READ_TYPES:
                        state = "dropping"
                    elif state == "dropping" and is_cmd and f[3] == PING:
                        state = "done"
                        log.write("resumed %.3f\n" % time.monotonic())
                    if state == "dropping" and is_cmd and f[3] in NV_READ_TYPES:
                        log.write("dropped %.3f %02x%02x\n" % (time.monotonic(), f[2], f[3]))
                        continue
                    os.write(dev, f)
    finally:
        if os.path.islink(link):
            os.unlink(link)


if __name__ == "__main__":
    main()
