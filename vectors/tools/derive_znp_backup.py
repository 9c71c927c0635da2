#!/usr/bin/env python3
"""Derive an open-coordinator-backup (OCB) JSON from a Z-Stack NVRAM dump, the way zigpy-znp does.

This is the independent cross-check for the project's C code: python3 standard library only, written
from /work/shared/protocols/zstack-mt.md (§4.5 byte layouts, §6.1 field derivation, §6.2 hashed TC
link keys, §6.5 frame-counter location) and nothing else. It must never import or call project code.

Usage:
  derive_znp_backup.py                    re-derive every vector into vectors/backups/valid/
  derive_znp_backup.py --check            re-derive and compare with the committed files (exit 1 on diff)
  derive_znp_backup.py DUMP.json          print the backup for one dump on stdout
Options: --nvram-dir DIR (default /work/shared/nvram/znp, or $ZB_NVRAM_DIR), --out-dir DIR.

The golden values of zstack-mt.md §6.2 and §10 are asserted on every run.
"""
import argparse
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "backups", "valid"))
DEFAULT_NVRAM = os.environ.get("ZB_NVRAM_DIR", "/work/shared/nvram/znp")

# dump name -> (expected Z-Stack version as zigpy-znp names it, expected struct style)
DUMPS = {
    "CC2652R-ZStack4": ("3.30", "aligned"),
    "CC2538-ZStack3": ("3.0", "aligned"),
    "CC2531-ZStack3": ("3.0", "packed"),
    "CC2531-ZStack1": ("1.2", "packed"),
}

# §4.5.1 NIB offsets of the fields a backup needs: (packed, aligned)
NIB_OFF = {
    "SecurityLevel": (12, 12),
    "nwkLogicalChannel": (22, 24),
    "nwkPanId": (33, 36),
    "channelList": (36, 40),
    "extendedPANID": (53, 57),
    "nwkUpdateId": (109, 114),
}
NIB_LEN = (110, 116)

LEGACY_NWK_SEC_MATERIAL = "LEGACY_NWK_SEC_MATERIAL_TABLE_START+"  # 0x0075..0x0080
LEGACY_TCLK = "LEGACY_TCLK_TABLE_START+"  # 0x0111..0x01FF
LEGACY_APS_KEY_DATA = "LEGACY_APS_LINK_KEY_DATA_START+"  # 0x0201..0x02FF
LEGACY_APS_KEY_DATA_ID = 0x0201

ADDR_TYPE_ASSOC = 0x01
ADDR_TYPE_SECURITY = 0x02
AUTH_CBCK = 1  # APS_LINK_KEY_TABLE AuthenticationState "AuthenticatedCBCK" = link key present

EMPTY_IEEES = (bytes(8), b"\xff" * 8)
OCB_FORMAT = "zigpy/open-coordinator-backup"


class DeriveError(Exception):
    pass


def u16(b, off):
    return struct.unpack_from("<H", b, off)[0]


def u32(b, off):
    return struct.unpack_from("<I", b, off)[0]


def be_hex(nv_bytes):
    """IEEE / EPID: NV (little-endian) bytes printed most-significant byte first."""
    return bytes(reversed(nv_bytes)).hex()


def hashed_tclk(seed, ieee_nv, shift):
    """§6.2: key[i] = seed[(i + s) mod 16] XOR e[i mod 8], e = IEEE in NV (LE) order."""
    if len(seed) != 16 or len(ieee_nv) != 8 or not 0 <= shift <= 15:
        raise DeriveError(f"bad TCLK hash input (seed {len(seed)} B, ieee {len(ieee_nv)} B, s {shift})")
    return bytes(seed[(i + shift) % 16] ^ ieee_nv[i % 8] for i in range(16))


def legacy_table(legacy, prefix):
    """Rows of a legacy OSAL table range, contiguous from +0 (hosts stop at the first absent id)."""
    rows = []
    while prefix + str(len(rows)) in legacy:
        rows.append(bytes.fromhex(legacy[prefix + str(len(rows))]))
    return rows


def ext_table(dump, name):
    """Rows of a 3.x.0 extended table, contiguous from sub-id 0x0000."""
    table = dump.get(name, {})
    rows = []
    while "0x%04X" % len(rows) in table:
        rows.append(bytes.fromhex(table["0x%04X" % len(rows)]))
    return rows


def detect(dump):
    """(version, style) from the dump itself: ext tables -> 3.30; TCLK_SEED -> 3.0; else 1.2.
    Style from the NIB length (110 packed, 116 aligned)."""
    legacy = dump["LEGACY"]
    if "TCLK_TABLE" in dump:
        version = "3.30"
    elif "TCLK_SEED" in legacy:
        version = "3.0"
    else:
        version = "1.2"
    nib_len = len(legacy["NIB"]) // 2
    if nib_len not in NIB_LEN:
        raise DeriveError(f"NIB is {nib_len} bytes, expected 110 (packed) or 116 (aligned)")
    return version, ("packed" if nib_len == NIB_LEN[0] else "aligned")


