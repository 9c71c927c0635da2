#!/usr/bin/env python3
"""Write the hand-made OCB test vectors and vectors/backups/EXPECT.tsv.

python3 standard library only. Writes:
  valid/    hand-made valid backups (+ copies the upstream sample unchanged)
  quirks/   backups as zigbee-herdsman really writes them (validator: warning)
  invalid/  one file per defect, named for it
  EXPECT.tsv  file, upstream verdict, strict verdict, validator verdict, JSON path of the first issue
The NVRAM-derived valid/znp-*.json files come from derive_znp_backup.py; this script only lists them
in EXPECT.tsv (run derive_znp_backup.py first). Re-running is idempotent.

Usage: make_vectors.py [--upstream-dir DIR] [--check]
"""
import argparse
import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "backups"))
UPSTREAM_DIR = os.environ.get("ZB_OCB_UPSTREAM_DIR", "/work/shared/ocb/upstream")
FORMAT = "zigpy/open-coordinator-backup"


def dump(doc):
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"


# A small, valid, canonical backup every invalid vector is derived from (values from the upstream
# sample z2m-sample-1.json, devices sorted by IEEE).
BASE = {
    "metadata": {
        "format": FORMAT,
        "version": 1,
        "source": "zbtools-vectors@1",
        "internal": {"note": "hand-made test vector"},
    },
    "stack_specific": {"zstack": {"tclk_seed": "4973f5450493c3cd90552c5f1d388a12"}},
    "coordinator_ieee": "00124b0009d80ba7",
    "pan_id": "cd0a",
    "extended_pan_id": "00124b0009d69f77",
    "nwk_update_id": 0,
    "security_level": 5,
    "channel": 21,
    "channel_mask": [21],
    "network_key": {"key": "1a0355fd7abb5dc588a34998f8ee1233", "sequence_number": 0, "frame_counter": 108522},
    "devices": [
        {
            "nwk_address": "6b5d",
            "ieee_address": "00124b002226ef87",
            "is_child": False,
            "link_key": {"key": "4422b6772c140f380dfd6f51f50e1693", "tx_counter": 35830, "rx_counter": 842},
        },
        {"nwk_address": "1ea2", "ieee_address": "00158d0002ec571d", "is_child": True},
        {
            "nwk_address": "06cb",
            "ieee_address": "680ae2fffeae5647",
            "is_child": False,
            "link_key": {"key": "184b9674edab799d02523d3d32725f44", "tx_counter": 370, "rx_counter": 4170},
        },
    ],
}


def base():
    return copy.deepcopy(BASE)


def edit(fn):
    d = base()
    fn(d)
    return dump(d)


def setitem(path, value):
    """edit function setting d[path...] = value; path is a tuple of keys/indices."""

    def fn(d):
        for p in path[:-1]:
            d = d[p]
        d[path[-1]] = value

    return fn


def delitem(path):
    def fn(d):
        for p in path[:-1]:
            d = d[p]
        del d[path[-1]]

    return fn


# ------------------------------------------------------------------ hand-made valid


def v_minimal():
    return dump(
        {
            "metadata": {"format": FORMAT, "version": 1, "source": "zbtools-vectors@1"},
            "coordinator_ieee": "00124b0001020304",
            "pan_id": "0001",
            "extended_pan_id": "0123456789abcdef",
            "nwk_update_id": 0,
            "security_level": 5,
            "channel": 11,
            "channel_mask": [11],
            "network_key": {"key": "01030507090b0d0f00020406080a0c0d", "sequence_number": 0, "frame_counter": 0},
            "devices": [],
        }
    )


def v_nwk_null():
    d = base()
    d["devices"].insert(
        2,
        {
            "nwk_address": None,
            "ieee_address": "5c0272fffe3a7b1c",
            "is_child": False,
            "link_key": {"key": "a5b7c9d1e3f5071929b3c5d7e9f1031b", "tx_counter": 0, "rx_counter": 12},
        },
    )
    return dump(d)


def v_uppercase():
    d = base()
    d["stack_specific"]["zstack"]["tclk_seed"] = d["stack_specific"]["zstack"]["tclk_seed"].upper()
    for k in ("coordinator_ieee", "pan_id", "extended_pan_id"):
        d[k] = d[k].upper()
    d["network_key"]["key"] = d["network_key"]["key"].upper()
    for dev in d["devices"]:
        dev["nwk_address"] = dev["nwk_address"].upper()
        dev["ieee_address"] = dev["ieee_address"].upper()
        if "link_key" in dev:
            dev["link_key"]["key"] = dev["link_key"]["key"].upper()
    return dump(d)


