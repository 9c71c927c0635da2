#!/usr/bin/env python3
"""ash_probe.py PORT - wire-level checks of an EZSP-over-ASH NCP on a serial port or pty.

Written from the ASH rules (ezsp-ash.md §1: UG101 stuffing, CRC-CCITT via binascii.crc_hqx,
data randomisation, frame numbers), independently of the C codec, so that the emulator's link
layer is checked by a second implementation: RST/RSTACK, piggybacked acks, NAK on a bad CRC,
duplicates acknowledged but not executed, the Reject condition, retransmission when the host
stays silent, invalidCommand for an unknown frame id, and no raw XON/XOFF on the wire.
Prints one 'ok ...' or 'FAIL ...' line per check; exit 0 when every check passed.
"""
import binascii
import os
import select
import sys
import time
import tty

RESERVED = (0x7E, 0x7D, 0x11, 0x13, 0x18, 0x1A)
failures = 0
raw_seen = bytearray()


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def rand_seq(n):
    r, out = 0x42, []
    for _ in range(n):
        out.append(r)
        r = (r >> 1) ^ 0xB8 if r & 1 else r >> 1
    return out


def xor_rand(data):
    return bytes(b ^ r for b, r in zip(data, rand_seq(len(data))))


def wire(body):
    crc = binascii.crc_hqx(body, 0xFFFF)
    out = bytearray()
    for b in body + bytes([crc >> 8, crc & 0xFF]):
        out += bytes([0x7D, b ^ 0x20]) if b in RESERVED else bytes([b])
    return bytes(out) + b"\x7e"


def data_frame(frm, ack, ezsp, retx=False):
    return wire(bytes([(frm << 4) | (8 if retx else 0) | ack]) + xor_rand(ezsp))


class Port:
    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.buf = bytearray()

    def send(self, b):
        os.write(self.fd, b)

    def frames(self, timeout, first=False):
        """Frames (control, payload) received within timeout (after unstuffing, CRC checked);
        with first=True, returns as soon as one has arrived."""
        end, got = time.monotonic() + timeout, []
        while True:
            left = end - time.monotonic()
            if left <= 0 or (first and got):
                return got
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            chunk = os.read(self.fd, 4096)
            raw_seen.extend(chunk)
            self.buf += chunk
            while b"\x7e" in self.buf:
                i = self.buf.index(b"\x7e")
                raw, self.buf = bytes(self.buf[:i]), self.buf[i + 1:]
                if b"\x1a" in raw:
                    raw = raw[raw.rindex(b"\x1a") + 1:]
                body, esc = bytearray(), False
                for b in raw:
                    if b == 0x7D:
                        esc = True
                        continue
                    body.append(b ^ 0x20 if esc else b)
                    esc = False
                if len(body) < 3:
                    continue
                ok = binascii.crc_hqx(bytes(body[:-2]), 0xFFFF) == (body[-2] << 8 | body[-1])
                ctrl, payload = body[0], bytes(body[1:-2])
                if ok and not ctrl & 0x80:
                    payload = xor_rand(payload)
                got.append((ctrl if ok else -1, payload))