def derive(dump, name):
    legacy = dump["LEGACY"]
    version, style = detect(dump)
    a = 1 if style == "aligned" else 0
    warnings = []

    # coordinator IEEE: EXTADDR (0x0001), NV order -> reversed
    extaddr = bytes.fromhex(legacy["EXTADDR"])
    if len(extaddr) != 8:
        raise DeriveError("EXTADDR is not 8 bytes")

    # NIB (0x0021), §4.5.1
    nib = bytes.fromhex(legacy["NIB"])
    channel = nib[NIB_OFF["nwkLogicalChannel"][a]]
    pan = u16(nib, NIB_OFF["nwkPanId"][a])
    mask = u32(nib, NIB_OFF["channelList"][a])
    epid_nv = nib[NIB_OFF["extendedPANID"][a] : NIB_OFF["extendedPANID"][a] + 8]
    security_level = nib[NIB_OFF["SecurityLevel"][a]]
    update_id = nib[NIB_OFF["nwkUpdateId"][a]]
    channel_mask = [c for c in range(11, 27) if mask & (1 << c)]
    if mask & ~0x07FFF800:
        raise DeriveError(f"channelList 0x{mask:08x} has bits outside 11..26")
    if channel == 0 or pan in (0xFFFE, 0xFFFF):
        raise DeriveError("NIB says the device is not formed")

    # network key: NWK_ACTIVE_KEY_INFO (0x003A) = KeySeqNum u8 | Key[16]
    active = bytes.fromhex(legacy["NWK_ACTIVE_KEY_INFO"])
    if len(active) != 17:
        raise DeriveError("NWK_ACTIVE_KEY_INFO is not 17 bytes")
    key_seq, nwk_key = active[0], active[1:17]

    # frame counter, §6.5
    if version == "1.2":
        nwkkey = bytes.fromhex(legacy["NWKKEY"])  # §4.5.3: counter @17 packed, @20 aligned
        frame_counter = u32(nwkkey, 20 if len(nwkkey) == 24 else 17)
    else:
        if version == "3.30":
            rows = ext_table(dump, "NWK_SEC_MATERIAL_TABLE")
        else:
            rows = legacy_table(legacy, LEGACY_NWK_SEC_MATERIAL)
        # §4.5.5: FrameCounter u32 | ExtendedPanID[8]; row for our EPID, else the global FF row
        by_epid = {r[4:12]: u32(r, 0) for r in reversed(rows)}  # first matching row wins
        if epid_nv in by_epid:
            frame_counter = by_epid[epid_nv]
        elif b"\xff" * 8 in by_epid:
            frame_counter = by_epid[b"\xff" * 8]
        else:
            raise DeriveError("no NWK security material row for the NIB EPID (zigpy-znp: not formed)")

    seed = bytes.fromhex(legacy["TCLK_SEED"]) if version != "1.2" else None

    # address manager, §4.5.6: packed type|nwk@1|ext@3 (11 B); aligned type|pad|nwk@2|ext@4 (12 B)
    if version == "3.30":
        am_rows = ext_table(dump, "ADDRMGR")
    else:
        raw = bytes.fromhex(legacy["ADDRMGR"])
        size = 12 if a else 11
        if len(raw) % size:
            raise DeriveError(f"ADDRMGR length {len(raw)} is not a multiple of {size}")
        am_rows = [raw[i : i + size] for i in range(0, len(raw), size)]
    am = []  # (type, nwk, ieee_nv) for every row, index = AddressManagerIndex
    for row in am_rows:
        if a:
            am.append((row[0], u16(row, 2), row[4:12]))
        else:
            am.append((row[0], u16(row, 1), row[3:11]))

    devices = {}
    for typ, nwk, ieee_nv in am:
        if ieee_nv in EMPTY_IEEES or typ == 0:
            continue
        if typ not in (1, 2, 3):
            raise DeriveError(f"address manager type 0x{typ:02x} (zigpy-znp raises ValueError)")
        ieee = be_hex(ieee_nv)
        if ieee in devices:
            raise DeriveError(f"IEEE {ieee} twice in the address manager")
        devices[ieee] = {
            "nwk_address": None if nwk == 0xFFFE else f"{nwk:04x}",
            "ieee_address": ieee,
            "is_child": bool(typ & ADDR_TYPE_ASSOC),
        }
        if devices[ieee]["nwk_address"] is None and not devices[ieee]["is_child"]:
            warnings.append(f"{ieee}: nwk 0xFFFE and not a child (zigpy itself would drop this device)")

    keys = {}  # ieee (BE hex) -> link_key dict; later sources override earlier ones
    if version != "1.2":
        # hashed TC link keys, §4.5.4 + §6.2: tx u32 @0, rx u32 @4, ext[8] @8, attr @16, type @17, shift @18
        if version == "3.30":
            tclk_rows = ext_table(dump, "TCLK_TABLE")
        else:
            tclk_rows = legacy_table(legacy, LEGACY_TCLK)
        for row in tclk_rows:
            ieee_nv = row[8:16]
            if ieee_nv == bytes(8):
                continue  # empty row (may still carry counters)
            keys[be_hex(ieee_nv)] = {
                "key": hashed_tclk(seed, ieee_nv, row[18]).hex(),
                "tx_counter": u32(row, 0),
                "rx_counter": u32(row, 4),
            }

        # unhashed APS keys, §4.5.7 + §4.5.5: count u16, rows ami u16 | nvid u16 | state u8 [| pad]
        if version == "3.30":
            key_data, base = ext_table(dump, "APS_KEY_DATA_TABLE"), 0
        else:
            key_data, base = legacy_table(legacy, LEGACY_APS_KEY_DATA), LEGACY_APS_KEY_DATA_ID
        sec = bytes.fromhex(legacy["APS_LINK_KEY_TABLE"])
        rsize = 6 if a else 5
        if (len(sec) - 2) % rsize:
            raise DeriveError(f"APS_LINK_KEY_TABLE length {len(sec)} is not 2 + n*{rsize}")
        count = u16(sec, 0)
        if 2 + count * rsize > len(sec):
            raise DeriveError(f"APS_LINK_KEY_TABLE count {count} exceeds its {len(sec)} bytes")
        for i in range(count):
            off = 2 + i * rsize
            ami, nvid, state = u16(sec, off), u16(sec, off + 2), sec[off + 4]
            if state != AUTH_CBCK:
                continue
            typ, _nwk, ieee_nv = am[ami]
            if not typ & ADDR_TYPE_SECURITY:
                raise DeriveError(f"APS_LINK_KEY_TABLE row {i}: address manager entry {ami} lacks the SECURITY bit")
            kd = key_data[nvid - base]
            keys[be_hex(ieee_nv)] = {"key": kd[0:16].hex(), "tx_counter": u32(kd, 16), "rx_counter": u32(kd, 20)}

    for ieee, lk in sorted(keys.items()):
        if ieee not in devices:
            warnings.append(f"{ieee}: link key without an address manager entry, dropped (as zigpy does)")
            continue
        devices[ieee]["link_key"] = lk

    backup = {
        "metadata": {
            "format": OCB_FORMAT,
            "version": 1,
            "source": f"nvram-dump@{name}.formed",
            "internal": {"derived_from": f"{name}.formed.json"},
        }
    }
    if seed is not None:
        backup["stack_specific"] = {"zstack": {"tclk_seed": seed.hex()}}
    backup.update(
        {
            "coordinator_ieee": be_hex(extaddr),
            "pan_id": f"{pan:04x}",
            "extended_pan_id": be_hex(epid_nv),
            "nwk_update_id": update_id,
            "security_level": security_level,
            "channel": channel,
            "channel_mask": channel_mask,
            "network_key": {"key": nwk_key.hex(), "sequence_number": key_seq, "frame_counter": frame_counter},
            "devices": [devices[k] for k in sorted(devices)],
        }
    )
    return backup, version, style, warnings


