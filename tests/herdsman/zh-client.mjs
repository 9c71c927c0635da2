#!/usr/bin/env node
// zh-client.mjs — drive the real zigbee-herdsman Controller (pinned: 10.9.5 in tests/node, or
// 11.x in tests/node11 with ZB_HERDSMAN=11) against a coordinator on a serial port / pty / tcp://:
// start (form | resume | restore), optional permit join, backup, stop.  Prints exactly one JSON
// line on stdout; everything else goes to stderr or to <workdir>/herdsman-debug.log (--debug).
// See tests/herdsman/README.md for the herdsman facts.
//
// Exit codes: 0 ok, 1 failure (JSON {"ok":false,...}), 2 hard timeout, 64 usage error.

import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { listenReports } from "./zh-listen.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
// zigbee-herdsman is resolved from a pinned install whatever the cwd is: ZB_HERDSMAN picks which
// (unset or "10": tests/node, 10.9.5; "11": tests/node11, 11.x; both installed by ci/setup.sh).
// ZH_NODE_PACKAGE may point at another package.json whose node_modules holds herdsman.
const INSTALLS = { 10: "../node", 11: "../node11" };
const ZB_HERDSMAN = process.env.ZB_HERDSMAN || "10";
const NODE_DIR = INSTALLS[ZB_HERDSMAN] ? path.resolve(HERE, INSTALLS[ZB_HERDSMAN]) : undefined;
const NODE_PACKAGE = process.env.ZH_NODE_PACKAGE || (NODE_DIR && path.join(NODE_DIR, "package.json"));
const requireFromTests = NODE_PACKAGE ? createRequire(NODE_PACKAGE) : undefined;

/** Loads zigbee-herdsman from the selected install: { zh, version } or throws a clear message. */
function loadHerdsman() {
    if (!requireFromTests) {
        throw new Error(`ZB_HERDSMAN='${ZB_HERDSMAN}': expected one of ${Object.keys(INSTALLS).join(", ")} (or set ZH_NODE_PACKAGE)`);
    }
    let pkgFile;
    try {
        pkgFile = requireFromTests.resolve("zigbee-herdsman/package.json");
    } catch {
        const dir = path.dirname(NODE_PACKAGE);
        const why = process.env.ZH_NODE_PACKAGE ? "ZH_NODE_PACKAGE" : `ZB_HERDSMAN=${ZB_HERDSMAN}`;
        throw new Error(`zigbee-herdsman is not installed in ${dir}/node_modules (${why}): run bash ci/setup.sh (npm ci --prefix ${dir})`);
    }
    const version = JSON.parse(fs.readFileSync(pkgFile, "utf8")).version;
    return { zh: requireFromTests("zigbee-herdsman"), version };
}

/** Controller options for the port: 11.0 renamed `serialPort` to `transport` (same fields). */
export function portOptions(version, port, adapter, baudRate) {
    const key = Number.parseInt(String(version), 10) >= 11 ? "transport" : "serialPort";
    return { [key]: { path: port, adapter, baudRate, rtscts: false } };
}

// Defaults (used when neither an option nor --restore-from supplies a value).
const DEFAULTS = {
    pan: 0x1a62,
    epid: "00124b0001020304",
    // herdsman's own built-in default network key (dist/controller/controller.js constructor)
    key: "01030507090b0d0f00020406080a0c0d",
    channel: 11,
    timeoutMs: 120000,
    baudRate: 115200,
};
const ADAPTERS = ["zstack", "ember", "zboss"];
// File names inside --workdir (the names Zigbee2MQTT uses in its data directory).
const FILES = {
    database: "database.db",
    databaseBackup: "database.db.backup",
    backup: "coordinator_backup.json",
    debugLog: "herdsman-debug.log",
};