def main():
    p = Port(sys.argv[1])
    # 1. garbage, then RST: exactly the RSTACK real firmware sends
    p.send(b"\x55\x66\x1a\xc0\x38\xbc\x7e")
    f = p.frames(0.5)
    check(f == [(0xC1, b"\x02\x0b")], "RST -> RSTACK(v2, software reset)")
    check(bytes(raw_seen).startswith(b"\x1a\xc1\x02\x0b\x0a\x52\x7e"), "RSTACK bytes 1A C1 02 0B 0A 52 7E")
    p.send(bytes.fromhex("8070787e"))  # ACK(0), as herdsman does after RSTACK
    # 2. legacy version(13): one DATA frame frm 0, ack 1 (piggybacked), no separate ACK
    p.send(data_frame(0, 0, bytes([0x00, 0x00, 0x00, 13])))
    f = p.frames(0.5)
    check(len(f) == 1 and f[0][0] == 0x01 and f[0][1][:3] == b"\x00\x80\x00" and f[0][1][4] == 2,
          f"legacy version answered in one DATA(0, ack 1) frame: {f}")
    pv = f[0][1][3] if f else 13
    p.send(wire(b"\x81"))  # ACK(1)
    # 3. a DATA frame with a bad CRC -> NAK(1), once
    bad = bytearray(data_frame(1, 1, bytes([0x01, 0x00, 0x01, 0x00, 0x00, pv])))
    bad[-2] ^= 0x01 if bad[-2] not in (0x7C, 0x7F, 0x10, 0x12, 0x19, 0x1B) else 0x04
    p.send(bytes(bad))
    f = p.frames(0.3)
    check(f == [(0xA1, b"")], f"bad CRC -> NAK(1): {f}")
    p.send(bytes(bad))
    check(p.frames(0.3) == [], "Reject condition: no second NAK")
    # 4. the frame again, correct: executed, answered with frm 1 ack 2
    good = data_frame(1, 1, bytes([0x01, 0x00, 0x01, 0x00, 0x00, pv]))
    p.send(good)
    f = p.frames(0.5)
    check(len(f) == 1 and f[0][0] == 0x12 and f[0][1][:5] == b"\x01\x80\x01\x00\x00",
          f"extended version -> DATA(1, ack 2): {f}")
    p.send(wire(b"\x82"))  # ACK(2)
    # 5. duplicate with reTx: ACK(2) only, not executed again
    p.send(data_frame(1, 2, bytes([0x01, 0x00, 0x01, 0x00, 0x00, pv]), retx=True))
    f = p.frames(0.4)
    check(f == [(0x82, b"")], f"duplicate (reTx) -> ACK(2) only: {f}")
    # 6. out of sequence (frame 3 while 2 is expected): NAK(2) once
    p.send(data_frame(3, 2, bytes([0x03, 0x00, 0x01, 0x05, 0x00])))
    f = p.frames(0.3)
    check(f == [(0xA2, b"")], f"out-of-sequence -> NAK(2): {f}")
    p.send(data_frame(4, 2, bytes([0x04, 0x00, 0x01, 0x05, 0x00])))
    check(p.frames(0.3) == [], "out-of-sequence again: silent (Reject)")
    # 7. an unknown frame id -> invalidCommand (0x0058) with ERROR_INVALID_FRAME_ID 0x31
    p.send(data_frame(2, 2, bytes([0x07, 0x00, 0x01, 0xAD, 0x0B])))
    f = p.frames(0.5)
    ok = len(f) == 1 and f[0][0] == 0x23 and f[0][1][0] == 0x07 and f[0][1][3:5] == b"\x58\x00" \
        and f[0][1][5] == 0x31
    check(ok, f"unknown frame id 0x0BAD -> invalidCommand(0x31): {f}")
    # 8. do not acknowledge it: the NCP retransmits the same frame with reTx set
    f = p.frames(2.5)
    check(len(f) >= 1 and f[0][0] == 0x2B and f[0][1][3:5] == b"\x58\x00",
          f"unacknowledged DATA retransmitted with reTx within 2.5 s: {f[:1]}")
    p.send(wire(b"\x83"))  # ACK(3)
    # 9. nop (0x0005) to check the link still works; it has no parameters in the answer
    p.send(data_frame(3, 3, bytes([0x08, 0x00, 0x01, 0x05, 0x00])))
    f = p.frames(0.5)
    check(len(f) == 1 and f[0][0] == 0x34 and f[0][1][3:5] == b"\x05\x00", f"nop after recovery: {f}")
    p.send(wire(b"\x84"))
    # 10. EZSP checks of ezsp-ash.md §13 pitfalls (status width per version: u8 <= v13, u32 v14+)
    state = {"frm": 4, "seq": 0x10}

    def cmd(frame_id, params=b""):
        ezsp = bytes([state["seq"], 0x00, 0x01, frame_id & 0xFF, frame_id >> 8]) + params
        p.send(data_frame(state["frm"], state["frm"], ezsp))
        f = p.frames(1.0, first=True)
        state["frm"] = (state["frm"] + 1) & 7
        state["seq"] += 1
        p.send(wire(bytes([0x80 | state["frm"]])))
        if len(f) != 1 or f[0][1][:1] != ezsp[:1] or f[0][1][3:5] != ezsp[3:5]:
            return None
        return f[0][1][5:]

    def status(r):
        w = 4 if pv >= 14 else 1
        return int.from_bytes(r[:w], "little"), r[w:]

    r = cmd(0x0100)
    count = (int.from_bytes(r, "little") if r else -1)
    check(r is not None and len(r) == (4 if pv >= 18 else 1) and count > 0,
          f"getTokenCount: {count} in {len(r or b'')} byte(s) (u32 only from v18)")
    infos = {}
    for i in range(max(count, 0)):
        r = cmd(0x0101, bytes([i]))
        st, rest = status(r or b"\xff" * 13)
        if st == 0 and len(rest) == 8:
            infos[int.from_bytes(rest[:4], "little")] = rest[4:]
    check(infos.get(0x1E12A, b"")[2:4] == b"\x08\x01" and infos.get(0x10600, b"")[2] == 25,
          "getTokenInfo: RESTORED_EUI64 8x1, KEY_TABLE 25-byte elements")
    r = cmd(0x0102, (0x1E12A).to_bytes(4, "little") + bytes(4))
    st, rest = status(r or b"\xff" * 16)
    check(st == 0 and rest == b"\x08\x00\x00\x00" + b"\xff" * 8, "getTokenData(0x1E12A): OK, 8 x FF")
    r = cmd(0x0102, (0xE12A).to_bytes(4, "little") + bytes(4))
    st, rest = status(r or b"")
    check(r is not None and st != 0 and rest == bytes(4), "getTokenData(creator key 0xE12A): failure, size 0")
    r = cmd(0x000B, b"\x0c")
    check(r == b"\x08" + b"\xff" * 8, "getMfgToken(CUSTOM_EUI_64): 8 x FF (unset)")
    r = cmd(0x0003, b"\x00" + (1).to_bytes(4, "little"))
    st, rest = status(r or b"")
    check(r is not None and st != 0 and rest == b"\x02\x00\x00", "getExtendedValue(ENDPOINT_FLAGS) unregistered: error + 2 value bytes")
    r = cmd(0x004A, b"\xc8")
    st, rest = status(r or b"")
    check(st == (0x17 if pv >= 14 else 0x93) and len(rest) == 18, "getChildData(200): NOT_JOINED")
    r = cmd(0x0028)
    st, rest = status(r or b"")
    check(st == (0x17 if pv >= 14 else 0x93), "getNetworkParameters without a network: NOT_JOINED")
    # 11. never a raw XON/XOFF/SUB from the NCP
    raw = bytes(raw_seen)
    check(not any(b in (0x11, 0x13, 0x18) for b in raw), f"no raw 11/13/18 in {len(raw)} bytes received")
    # 12. RST in any state -> RSTACK again
    raw_seen.clear()
    p.send(b"\x1a\xc0\x38\xbc\x7e")
    check(p.frames(0.5) == [(0xC1, b"\x02\x0b")], "second RST -> RSTACK")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