def canonical(backup):
    return json.dumps(backup, indent=2, ensure_ascii=True) + "\n"


# ---------------------------------------------------------------- golden values (zstack-mt.md)


def check_hash_golden():
    seed = bytes.fromhex("c04884427c8a1ed7bb8412815ccce7aa")
    for ieee_be, s, want in [
        ("000b57fffe38b212", 0, "d2fabcbc83dd15d7a9362a7fa39becaa"),
        ("aabbccddeeff0011", 12, "4dcc18441d843fe86d8ae1396648a92b"),
        ("90fd9ffffe2bbbdd", 14, "3a11ebb67bdd811ac36c907aed1ea15c"),
        ("ccccccfffeeec02a", 0, "ea886abc8346d21b9144fc7fa3002b66"),
    ]:
        got = hashed_tclk(seed, bytes.fromhex(ieee_be)[::-1], s).hex()
        assert got == want, f"§6.2 golden: {ieee_be} s={s}: {got} != {want}"


def check_golden(name, b):
    def eq(field, got, want):
        assert got == want, f"{name}: golden {field}: got {got!r}, want {want!r}"

    if name == "CC2652R-ZStack4":
        eq("coordinator_ieee", b["coordinator_ieee"], "00124b001e17efa8")
        eq("channel", b["channel"], 15)
        eq("channel_mask", b["channel_mask"], [15])
        eq("pan_id", b["pan_id"], "4402")
        eq("extended_pan_id", b["extended_pan_id"], "a2ba38a8b5e683a0")
        eq("security_level", b["security_level"], 5)
        eq("nwk_update_id", b["nwk_update_id"], 0)
        eq("network_key", b["network_key"],
           {"key": "4c4e72b8412251799abf35251288ca83", "sequence_number": 0, "frame_counter": 7500})
        eq("tclk_seed", b["stack_specific"]["zstack"]["tclk_seed"], "c04884427c8a1ed7bb8412815ccce7aa")
        want = [
            # ieee, nwk, child, key, tx, rx (None = not given in §10, only its presence is checked)
            ("000b57fffe2bd457", "664b", False, "6822d93c39c7d86085d999879e3fd7f4", 7023, 7),
            ("4b001c4b2159a231", "0012", True, "-", None, None),
            ("90fd9ffffe2bbbdd", "9697", False, "3a11ebb67bdd811ac36c907aed1ea15c", 23491, 13365),
            ("90fd9ffffe329a0b", "c56b", False, "c77d983eb71bbfec8184e5457b8d7ccc", None, None),
            ("ccccccfffeeec02a", "4c7c", False, "ea886abc8346d21b9144fc7fa3002b66", None, None),
            ("d0cf5efffece3af2", "8f15", False, "92e8c34c863fa70c0605380c3d985f03", 6032, 18),
            ("d0cf5efffeda9bbb", "22c0", False, "001fc87fa392287a7bd35ebc83d4d107", None, None),
            ("ec1bbdfffe544f40", "6d1c", False, "8007d0bc8337053bfbcb467fa371fc46", None, None),
        ]
        eq("device count", len(b["devices"]), len(want))
        for d, (ieee, nwk, child, key, tx, rx) in zip(b["devices"], want):
            eq("ieee_address", d["ieee_address"], ieee)
            eq(f"{ieee} nwk_address", d["nwk_address"], nwk)
            eq(f"{ieee} is_child", d["is_child"], child)
            if key == "-":
                assert "link_key" not in d, f"{name}: {ieee} must have no link key"
                continue
            eq(f"{ieee} link_key.key", d["link_key"]["key"], key)
            if tx is not None:
                eq(f"{ieee} tx_counter", d["link_key"]["tx_counter"], tx)
                eq(f"{ieee} rx_counter", d["link_key"]["rx_counter"], rx)
    elif name == "CC2531-ZStack3":
        eq("channel", b["channel"], 15)
        eq("pan_id", b["pan_id"], "b6ab")
        eq("extended_pan_id", b["extended_pan_id"], "629232463c772db2")
    elif name == "CC2531-ZStack1":
        eq("channel", b["channel"], 11)
        eq("pan_id", b["pan_id"], "1a62")
        eq("extended_pan_id", b["extended_pan_id"], "dddddddddddddddd")
        eq("network_key.key", b["network_key"]["key"], "01030507090b0d0f00020406080a0c0d")
        assert "stack_specific" not in b, "1.2 has no TCLK seed"
        for d in b["devices"]:
            assert "link_key" not in d, "1.2 backups carry no link keys"


