#!/usr/bin/env python3
"""ezsp_versions_probe.py PORT VERSION - checks that an EZSP NCP serves the command table,
frame format and layouts of EZSP VERSION as the hosts see them (ezsp-ash.md §2.3-§2.5, §5;
bellows' per-version command tables v8-v19), with the ASH implementation of ash_probe.py
(independent of the C code):

* the version handshake as bellows does it (legacy version(4), the NCP answers with its own
  version, then version(pv) in the extended format) and as herdsman does (legacy version(19));
* which frame ids exist at this version: getKey/getKeyTableEntry (<= v12), 0x0077 as
  becomeTrustCenter (<= v12) or tokenFactoryReset (v13+), setChildData and the token interface
  (v9+), exportKey (v12+, with a 17-byte context in v12), getNetworkKeyInfo (v13+),
  clearBindingTableOnLeave (v19); anything else is invalidCommand;
* layouts: EmberChildData without remainingTimeout before v10, EmberKeyStruct 36 bytes,
  status width u8 up to v13.
Prints one 'ok ...' or 'FAIL ...' line per check; exit 0 when every check passed.
"""
import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location(
    "ash_probe", os.path.join(os.path.dirname(os.path.abspath(__file__)), "ash_probe.py"))
ap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ap)
check = ap.check

INVALID = 0x0058


def main():
    p = ap.Port(sys.argv[1])
    want = int(sys.argv[2])
    state = {"frm": 0, "seq": 0x20}

    def exchange(ezsp):
        p.send(ap.data_frame(state["frm"], state["frm"], ezsp))
        f = p.frames(1.0, first=True)
        state["frm"] = (state["frm"] + 1) & 7
        state["seq"] = (state["seq"] + 1) & 0xFF
        p.send(ap.wire(bytes([0x80 | state["frm"]])))
        return f[0][1] if len(f) == 1 and f[0][0] >= 0 else None

    def cmd(frame_id, params=b""):
        """(frame id of the answer, its parameters) in the extended format"""
        r = exchange(bytes([state["seq"], 0x00, 0x01, frame_id & 0xFF, frame_id >> 8]) + params)
        if r is None or len(r) < 5 or r[1] != 0x80 or r[2] != 0x01:
            return None, None
        return r[3] | r[4] << 8, r[5:]

    def reset():
        p.send(b"\x1a\xc0\x38\xbc\x7e")
        f = p.frames(0.5)
        state["frm"] = 0
        p.send(bytes.fromhex("8070787e"))
        return f == [(0xC1, b"\x02\x0b")]

    # bellows: legacy version(4) after every reset, then version(pv) in pv's format
    check(reset(), "RST -> RSTACK")
    r = exchange(bytes([state["seq"], 0x00, 0x00, 4]))
    check(r is not None and len(r) == 7 and r[1:3] == b"\x80\x00" and r[3] == want and r[4] == 2,
          f"legacy version(4) -> the NCP's own version {want}, stack type 2, legacy format: "
          f"{r.hex() if r else r}")
    fid, rest = cmd(0x0000, bytes([want]))
    check(fid == 0 and rest is not None and rest[0] == want and len(rest) == 4,
          f"extended version({want}) accepted: {rest.hex() if rest else rest}")
    # herdsman: legacy version(19); a stick that serves another version still answers its own
    check(reset(), "RST -> RSTACK (second session)")
    r = exchange(bytes([state["seq"], 0x00, 0x00, 19]))
    check(r is not None and len(r) == 7 and r[3] == want,
          f"legacy version(19) -> {r[3] if r else None} (the stick's own version)")
    cmd(0x0000, bytes([want]))

    def exists(frame_id, params, name, present, rsp_len=None):
        fid, rest = cmd(frame_id, params)
        if not present:
            ok = fid == INVALID and rest is not None and rest[:1] == b"\x31"
            check(ok, f"v{want}: {name} (0x{frame_id:04x}) -> invalidCommand: "
                      f"{fid and hex(fid)} {rest.hex() if rest is not None else None}")
            return None
        ok = fid == frame_id and (rsp_len is None or len(rest) == rsp_len)
        check(ok, f"v{want}: {name} (0x{frame_id:04x}) answered"
                  + (f" with {rsp_len} bytes" if rsp_len is not None else "")
                  + f": {fid and hex(fid)} {rest.hex() if rest is not None else None}")
        return rest if ok else None

    st_w = 4 if want >= 14 else 1
    legacy_keys = want <= 12
    r = exists(0x006A, b"\x03", "getKey(CURRENT_NETWORK_KEY)", legacy_keys, 1 + 36)
    if r is not None:
        check(r[0] == 0xB2, f"getKey without a network: KEY_INVALID (0x{r[0]:02x})")
    r = exists(0x0071, b"\x00", "getKeyTableEntry(0)", legacy_keys, 1 + 36)
    if r is not None:
        check(r[0] == 0xB6, f"getKeyTableEntry(free slot): TABLE_ENTRY_ERASED (0x{r[0]:02x})")
    r = exists(0x0071, b"\xfe", "getKeyTableEntry(254)", legacy_keys, 1 + 36)
    if r is not None:
        check(r[0] == 0xB1, f"getKeyTableEntry(past the table): INDEX_OUT_OF_RANGE (0x{r[0]:02x})")
    exists(0x0066, bytes(8) + b"\x01" + bytes(16), "addOrUpdateKeyTableEntry", legacy_keys, 1)
    exists(0x0072, b"\x00" + bytes(8) + b"\x01" + bytes(16), "setKeyTableEntry", legacy_keys, 1)
    if want <= 12:
        r = exists(0x0077, bytes(16), "becomeTrustCenter", True, 1)
        check(r is not None and r[0] == 0x70, "becomeTrustCenter without a network: INVALID_CALL")
    else:
        exists(0x0077, b"\x01\x01", "tokenFactoryReset", True, 0)
    r = exists(0x004A, b"\xc8", "getChildData(200)", True, st_w + (18 if want >= 10 else 14))
    exists(0x00AC, b"\x00" + bytes(18 if want >= 10 else 14), "setChildData", want >= 9, st_w)
    exists(0x0100, b"", "getTokenCount", want >= 9, 4 if want >= 18 else 1)
    exists(0x0102, (0x1E12A).to_bytes(4, "little") + bytes(4), "getTokenData(RESTORED_EUI64)",
           want >= 9, st_w + 4 + 8)
    ctx = bytes([1, 0]) + bytes(1 if want == 12 else 2) + bytes(8 + 2 + 4)
    exists(0x0114, ctx, f"exportKey(NETWORK) with a {len(ctx)}-byte context", want >= 12,
           20 if want <= 13 else 4 + 16 + 18)
    exists(0x0116, b"", "getNetworkKeyInfo", want >= 13, 4 + 8)
    exists(0x006D, b"\x01", "clearBindingTableOnLeave", want >= 19, 0)
    fid, rest = cmd(0x0BAD)
    check(fid == INVALID and rest is not None and len(rest) == (4 if want >= 14 else 1),
          f"invalidCommand payload: {len(rest or b'')} byte(s) (4 from v14)")
    sys.exit(1 if ap.failures else 0)


if __name__ == "__main__":
    main()