const USAGE = `usage: node tests/herdsman/zh-client.mjs --adapter zstack|ember|zboss --port /dev/pts/N --workdir DIR
         [--pan 0x1a62] [--epid 00124b0001020304] [--key <32 hex>] [--channel 11]
         [--restore-from BACKUP.json] [--backup-out FILE] [--permit-join SECONDS] [--hold-ms N]
         [--timeout-ms 120000] [--baud-rate 115200] [--clean] [--debug] [--listen-ms N]

  --adapter       herdsman adapter type (serialPort.adapter; transport.adapter from 11.0)
  --port          serial path (pty) or tcp://host:port
  --workdir       herdsman state: ${FILES.database}, ${FILES.databaseBackup}, ${FILES.backup}
                  (kept between runs: a second run against the same device resumes)
  --pan           PAN ID (hex with 0x, or decimal)
  --epid          extended PAN ID, 16 hex digits (":" allowed); the bytes are taken in the order
                  written and passed as herdsman's network.extendedPanID array (README: byte orders)
  --key           network key, 32 hex digits, in order
  --channel       channel 11..26 (channelList [channel])
  --restore-from  OCB backup JSON copied to <workdir>/${FILES.backup} before start; pan/epid/key/
                  channel not given explicitly are derived from it so that herdsman's
                  config-matches-backup test passes (zstack: channelList = channel_mask)
  --backup-out    copy of the backup written by the explicit controller.backup() call
  --permit-join   controller.permitJoin(SECONDS) after start (1..254)
  --hold-ms       stay up this long after start/permit join before the backup (default 0)
  --timeout-ms    hard overall timeout; exit 2 (default ${DEFAULTS.timeoutMs})
  --listen-ms     after start, collect the devices' attribute reports this long (zh-listen.mjs)
  --clean         delete the workdir state files above before starting
  --debug         all herdsman log levels to <workdir>/${FILES.debugLog}`;

// ---------------------------------------------------------------------------------------------
// stdout discipline: the only stdout output is our final JSON line.
const realStdoutWrite = process.stdout.write.bind(process.stdout);
for (const m of ["log", "info", "debug"]) {
    console[m] = (...a) => process.stderr.write(`${a.join(" ")}\n`);
}
let finished = false;
function finish(code, obj) {
    if (finished) return;
    finished = true;
    realStdoutWrite(`${JSON.stringify(obj)}\n`, () => process.exit(code));
    // if stdout is gone, do not hang
    setTimeout(() => process.exit(code), 2000).unref();
}
function note(msg) {
    process.stderr.write(`[zh-client] ${msg}\n`);
}
class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// argument parsing
function parseHexBytes(name, text, len) {
    const clean = String(text).trim().replace(/^0x/i, "").replace(/[:\s-]/g, "");
    if (!/^[0-9a-fA-F]*$/.test(clean) || clean.length !== len * 2) {
        throw new UsageError(`--${name}: expected ${len * 2} hex digits, got '${text}'`);
    }
    return Array.from(Buffer.from(clean, "hex"));
}
function parseIntOpt(name, text, min, max) {
    const s = String(text).trim();
    const v = /^0x[0-9a-f]+$/i.test(s) ? Number.parseInt(s, 16) : /^\d+$/.test(s) ? Number.parseInt(s, 10) : Number.NaN;
    if (!Number.isInteger(v) || v < min || v > max) {
        throw new UsageError(`--${name}: expected an integer in ${min}..${max}, got '${text}'`);
    }
    return v;
}