def out_name(name):
    return f"znp-{name}.json"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump", nargs="?", help="one NVRAM dump; print its backup on stdout")
    ap.add_argument("--nvram-dir", default=DEFAULT_NVRAM)
    ap.add_argument("--out-dir", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="compare with the files in --out-dir, write nothing")
    args = ap.parse_args()

    check_hash_golden()

    if args.dump:
        base = os.path.basename(args.dump)
        name = base[: -len(".formed.json")] if base.endswith(".formed.json") else base.rsplit(".json", 1)[0]
        with open(args.dump) as f:
            b, _, _, warns = derive(json.load(f), name)
        check_golden(name, b)
        for w in warns:
            print("warning: " + w, file=sys.stderr)
        sys.stdout.write(canonical(b))
        return 0

    status = 0
    for name, (want_version, want_style) in DUMPS.items():
        with open(os.path.join(args.nvram_dir, f"{name}.formed.json")) as f:
            b, version, style, warns = derive(json.load(f), name)
        assert (version, style) == (want_version, want_style), f"{name}: detected {version}/{style}"
        check_golden(name, b)
        for w in warns:
            print(f"warning: {name}: {w}", file=sys.stderr)
        text = canonical(b)
        path = os.path.join(args.out_dir, out_name(name))
        if args.check:
            try:
                with open(path) as f:
                    same = f.read() == text
            except FileNotFoundError:
                same = False
            print(f"{'ok  ' if same else 'DIFF'} {path}")
            status |= 0 if same else 1
        else:
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {path} (Z-Stack {version}, {style}, {len(b['devices'])} devices)")
    return status


if __name__ == "__main__":
    sys.exit(main())