def v_ezsp():
    # bellows-style (zigpy serializer, §9.1 of ezsp-ash.md): MSB-first IEEE/EPID, 4-digit PAN
    return dump(
        {
            "metadata": {
                "format": FORMAT,
                "version": 1,
                "source": "bellows@0.40.0",
                "internal": {
                    "creation_time": "2024-10-22T10:00:00+00:00",
                    "node": {"ieee": "8c:65:a3:ff:fe:2e:b2:a1", "nwk": "0x0000", "type": "coordinator"},
                    "ezsp": {"stack_version": 13, "can_burn_userdata_custom_eui64": True,
                             "can_rewrite_custom_eui64": False},
                },
            },
            "stack_specific": {"ezsp": {"hashed_tclk": "d6c1e4f5a2b3c4d5e6f708192a3b4c5d"}},
            "coordinator_ieee": "8c65a3fffe2eb2a1",
            "pan_id": "7e3b",
            "extended_pan_id": "dd4f2c8a91b7e3a5",
            "nwk_update_id": 1,
            "security_level": 5,
            "channel": 25,
            "channel_mask": [11, 15, 20, 25],
            "network_key": {"key": "2ccade06b3090c310315b3d574d3c85a", "sequence_number": 0, "frame_counter": 66000},
            "devices": [
                {"nwk_address": "3f1a", "ieee_address": "001788010b2c4d5e", "is_child": False,
                 "link_key": {"key": "b4d8f2a6c0e4186c2a7e5f9b3d1c8e07", "tx_counter": 3, "rx_counter": 141}},
                {"nwk_address": "9b02", "ieee_address": "54ef441000a1b2c3", "is_child": True},
            ],
        }
    )


# ------------------------------------------------------------------ quirks (zigbee-herdsman output)


def q_herdsman_zstack():
    # toUnifiedBackup(): pan_id/nwk_address toString(16) (no padding), device order = address
    # manager order, is_child always present, link_key {key, rx_counter, tx_counter}
    return dump(
        {
            "metadata": {
                "format": FORMAT,
                "version": 1,
                "source": "zigbee-herdsman@10.9.5",
                "internal": {"date": "2025-01-12T08:30:00.000Z", "znpVersion": 1},
            },
            "stack_specific": {"zstack": {"tclk_seed": "c04884427c8a1ed7bb8412815ccce7aa"}},
            "coordinator_ieee": "00124b001e17efa8",
            "pan_id": "244",
            "extended_pan_id": "dddddddddddddddd",
            "nwk_update_id": 0,
            "security_level": 5,
            "channel": 11,
            "channel_mask": [11],
            "network_key": {"key": "01030507090b0d0f00020406080a0c0d", "sequence_number": 0, "frame_counter": 1250},
            "devices": [
                {"nwk_address": "6cb", "ieee_address": "90fd9ffffe2bbbdd", "is_child": False,
                 "link_key": {"key": "3a11ebb67bdd811ac36c907aed1ea15c", "rx_counter": 13365, "tx_counter": 23491}},
                {"nwk_address": "12", "ieee_address": "4b001c4b2159a231", "is_child": True},
                {"nwk_address": "664b", "ieee_address": "000b57fffe2bd457", "is_child": False,
                 "link_key": {"key": "6822d93c39c7d86085d999879e3fd7f4", "rx_counter": 7, "tx_counter": 7023}},
            ],
        }
    )


def ember(pan):
    # ember adapter backup(): coordinator IEEE and EPID as wire bytes (LSB first), unpadded PAN,
    # hashed_tclk always, ezspVersion in internal, no devices (ALLOW_APP_KEY_REQUESTS = false)
    return dump(
        {
            "metadata": {
                "format": FORMAT,
                "version": 1,
                "source": "zigbee-herdsman@10.9.5",
                "internal": {"date": "2025-01-12T08:30:00.000Z", "ezspVersion": 13},
            },
            "stack_specific": {"ezsp": {"hashed_tclk": "d6c1e4f5a2b3c4d5e6f708192a3b4c5d"}},
            "coordinator_ieee": "a1b22efeffa3658c",
            "pan_id": pan,
            "extended_pan_id": "a5e3b7918a2c4fdd",
            "nwk_update_id": 0,
            "security_level": 5,
            "channel": 15,
            "channel_mask": list(range(11, 27)),
            "network_key": {"key": "2ccade06b3090c310315b3d574d3c85a", "sequence_number": 0, "frame_counter": 20},
            "devices": [],
        }
    )


