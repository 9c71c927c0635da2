#!/usr/bin/env python3
"""nv_kill.py ZBEMU WORKDIR ITERATIONS [SEED] - crash-safety of the emulator's NVRAM file.

Each iteration starts `zbemu znp --nvram WORKDIR/nv.json`, writes an NV item over MT as fast as
the emulator acknowledges (the value is a running counter), and SIGKILLs the emulator after a
random delay, usually in the middle of a write. Afterwards the file must be a complete state:
it parses, the emulator loads it again, and the item holds either the last acknowledged value
or the one in flight when the kill came (never older, never torn). Exit 0 when every
iteration held; one line per failure and a summary line.
"""
import json
import os
import random
import select
import signal
import subprocess
import sys
import time
import tty

ITEM = 0x0E00  # an application NV id (0x0401..0x0FFF) with no name, free on every profile


def fcs(body):
    x = 0
    for b in body:
        x ^= b
    return x


def frame(cmd0, cmd1, data):
    body = bytes([len(data), cmd0, cmd1]) + data
    return bytes([0xFE]) + body + bytes([fcs(body)])


def read_srsp(fd, cmd1, buf, timeout):
    """Waits for SRSP 0x61 cmd1; returns (status, rest_of_buffer) or (None, buf)."""
    end = time.monotonic() + timeout
    while True:
        while buf and buf[0] != 0xFE:
            buf = buf[1:]
        if len(buf) >= 5 and len(buf) >= 5 + buf[1]:
            n = buf[1]
            c0, c1, data = buf[2], buf[3], buf[4:4 + n]
            buf = buf[5 + n:]
            if c0 == 0x61 and c1 == cmd1:
                return (data[0] if data else 0), buf
            continue
        left = end - time.monotonic()
        if left <= 0:
            return None, buf
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return None, buf
            if not chunk:
                return None, buf
            buf += chunk


def start(zbemu, nv):
    p = subprocess.Popen([zbemu, "znp", "--nvram", nv], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stdout.readline().decode().strip()
    if not line.startswith("/dev/"):
        err = p.stderr.read().decode()
        p.wait()
        return None, None, err.strip() or "no port printed"
    return p, line, None


def stored_value(nv):
    with open(nv) as f:
        doc = json.load(f)
    v = doc.get("LEGACY", {}).get("0x%04X" % ITEM) or doc.get("LEGACY", {}).get("0x%04x" % ITEM)
    return None if v is None else int.from_bytes(bytes.fromhex(v), "little")


def main():
    zbemu, work, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    nv = os.path.join(work, "nv.json")
    acked = None  # last value the emulator acknowledged
    failures = 0
    writes = 0
    landed = 0  # kills after which the in-flight write was already on disk
    for it in range(iterations):
        p, port, err = start(zbemu, nv)
        if p is None:
            print("FAIL iteration %d: zbemu did not start from the file: %s" % (it, err))
            failures += 1
            break
        fd = os.open(port, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        buf = b""
        if acked is None:  # first run: create the item
            os.write(fd, frame(0x21, 0x07, ITEM.to_bytes(2, "little") + (4).to_bytes(2, "little") + bytes([4]) + bytes(4)))
            st, buf = read_srsp(fd, 0x07, buf, 2.0)
            if st not in (0, 9):
                print("FAIL: SYS_OSAL_NV_ITEM_INIT -> %r" % st)
                return 1
            acked = 0
        kill_at = time.monotonic() + rng.uniform(0.0, 0.06)
        value = acked
        in_flight = None
        while time.monotonic() < kill_at:
            in_flight = value + 1
            os.write(fd, frame(0x21, 0x09, ITEM.to_bytes(2, "little") + bytes([0, 4]) + in_flight.to_bytes(4, "little")))
            st, buf = read_srsp(fd, 0x09, buf, 1.0)
            if st != 0:
                print("FAIL iteration %d: SYS_OSAL_NV_WRITE -> %r" % (it, st))
                failures += 1
                break
            value = acked = in_flight
            in_flight = None
            writes += 1
        if in_flight is None:  # kill with a write on the wire, not between writes
            in_flight = acked + 1
            os.write(fd, frame(0x21, 0x09, ITEM.to_bytes(2, "little") + bytes([0, 4]) + in_flight.to_bytes(4, "little")))
            time.sleep(rng.uniform(0.0, 0.002))
        p.send_signal(signal.SIGKILL)
        p.wait()
        os.close(fd)
        p.stdout.close()
        p.stderr.close()
        try:
            got = stored_value(nv)
        except (OSError, ValueError) as e:
            print("FAIL iteration %d: NVRAM file unreadable after SIGKILL: %s" % (it, e))
            failures += 1
            break
        if got == in_flight:
            acked = got  # the in-flight write reached the disk before the kill
            landed += 1
        elif got != acked:
            print("FAIL iteration %d: item holds %r, want %d (acknowledged) or %d (in flight)" % (it, got, acked, in_flight))
            failures += 1
            acked = got if got is not None else acked
    print("nv_kill: %d iterations, %d acknowledged writes, in-flight write on disk at %d kills, "
          "%d failures" % (iterations, writes, landed, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
