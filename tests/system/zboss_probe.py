#!/usr/bin/env python3
"""zboss_probe.py PORT - wire-level checks of a ZBOSS NCP on a serial port or pty.

Written from zboss-ncp.md §2/§3 (LL framing, CRC8/CRC16, numbering, ACK rules, fragmentation,
HL header), independently of the C codec, so that the emulator's link layer is checked by a
second implementation. Expects a factory-new NCP started with --devices N (N > 14). Prints one
'ok ...' or 'FAIL ...' line per check and a JSON line of timings; exit 0 when all passed.
"""
import json
import os
import select
import struct
import sys
import time
import tty


def crc8(data):
    crc = 0xFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xB2 if crc & 1 else crc >> 1
    return crc ^ 0xFF


def crc16(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def packet(flags, body=b""):
    ln = 5 + (len(body) + 2 if body else 0)
    hdr = struct.pack("<HBB", ln, 6, flags)
    out = b"\xde\xad" + hdr + bytes([crc8(hdr)])
    if body:
        out += struct.pack("<H", crc16(body)) + body
    return out


def data_flags(pkt, first=True, last=True):
    return (pkt << 2) | (0x40 if first else 0) | (0x80 if last else 0)


def request(call, tsn, params=b""):
    return struct.pack("<BBHB", 0, 0, call, tsn) + params


class Port:
    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.buf = b""
        self.pkt = 0
        self.tsn = 1

    def close(self):
        os.close(self.fd)

    def send(self, data):
        os.write(self.fd, data)

    def recv(self, timeout):
        """Next packet as (flags, body, raw, time) or None."""
        end = time.monotonic() + timeout
        while True:
            i = self.buf.find(b"\xde\xad")
            if i > 0:
                self.buf = self.buf[i:]
            if len(self.buf) >= 7:
                ln = struct.unpack("<H", self.buf[2:4])[0]
                if crc8(self.buf[2:6]) != self.buf[6]:
                    self.buf = self.buf[1:]
                    continue
                if len(self.buf) >= 2 + ln:
                    raw = self.buf[:2 + ln]
                    self.buf = self.buf[2 + ln:]
                    body = raw[9:] if ln > 5 else b""
                    if body and crc16(body) != struct.unpack("<H", raw[7:9])[0]:
                        return ("badcrc", b"", raw, time.monotonic())
                    return (raw[5], body, raw, time.monotonic())
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                self.buf += os.read(self.fd, 4096)

    def ack(self, flags):
        self.send(packet(0x01 | (((flags >> 2) & 3) << 4)))

    def call(self, call, params=b"", ack=True, timeout=1.0):
        """Sends a request; returns (ack_packet, [response packets]) with the response ACKed."""
        tsn = self.tsn
        self.tsn = (self.tsn + 1) % 255
        self.send(packet(data_flags(self.pkt), request(call, tsn, params)))
        sent_pkt = self.pkt
        first = self.recv(timeout)
        got_ack = first if first and first[0] != "badcrc" and first[0] & 1 else None
        if got_ack and ((got_ack[0] >> 4) & 3) == sent_pkt:
            self.pkt = self.pkt % 3 + 1
        frags = []
        while True:
            p = self.recv(timeout)
            if p is None:
                return got_ack, frags, tsn
            if p[0] == "badcrc" or p[0] & 1:
                continue
            if ack:
                self.ack(p[0])
            frags.append(p)
            if p[0] & 0x80:
                return got_ack, frags, tsn


results = []


def check(ok, what):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + what)


def hl(frags):
    msg = b"".join(f[1] for f in frags)
    if len(msg) < 7:
        return None
    ver, ctrl, call, tsn, cat, code = struct.unpack("<BBHBBB", msg[:7])
    return {"ctrl": ctrl, "call": call, "tsn": tsn, "cat": cat, "code": code, "params": msg[7:]}


