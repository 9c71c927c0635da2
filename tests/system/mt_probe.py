#!/usr/bin/env python3
"""mt_probe.py PORT - wire-level checks of an MT (Z-Stack ZNP) device on a serial port or pty.

Written from the MT/UNPI framing rules (zstack-mt.md §1), independently of the C codec, so that
the emulator's framing is checked by a second implementation. Prints one 'ok ...' or
'FAIL ...' line per check and a JSON line of timings; exit 0 when every check passed.
"""
import json
import os
import select
import sys
import termios
import time
import tty

SOF = 0xFE


def fcs(body):
    x = 0
    for b in body:
        x ^= b
    return x


def frame(cmd0, cmd1, data=b""):
    body = bytes([len(data), cmd0, cmd1]) + data
    return bytes([SOF]) + body + bytes([fcs(body)])


class Port:
    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.buf = b""

    def close(self):
        os.close(self.fd)

    def send(self, data):
        os.write(self.fd, data)

    def recv_frame(self, timeout):
        """Next complete frame (cmd0, cmd1, data) with a good FCS, or None on timeout."""
        end = time.monotonic() + timeout
        while True:
            while self.buf and self.buf[0] != SOF:
                self.buf = self.buf[1:]
            if len(self.buf) >= 5 and len(self.buf) >= 5 + self.buf[1]:
                n = self.buf[1]
                body, f = self.buf[1:4 + n], self.buf[4 + n]
                self.buf = self.buf[5 + n:]
                if fcs(body) != f:
                    return ("badfcs", 0, b"")
                return (body[1], body[2], bytes(body[3:]))
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                self.buf += os.read(self.fd, 4096)

    def wait_for(self, cmd0, cmd1, timeout):
        end = time.monotonic() + timeout
        while True:
            f = self.recv_frame(max(0.0, end - time.monotonic()))
            if f is None or (f[0] == cmd0 and f[1] == cmd1):
                return f


results = []


def check(ok, what):
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + what)


def main():
    path = sys.argv[1]
    timings = {}
    p = Port(path)
    t0 = time.monotonic()
    # 1. the first SYS_PING is answered within 250 ms (herdsman gives up on it after 250 ms)
    p.send(frame(0x21, 0x01))
    r = p.wait_for(0x61, 0x01, 0.25)
    timings["first_ping_ms"] = round((time.monotonic() - t0) * 1000, 1)
    check(r is not None and len(r[2]) == 2, "first SYS_PING answered within 250 ms (%.1f ms)" % timings["first_ping_ms"])
    # 2. an unprompted SYS_RESET_IND follows a port open (no modem lines on a pty)
    r = p.wait_for(0x41, 0x80, 1.0)
    timings["reset_ind_ms"] = round((time.monotonic() - t0) * 1000, 1)
    check(r is not None and len(r[2]) == 6, "SYS_RESET_IND after the port opened (%.1f ms)" % timings["reset_ind_ms"])
    # 3. garbage, a bad FCS and a truncated frame are dropped; the next frame is answered
    p.send(bytes([0x00, 0x13, 0x37, 0xFF]))
    bad = bytearray(frame(0x21, 0x01))
    bad[-1] ^= 0x55
    p.send(bytes(bad))
    p.send(bytes([SOF, 0x05, 0x21]))  # truncated: its length swallows the next bytes or resyncs
    time.sleep(0.05)
    p.buf = b""
    got = None
    for _ in range(3):  # the truncated frame may eat one ping; a resynchronising parser answers
        p.send(frame(0x21, 0x01))
        got = p.wait_for(0x61, 0x01, 0.3)
        if got:
            break
    check(got is not None, "SYS_PING answered after garbage, a bad FCS and a truncated frame")
    # 4. unknown SREQ -> RPC error (SRSP 0x60 0x00: status 2 invalid command id, cmd0, cmd1)
    p.send(frame(0x21, 0x7E, b"\x01"))
    r = p.wait_for(0x60, 0x00, 0.5)
    check(r is not None and r[2] == bytes([0x02, 0x21, 0x7E]), "unknown SYS command -> RPC error %s" % (r[2].hex() if r else None))
    p.send(frame(0x2E, 0x01))  # subsystem 0x0E does not exist
    r = p.wait_for(0x60, 0x00, 0.5)
    check(r is not None and r[2][:1] == b"\x01" and r[2][1:] == bytes([0x2E, 0x01]),
          "unknown subsystem -> RPC error %s" % (r[2].hex() if r else None))
    # 5. too-short payload of a known SREQ (SYS_OSAL_NV_READ needs 3 bytes) -> RPC error, no crash
    p.send(frame(0x21, 0x08, b"\x01"))
    r = p.wait_for(0x60, 0x00, 0.5)
    check(r is not None and r[2][0] in (0x03, 0x04) and r[2][1:] == bytes([0x21, 0x08]),
          "short SYS_OSAL_NV_READ -> RPC error %s" % (r[2].hex() if r else None))
    # 6. every frame answered in order: 200 pings back to back
    t1 = time.monotonic()
    n_ok = 0
    for _ in range(200):
        p.send(frame(0x21, 0x01))
        if p.wait_for(0x61, 0x01, 0.5):
            n_ok += 1
    timings["ping_rtt_us"] = round((time.monotonic() - t1) / 200 * 1e6, 1)
    check(n_ok == 200, "200 sequential SYS_PINGs answered (%d), %.0f us each" % (n_ok, timings["ping_rtt_us"]))
    p.close()
    # 7. close and reopen: a new session, with its own SYS_RESET_IND
    time.sleep(0.1)
    p = Port(path)
    t2 = time.monotonic()
    r = p.wait_for(0x41, 0x80, 1.0)
    check(r is not None, "SYS_RESET_IND again after the port is reopened (%.1f ms)" % ((time.monotonic() - t2) * 1000))
    p.send(frame(0x21, 0x01))
    check(p.wait_for(0x61, 0x01, 0.5) is not None, "SYS_PING answered in the second session")
    p.close()
    print(json.dumps(timings))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