# ------------------------------------------------------------------ invalid


def deep_nesting():
    return "[" * 10000 + "]" * 10000 + "\n"


def duplicate_ieee(d):
    d["devices"][1]["ieee_address"] = d["devices"][0]["ieee_address"]


def devices_as_object(d):
    d["devices"] = {dev["ieee_address"]: dev for dev in d["devices"]}


def unknown_key(d):
    d["coordinator_nwk"] = "0000"


# (path, content, upstream, strict, validate, where); None content = file written elsewhere
VECTORS = [
    ("valid/z2m-sample-1.json", None, "pass", "pass", "ok", "-"),
    ("valid/znp-CC2652R-ZStack4.json", None, "pass", "pass", "ok", "-"),
    ("valid/znp-CC2538-ZStack3.json", None, "pass", "pass", "ok", "-"),
    ("valid/znp-CC2531-ZStack3.json", None, "pass", "pass", "ok", "-"),
    ("valid/znp-CC2531-ZStack1.json", None, "pass", "pass", "ok", "-"),
    ("valid/base.json", dump(BASE), "pass", "pass", "ok", "-"),
    ("valid/minimal-no-devices.json", v_minimal(), "pass", "pass", "ok", "-"),
    ("valid/nwk-null-not-child.json", v_nwk_null(), "pass", "pass", "ok", "-"),
    ("valid/uppercase-hex.json", v_uppercase(), "pass", "pass", "ok", "-"),
    ("valid/ezsp-hashed-tclk.json", v_ezsp(), "pass", "pass", "ok", "-"),
    ("quirks/herdsman-zstack-unpadded.json", q_herdsman_zstack(), "fail", "fail", "warn", "pan_id"),
    ("quirks/herdsman-ember-wire-order.json", ember("b1e"), "fail", "fail", "warn", "pan_id"),
    ("quirks/herdsman-ember-padded-pan.json", ember("1b1e"), "pass", "pass", "warn", "coordinator_ieee"),
    # real published backups (/work/shared/ocb/wild, copied or edited as vectors/backups/README.md says)
    ("quirks/wild-05-herdsman-zstack-nwk-fffe.json", None, "pass", "pass", "warn", "devices[22].nwk_address"),
    ("quirks/wild-12-herdsman-ezsp-before-ember.json", None, "pass", "pass", "warn", "coordinator_ieee"),
    ("quirks/wild-13-herdsman-ember-ieee-wireorder.json", None, "pass", "pass", "warn", "coordinator_ieee"),
    ("quirks/garbled-entries-from-wild-05.json", None, "pass", "pass", "warn", "devices[1].nwk_address"),
    ("quirks/placeholder-ieee-from-wild-02.json", None, "pass", "pass", "warn", "coordinator_ieee"),
    ("invalid/bad-hex-ieee.json", edit(setitem(("devices", 2, "ieee_address"), "680ae2fffeae564g")),
     "fail", "fail", "error", "devices[2].ieee_address"),
    ("invalid/short-link-key.json", edit(setitem(("devices", 2, "link_key", "key"), "184b9674edab799d")),
     "pass", "fail", "error", "devices[2].link_key.key"),
    ("invalid/long-network-key.json", edit(setitem(("network_key", "key"), BASE["network_key"]["key"] + "00")),
     "pass", "fail", "error", "network_key.key"),
    ("invalid/channel-27.json", edit(setitem(("channel",), 27)), "fail", "fail", "error", "channel"),
    ("invalid/channel-not-in-mask.json", edit(setitem(("channel",), 15)), "pass", "pass", "error", "channel"),
    ("invalid/channel-mask-empty.json", edit(setitem(("channel_mask",), [])), "pass", "fail", "error", "channel_mask"),
    ("invalid/channel-mask-duplicate.json", edit(setitem(("channel_mask",), [21, 21])),
     "pass", "fail", "error", "channel_mask[1]"),
    ("invalid/pan-id-ffff.json", edit(setitem(("pan_id",), "ffff")), "pass", "fail", "error", "pan_id"),
    ("invalid/epid-all-zero.json", edit(setitem(("extended_pan_id",), "0" * 16)),
     "pass", "fail", "error", "extended_pan_id"),
    ("invalid/epid-all-ff.json", edit(setitem(("extended_pan_id",), "f" * 16)),
     "pass", "fail", "error", "extended_pan_id"),
    ("invalid/missing-network-key.json", edit(delitem(("network_key",))), "fail", "fail", "error", "network_key"),
    ("invalid/missing-metadata-format.json", edit(delitem(("metadata", "format"))),
     "pass", "fail", "error", "metadata.format"),
    ("invalid/metadata-version-2.json", edit(setitem(("metadata", "version"), 2)),
     "fail", "fail", "error", "metadata.version"),
    ("invalid/source-without-at.json", edit(setitem(("metadata", "source"), "zbtools")),
     "fail", "fail", "error", "metadata.source"),
    ("invalid/unknown-top-level-key.json", edit(unknown_key), "pass", "fail", "error", "coordinator_nwk"),
    ("invalid/duplicate-device-ieee.json", edit(duplicate_ieee), "pass", "pass", "error", "devices[1].ieee_address"),
    ("invalid/channel-as-string.json", edit(setitem(("channel",), "21")), "fail", "fail", "error", "channel"),
    ("invalid/devices-as-object.json", edit(devices_as_object), "fail", "fail", "error", "devices"),
    ("invalid/frame-counter-2pow32.json", edit(setitem(("network_key", "frame_counter"), 4294967296)),
     "fail", "fail", "error", "network_key.frame_counter"),
    ("invalid/negative-counter.json", edit(setitem(("devices", 0, "link_key", "rx_counter"), -1)),
     "fail", "fail", "error", "devices[0].link_key.rx_counter"),
    ("invalid/sequence-number-256.json", edit(setitem(("network_key", "sequence_number"), 256)),
     "fail", "fail", "error", "network_key.sequence_number"),
    ("invalid/security-level-8.json", edit(setitem(("security_level",), 8)), "fail", "fail", "error", "security_level"),
    ("invalid/unanchored-ieee.json", edit(setitem(("coordinator_ieee",), "zz00124b0009d69f77zz")),
     "pass", "fail", "error", "coordinator_ieee"),
    ("invalid/nwk-address-5-digits.json", edit(setitem(("devices", 1, "nwk_address"), "1ea20")),
     "pass", "fail", "error", "devices[1].nwk_address"),
    ("invalid/tclk-seed-short.json", edit(setitem(("stack_specific", "zstack", "tclk_seed"), "4973f5450493c3cd")),
     "fail", "fail", "error", "stack_specific.zstack.tclk_seed"),
    ("invalid/hashed-tclk-bad-hex.json",
     edit(setitem(("stack_specific",), {"ezsp": {"hashed_tclk": "d6c1e4f5a2b3c4d5e6f708192a3b4c5x"}})),
     "pass", "fail", "error", "stack_specific.ezsp.hashed_tclk"),
    ("invalid/truncated.json", dump(BASE)[: len(dump(BASE)) // 2], "fail", "fail", "error", "-"),
    ("invalid/empty.json", "", "fail", "fail", "error", "-"),
    ("invalid/top-level-array.json", dump([BASE]), "fail", "fail", "error", "-"),
    ("invalid/deep-nesting.json", deep_nesting(), "fail", "fail", "error", "-"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream-dir", default=UPSTREAM_DIR)
    ap.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = ap.parse_args()

    with open(os.path.join(args.upstream_dir, "z2m-sample-1.json"), "rb") as f:
        sample = f.read()
    files = {"valid/z2m-sample-1.json": sample}
    rows = ["file\tupstream\tstrict\tvalidate\twhere"]
    for path, content, up, st, va, where in VECTORS:
        if content is not None:
            files[path] = content.encode()
        elif path not in files and not os.path.exists(os.path.join(OUT, path)):
            sys.exit(f"{path} is missing: run derive_znp_backup.py first")
        rows.append("\t".join((path, up, st, va, where)))
    files["EXPECT.tsv"] = ("\n".join(rows) + "\n").encode()

    status = 0
    for path, content in files.items():
        full = os.path.join(OUT, path)
        if args.check:
            try:
                with open(full, "rb") as f:
                    same = f.read() == content
            except FileNotFoundError:
                same = False
            if not same:
                print(f"DIFF {path}")
                status = 1
        else:
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(content)
    if not args.check:
        print(f"wrote {len(files)} files under {OUT}")
    return status


if __name__ == "__main__":
    sys.exit(main())