def main():
    p = Port(sys.argv[1])
    timings = {}
    # 1. ACK first, then the response; the NCP's first packet after boot is number 0
    t0 = time.monotonic()
    a, frags, tsn = p.call(0x0004)
    timings["first_call_ms"] = round((time.monotonic() - t0) * 1000, 1)
    check(a is not None and ((a[0] >> 4) & 3) == 0 and len(a[1]) == 0, "ACK (ACK# 0, no body) before the response")
    r = hl(frags)
    check(len(frags) == 1 and frags[0][0] & 0xC0 == 0xC0, "a single-packet response carries FIRST|LAST")
    check(frags and ((frags[0][0] >> 2) & 3) == 0, "first NCP packet after boot is PKT# 0")
    check(r and r["ctrl"] == 1 and r["tsn"] == tsn and r["cat"] == 0 and r["code"] == 0, "response echoes TSN, status 0/0")
    # 2. then 1, 2, 3, 1
    nums = []
    for _ in range(4):
        _, frags, _ = p.call(0x0009)
        nums.append((frags[0][0] >> 2) & 3 if frags else None)
    check(nums == [1, 2, 3, 1], "NCP numbering continues 1,2,3,1 (%s)" % nums)
    # 3. a repeated non-zero packet is ACKed and dropped
    body = request(0x0009, 77)
    pkt = packet(data_flags(p.pkt), body)
    p.send(pkt)
    first = p.recv(0.5)
    resp = p.recv(0.5)
    if resp and not resp[0] & 1:
        p.ack(resp[0])
    p.send(pkt)
    again = p.recv(0.5)
    extra = p.recv(0.4)
    check(first and first[0] & 1 and again and again[0] & 1 and ((again[0] >> 4) & 3) == p.pkt,
          "duplicate packet ACKed again")
    check(extra is None, "duplicate packet not answered twice")
    p.pkt = p.pkt % 3 + 1
    # 4. unACKed response: resent byte for byte after 500 ms, three times, then dropped
    _, frags, _ = p.call(0x0014, ack=False)
    copies = [frags[0]] if frags else []
    while True:
        q = p.recv(1.2)
        if q is None:
            break
        copies.append(q)
    gaps = [round((copies[i][3] - copies[i - 1][3]) * 1000) for i in range(1, len(copies))]
    timings["retransmit_gaps_ms"] = gaps
    check(len(copies) == 4 and all(c[2] == copies[0][2] for c in copies), "unACKed packet sent 1 + 3 times, identical (%d)" % len(copies))
    check(gaps and all(450 <= g <= 750 for g in gaps), "retransmission every ~500 ms %s" % gaps)
    # 5. bad body CRC -> NACK for that packet number
    bad = bytearray(packet(data_flags(p.pkt), request(0x0009, 5)))
    bad[-1] ^= 0x01
    p.send(bytes(bad))
    n = p.recv(0.5)
    check(n and n[0] != "badcrc" and n[0] & 0x03 == 0x03 and ((n[0] >> 4) & 3) == p.pkt, "bad body CRC -> NACK")
    # 6. garbage is skipped; unknown call -> ILLEGAL_REQUEST; wrong length -> INVALID_FORMAT
    p.send(b"\x00\xad\xde\x13\x11")
    _, frags, _ = p.call(0x0003)
    r = hl(frags)
    check(r and r["cat"] == 0 and r["code"] == 62 and r["params"] == b"", "unknown call -> 0/62, header only (after garbage)")
    _, frags, _ = p.call(0x0009, b"\x01")
    r = hl(frags)
    check(r and r["code"] == 42, "GET_PAN_ID with a parameter -> 0/42")
    _, frags, _ = p.call(0x041D)
    r = hl(frags)
    check(r and r["code"] == 24, "NWK_START_WITHOUT_FORMATION on a blank NCP -> 0/24")
    # 7. formation; the extended PAN ID reads back reversed (§9.2)
    epid = bytes.fromhex("0123456789abcdef")
    p.call(0x0005, b"\x00")
    _, frags, _ = p.call(0x0401, b"\x01\x00" + struct.pack("<I", 1 << 15) + b"\x05\x00\x00\x00" + epid)
    r = hl(frags)
    check(r and r["code"] == 0 and len(r["params"]) == 6 and r["params"][5] == 15, "NWK_FORMATION on channel 15")
    _, frags, _ = p.call(0x0023)
    r = hl(frags)
    check(r and r["params"] == epid[::-1], "GET_EXTENDED_PAN_ID = reverse of the formation bytes")
    # 8. a large dataset comes in fragments: first = size mod 247, FIRST ... LAST
    _, frags, _ = p.call(0x002F, struct.pack("<H", 11))
    r = hl(frags)
    size = sum(len(f[1]) for f in frags)
    flags = [f[0] & 0xC0 for f in frags]
    n_dev = r["params"][8] if r and len(r["params"]) > 8 else 0
    check(len(frags) >= 2 and flags[0] == 0x40 and flags[-1] == 0x80 and all(x == 0 for x in flags[1:-1]),
          "address map of %d devices in %d fragments, FIRST..LAST" % (n_dev, len(frags)))
    check(frags and len(frags[0][1]) == (size % 247 or 247) and all(len(f[1]) == 247 for f in frags[1:]),
          "first fragment = %d mod 247 bytes, others 247" % size)
    check(r and size == 7 + 8 + 4 + 16 * n_dev and n_dev > 14, "reassembled NVRAM_READ: 19 + 16n bytes")
    # 8b. a device told to leave: OK, then NWK_LEAVE_IND (an indication: no TSN, no status)
    if r and n_dev > 0:
        rec = r["params"][12:28]
        dev_ieee, dev_nwk = rec[:8], struct.unpack("<H", rec[8:10])[0]
        _, frags, _ = p.call(0x020A, struct.pack("<H", dev_nwk) + bytes(8) + b"\x00")
        r2 = hl(frags)
        ind = p.recv(1.0)
        if ind and ind[0] != "badcrc" and not ind[0] & 1:
            p.ack(ind[0])
        check(r2 and r2["code"] == 0, "MGMT_LEAVE_REQ to device %04x -> OK" % dev_nwk)
        check(ind and ind[1][:4] == b"\x00\x02\x0b\x04" and ind[1][4:12] == dev_ieee and ind[0] & 0xC0 == 0xC0,
              "NWK_LEAVE_IND with the device's IEEE")
        _, frags, _ = p.call(0x002F, struct.pack("<H", 11))
        r3 = hl(frags)
        check(r3 and r3["params"][8] == n_dev - 1 and dev_ieee not in r3["params"], "device gone from the address map")
    # 9. NCP_RESET: ACK now, reply after the reboot with TSN 0xFF and PKT# 0
    t1 = time.monotonic()
    a, frags, _ = p.call(0x0002, b"\x00", timeout=3.0)
    timings["reset_ms"] = round((time.monotonic() - t1) * 1000, 1)
    r = hl(frags)
    check(a is not None and r and r["call"] == 2 and r["tsn"] == 0xFF and r["code"] == 0, "NCP_RESET reply after reboot, TSN 0xFF (%.0f ms)" % timings["reset_ms"])
    check(frags and ((frags[0][0] >> 2) & 3) == 0, "numbering restarts at 0 after the reboot")
    _, frags, _ = p.call(0x0014)
    r = hl(frags)
    check(r and r["params"] == b"\x01", "GET_JOINED = 1 after rebooting a formed NCP")
    # 10. NVRAM_WRITE checks the dataset version (§8.2) and stores what it is given
    ds7 = lambda ver, fc: b"\x01" + struct.pack("<HHH", 7, ver, 8) + struct.pack("<II", fc, 0)
    _, frags, _ = p.call(0x002E, ds7(0, 5000))
    r = hl(frags)
    # DSR ncp_hl_proto.c nvram_write: a refused dataset is answered as generic ERROR (0/1)
    check(r and r["cat"] == 0 and r["code"] == 1, "NVRAM_WRITE of IB_COUNTERS with version 0 -> 0/1")
    _, frags, _ = p.call(0x002E, ds7(1, 5000))
    r = hl(frags)
    _, frags, _ = p.call(0x002F, struct.pack("<H", 7))
    r2 = hl(frags)
    check(r and r["code"] == 0 and r2 and r2["params"][2:8] == struct.pack("<HHH", 7, 1, 8)
          and r2["params"][8:12] == struct.pack("<I", 5000), "NVRAM_WRITE then NVRAM_READ of IB_COUNTERS v1")
    # 11. factory reset (option 2): network and tables gone, counter and local IEEE kept
    ieee = bytes.fromhex("8877665544332211")
    p.call(0x000C, b"\x00" + ieee)
    _, frags, _ = p.call(0x0002, b"\x02", timeout=3.0)
    r = hl(frags)
    check(r and r["tsn"] == 0xFF and r["code"] == 0, "NCP_RESET option 2 answered after the reboot")
    got = {}
    for name, call, params in (("joined", 0x0014, b""), ("ieee", 0x000B, b"\x00"),
                               ("ds7", 0x002F, struct.pack("<H", 7)), ("ds11", 0x002F, struct.pack("<H", 11))):
        _, frags, _ = p.call(call, params)
        got[name] = hl(frags)
    check(got["joined"] and got["joined"]["params"] == b"\x00", "factory reset: GET_JOINED = 0")
    check(got["ds11"] and got["ds11"]["code"] == 28, "factory reset: ADDR_MAP gone (0/28)")
    check(got["ds7"] and got["ds7"]["code"] == 0 and got["ds7"]["params"][8:12] == struct.pack("<I", 5000),
          "factory reset keeps IB_COUNTERS")
    check(got["ieee"] and got["ieee"]["params"][1:9] == ieee, "local IEEE set by SET_LOCAL_IEEE_ADDR survives")
    # 12. option 1 erases everything, the counter too
    p.call(0x0002, b"\x01", timeout=3.0)
    _, frags, _ = p.call(0x002F, struct.pack("<H", 7))
    r = hl(frags)
    check(r and r["code"] == 28, "NCP_RESET option 1: IB_COUNTERS erased (0/28)")
    p.close()
    print(json.dumps(timings))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