export function parseCli(argv) {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            strict: true,
            allowPositionals: false,
            options: {
                adapter: { type: "string" },
                port: { type: "string" },
                workdir: { type: "string" },
                pan: { type: "string" },
                epid: { type: "string" },
                key: { type: "string" },
                channel: { type: "string" },
                "restore-from": { type: "string" },
                "backup-out": { type: "string" },
                "permit-join": { type: "string" },
                "hold-ms": { type: "string" },
                "listen-ms": { type: "string" },
                "timeout-ms": { type: "string" },
                "baud-rate": { type: "string" },
                clean: { type: "boolean" },
                debug: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (e) {
        throw new UsageError(e.message);
    }
    if (values.help) return { help: true };
    for (const req of ["adapter", "port", "workdir"]) {
        if (!values[req]) throw new UsageError(`--${req} is required`);
    }
    if (!ADAPTERS.includes(values.adapter)) {
        throw new UsageError(`--adapter: expected one of ${ADAPTERS.join("|")}, got '${values.adapter}'`);
    }
    const o = {
        adapter: values.adapter,
        port: values.port,
        workdir: path.resolve(values.workdir),
        pan: values.pan !== undefined ? parseIntOpt("pan", values.pan, 1, 0xfffe) : undefined,
        epid: values.epid !== undefined ? parseHexBytes("epid", values.epid, 8) : undefined,
        key: values.key !== undefined ? parseHexBytes("key", values.key, 16) : undefined,
        channel: values.channel !== undefined ? parseIntOpt("channel", values.channel, 11, 26) : undefined,
        restoreFrom: values["restore-from"] ? path.resolve(values["restore-from"]) : undefined,
        backupOut: values["backup-out"] ? path.resolve(values["backup-out"]) : undefined,
        permitJoin: values["permit-join"] !== undefined ? parseIntOpt("permit-join", values["permit-join"], 0, 254) : 0,
        listenMs: values["listen-ms"] !== undefined ? parseIntOpt("listen-ms", values["listen-ms"], 1, 86400000) : 0,
        holdMs: values["hold-ms"] !== undefined ? parseIntOpt("hold-ms", values["hold-ms"], 0, 86400000) : 0,
        timeoutMs: values["timeout-ms"] !== undefined ? parseIntOpt("timeout-ms", values["timeout-ms"], 1, 86400000) : DEFAULTS.timeoutMs,
        baudRate: values["baud-rate"] !== undefined ? parseIntOpt("baud-rate", values["baud-rate"], 1, 10000000) : DEFAULTS.baudRate,
        clean: Boolean(values.clean),
        debug: Boolean(values.debug),
    };
    if (o.restoreFrom && o.adapter === "zboss") {
        throw new UsageError("--restore-from: herdsman's zboss adapter has no backup/restore (supportsBackup() is false in 10.9.5 and 11.1.1)");
    }
    return o;
}

// ---------------------------------------------------------------------------------------------
// backup file → network settings that make herdsman's "config matches backup" test pass
const hexBytes = (h) => Array.from(Buffer.from(String(h), "hex"));

function readOcb(file) {
    let data;
    try {
        data = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`cannot read --restore-from '${file}': ${e.message}`);
    }
    if (data?.metadata?.format !== "zigpy/open-coordinator-backup") {
        return { data, ocb: false };
    }
    return { data, ocb: true };
}

/** Network settings taken from an OCB v1 backup, per adapter (see README "restore"). */
export function networkFromBackup(adapter, b) {
    const net = {
        panID: Number.parseInt(b.pan_id, 16),
        // herdsman (zstack: fromUnifiedBackup + compareNetworkOptions; ember: initTrustCenter) compares
        // Buffer.from(config.extendedPanID) with Buffer.from(extended_pan_id, "hex"): same byte order.
        extendedPanID: hexBytes(b.extended_pan_id),
        networkKey: hexBytes(b.network_key?.key ?? ""),
        channelList: [b.channel],
    };
    if (adapter === "zstack" && Array.isArray(b.channel_mask) && b.channel_mask.length > 0) {
        // zstack: compareChannelLists(config.channelList, backup.channel_mask) — packed masks must be equal
        net.channelList = [...b.channel_mask].sort((x, y) => x - y);
    }
    return net;
}

