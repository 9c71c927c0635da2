#!/usr/bin/env python3
"""A serial "device" that (almost) never answers: a pty that records what the host writes.

Used by tests/herdsman/selftest.sh to check zh-client.mjs without an emulator:
  python3 tests/herdsman/pty_sink.py --log /tmp/wire.log [--path-file /tmp/pty.path]

Prints the slave path (e.g. /dev/pts/7) as the first line on stdout (and into --path-file), then
appends every chunk the host writes to --log as "<seconds since start> <hex bytes>" lines, forever,
until SIGTERM/SIGINT.  With --answer-ping it answers every MT SYS_PING SREQ (FE 00 21 01 20) with
an SRSP (capabilities 0x07FD) and nothing else, which gets herdsman's zstack adapter past its
bootloader-skip step without the DTR/RTS ioctls that fail on a pty.  The slave side is put into raw mode and kept open by this process, so
nothing is echoed back and the host closing/reopening the port does not end the sink.
"""
import argparse
import os
import pty
import select
import signal
import sys
import time
import tty


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", required=True, help="file receiving '<t> <hex>' lines")
    ap.add_argument("--path-file", help="also write the slave path into this file")
    ap.add_argument("--answer-ping", action="store_true", help="answer MT SYS_PING with an SRSP")
    args = ap.parse_args()

    master, slave = pty.openpty()
    tty.setraw(slave)  # no echo, no line discipline: bytes go through untouched
    path = os.ttyname(slave)

    stop = False

    def on_signal(_sig, _frm):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    if args.path_file:
        with open(args.path_file + ".tmp", "w") as f:
            f.write(path + "\n")
        os.replace(args.path_file + ".tmp", args.path_file)
    print(path, flush=True)

    ping = bytes.fromhex("fe00210120")
    caps = (0x07FD).to_bytes(2, "little")
    body = bytes([0x02, 0x61, 0x01]) + caps
    fcs = 0
    for b in body:
        fcs ^= b
    ping_rsp = b"\xfe" + body + bytes([fcs])
    pending = b""

    t0 = time.monotonic()
    with open(args.log, "a", buffering=1) as log:
        while not stop:
            try:
                r, _, _ = select.select([master], [], [], 0.2)
            except InterruptedError:
                continue
            if not r:
                continue
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO while no one has the slave open (cannot happen: we hold it)
                time.sleep(0.05)
                continue
            if data:
                log.write(f"{time.monotonic() - t0:.3f} {data.hex(' ')}\n")
                if args.answer_ping:
                    pending = (pending + data)[-64:]
                    while ping in pending:
                        pending = pending[pending.index(ping) + len(ping):]
                        os.write(master, ping_rsp)
                        log.write(f"{time.monotonic() - t0:.3f} sent {ping_rsp.hex(' ')}\n")
    os.close(master)
    os.close(slave)
    return 0


if __name__ == "__main__":
    sys.exit(main())