/** Re-implementation of the "config matches backup" tests (10.9.5; unchanged in 11.1.1), for the report only. */
export function configMatchesBackup(adapter, net, b) {
    const eq = (a, c) => Buffer.from(a).equals(Buffer.from(c));
    const bEpid = Buffer.from(String(b.extended_pan_id), "hex");
    const bKey = Buffer.from(String(b.network_key?.key ?? ""), "hex");
    const pan = net.panID === Number.parseInt(b.pan_id, 16);
    if (adapter === "zstack") {
        const mask = (l) => l.reduce((a, c) => a + (1 << c), 0);
        return (
            pan &&
            (eq(net.extendedPanID, bEpid) || eq(net.extendedPanID, Buffer.from(bEpid).reverse())) &&
            eq(net.networkKey, bKey) &&
            Array.isArray(b.channel_mask) &&
            mask(net.channelList) === mask(b.channel_mask)
        );
    }
    if (adapter === "ember") {
        return (
            Boolean(b.stack_specific?.ezsp) &&
            (b.metadata?.internal?.ezspVersion ?? 0) >= 12 &&
            pan &&
            eq(net.extendedPanID, bEpid) &&
            net.channelList.includes(b.channel) &&
            eq(net.networkKey, bKey)
        );
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
function makeLogger(debugFile) {
    const text = (m) => (typeof m === "function" ? m() : m);
    let fd;
    if (debugFile) fd = fs.openSync(debugFile, "a");
    const toFile = (level, m, ns) => {
        if (fd !== undefined) fs.writeSync(fd, `[${new Date().toISOString()}] ${level} ${ns}: ${text(m)}\n`);
    };
    return {
        debug: (m, ns) => toFile("debug", m, ns),
        info: (m, ns) => toFile("info", m, ns),
        warning: (m, ns) => {
            toFile("warning", m, ns);
            process.stderr.write(`[herdsman] warning ${ns}: ${text(m)}\n`);
        },
        error: (m, ns) => {
            toFile("error", m, ns);
            process.stderr.write(`[herdsman] error ${ns}: ${m}\n`);
        },
    };
}

async function withCap(promise, ms) {
    let t;
    try {
        return await Promise.race([promise, new Promise((_, rej) => (t = setTimeout(() => rej(new Error(`gave up after ${ms} ms`)), ms)))]);
    } finally {
        clearTimeout(t);
    }
}

async function main() {
    let opts;
    try {
        opts = parseCli(process.argv.slice(2));
    } catch (e) {
        if (e instanceof UsageError) {
            process.stderr.write(`zh-client: ${e.message}\n${USAGE.split("\n").slice(0, 4).join("\n")}\n(--help for details)\n`);
            finish(64, { ok: false, error: `usage: ${e.message}` });
            return;
        }
        throw e;
    }
    if (opts.help) {
        process.stderr.write(`${USAGE}\n`);
        finish(0, { ok: true, help: true });
        return;
    }

    let phase = "setup";
    let controller;
    const partial = {}; // facts known so far, also reported on failure / timeout
    // Load herdsman before the hard timer starts: on a loaded machine the require alone can take
    // seconds, and the timeout is about the device's answers, not about node's start-up.
    let zh, zhVersion;
    try {
        ({ zh, version: zhVersion } = loadHerdsman());
    } catch (e) {
        finish(1, { ok: false, phase: "load", error: `cannot load zigbee-herdsman: ${e?.message ?? e}` });
        return;
    }
    partial.herdsman = zhVersion; // also in failure and timeout lines
    const hardTimer = setTimeout(() => {
        const msg = `timeout after ${opts.timeoutMs} ms in phase '${phase}' (adapter ${opts.adapter}, port ${opts.port})`;
        process.stderr.write(`zh-client: TIMEOUT: ${msg}\n`);
        finish(2, { ok: false, timeout: true, phase, error: msg, ...partial });
    }, opts.timeoutMs);

    const fail = async (err) => {
        const msg = err instanceof Error ? err.message : String(err);
        note(`failed in phase '${phase}': ${err?.stack ?? msg}`);
        // Controller.stop() does not close the port when start() did not finish: close the adapter.
        try {
            if (controller?.adapter) await withCap(controller.adapter.stop(), 2000);
        } catch {
            /* best effort */
        }
        clearTimeout(hardTimer);
        finish(1, { ok: false, phase, error: msg, ...partial });
    };
    process.on("unhandledRejection", (e) => void fail(e));
    process.on("uncaughtException", (e) => void fail(e));

    try {
        fs.mkdirSync(opts.workdir, { recursive: true });
        const p = {
            database: path.join(opts.workdir, FILES.database),
            databaseBackup: path.join(opts.workdir, FILES.databaseBackup),
            backup: path.join(opts.workdir, FILES.backup),
            debugLog: path.join(opts.workdir, FILES.debugLog),
        };
        if (opts.clean) {
            for (const f of [p.database, p.databaseBackup, p.backup, `${p.backup}.tmp`, `${p.backup}.old`]) fs.rmSync(f, { force: true });
        }

        zh.setLogger(makeLogger(opts.debug ? p.debugLog : undefined));

        // network settings: explicit option > --restore-from > default
        let fromBackup;
        let backupData;
        if (opts.restoreFrom) {
            const { data, ocb } = readOcb(opts.restoreFrom);
            backupData = ocb ? data : undefined;
            if (ocb) fromBackup = networkFromBackup(opts.adapter, data);
            else note("--restore-from is not an open-coordinator-backup file: nothing derived from it");
        }
        const network = {
            panID: opts.pan ?? fromBackup?.panID ?? DEFAULTS.pan,
            extendedPanID: opts.epid ?? fromBackup?.extendedPanID ?? hexBytes(DEFAULTS.epid),
            channelList: opts.channel !== undefined ? [opts.channel] : (fromBackup?.channelList ?? [DEFAULTS.channel]),
            networkKey: opts.key ?? fromBackup?.networkKey ?? hexBytes(DEFAULTS.key),
            networkKeyDistribute: false,
        };
        if (network.networkKey.length !== 16 || network.extendedPanID.length !== 8 || !(network.panID >= 1 && network.panID <= 0xfffe)) {
            throw new Error("network settings derived from the backup are invalid (pan_id / extended_pan_id / network_key)");
        }
        let matches;
        if (opts.restoreFrom) {
            fs.copyFileSync(opts.restoreFrom, p.backup);
            note(`copied ${opts.restoreFrom} -> ${p.backup}`);
            if (backupData) {
                matches = configMatchesBackup(opts.adapter, network, backupData);
                if (!matches) note("WARNING: network settings do not match the backup: herdsman will not restore from it");
            }
        }

        partial.adapter = opts.adapter;
        partial.config = {
            panID: network.panID,
            extendedPanID: Buffer.from(network.extendedPanID).toString("hex"),
            channelList: network.channelList,
        };
        if (matches !== undefined) partial.configMatchesBackup = matches;

        const options = {
            network,
            ...portOptions(zhVersion, opts.port, opts.adapter, opts.baudRate),
            databasePath: p.database,
            databaseBackupPath: p.databaseBackup,
            backupPath: p.backup,
            adapter: { disableLED: false },
            acceptJoiningDeviceHandler: async () => true,
        };
        note(
            `herdsman ${zhVersion} ${opts.adapter} on ${opts.port}: pan 0x${network.panID.toString(16).padStart(4, "0")}, ` +
                `extendedPanID [${Buffer.from(network.extendedPanID).toString("hex")}], channelList [${network.channelList}]`,
        );

        controller = new zh.Controller(options);
        controller.on("adapterDisconnected", () => note("herdsman: adapter disconnected"));
        controller.on("deviceJoined", (d) => note(`herdsman: device joined ${d.device?.ieeeAddr}`));

        phase = "start";
        const t0 = performance.now();
        const startResult = await controller.start();
        const startMs = Math.round(performance.now() - t0);
        partial.startResult = startResult;
        partial.startMs = startMs;
        note(`started: ${startResult} in ${startMs} ms`);

        phase = "info";
        const coordinatorIeee = controller.getDevicesByType("Coordinator")[0]?.ieeeAddr;
        const np = await controller.getNetworkParameters();

        if (opts.permitJoin > 0) {
            phase = "permitJoin";
            await controller.permitJoin(opts.permitJoin);
            note(`permit join ${opts.permitJoin} s`);
        }
        if (opts.listenMs > 0) {
            phase = "listen";
            const l = listenReports(zh, controller);
            await new Promise((r) => setTimeout(r, opts.listenMs));
            partial.reports = l.stop();
        }
        if (opts.holdMs > 0) {
            phase = "hold";
            await new Promise((r) => setTimeout(r, opts.holdMs));
        }

        phase = "backup";
        const t1 = performance.now();
        await controller.backup();
        const backupMs = Math.round(performance.now() - t1);
        const backupWritten = fs.existsSync(p.backup) && opts.adapter !== "zboss";
        let reportedBackup = backupWritten ? p.backup : null;
        if (backupWritten && opts.backupOut) {
            fs.mkdirSync(path.dirname(opts.backupOut), { recursive: true });
            fs.copyFileSync(p.backup, opts.backupOut);
            reportedBackup = opts.backupOut;
        }
        if (!backupWritten) note(`no backup file: herdsman's ${opts.adapter} adapter does not support backups`);

        phase = "stop";
        const t2 = performance.now();
        await controller.stop(); // note: stop() writes the backup once more (controller.js)
        const stopMs = Math.round(performance.now() - t2);

        clearTimeout(hardTimer);
        finish(0, {
            ok: true,
            startResult,
            startMs,
            backupMs,
            stopMs,
            backupPath: reportedBackup,
            controllerBackupPath: backupWritten ? p.backup : null,
            herdsman: zhVersion,
            coordinatorIeee,
            network: {
                panID: np.panID,
                extendedPanID: np.extendedPanID,
                channel: np.channel,
                nwkUpdateID: np.nwkUpdateID,
            },
            ...partial,
        });
    } catch (e) {
        await fail(e);
    }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
    main().catch((e) => {
        process.stderr.write(`zh-client: internal error: ${e?.stack ?? e}\n`);
        finish(1, { ok: false, error: String(e?.message ?? e) });
    });
}
