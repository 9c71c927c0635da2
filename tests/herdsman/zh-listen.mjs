// zh-listen.mjs — the "listen" part of zh-client.mjs (--listen-ms): collects the ZCL attribute
// reports a started herdsman adapter hands up as "zclPayload" events, parsed by herdsman's own
// ZCL code (Zcl.Frame.fromBuffer), so a report counts only if herdsman understands its bytes.
// Unknown devices are dropped by herdsman's Controller before any "message" event, and after a
// migration the devices are not in herdsman's database: hence the adapter-level event.

/** Starts collecting on controller.adapter; returns { stop() -> summary }. */
export function listenReports(zh, controller) {
    const bySource = new Map(); // nwk -> { count, cluster, attributes }
    const errors = [];
    const onPayload = (p) => {
        try {
            const frame = zh.Zcl.Frame.fromBuffer(p.clusterID, p.header, p.data, {});
            if (frame.command.name !== "report") return;
            const nwk = typeof p.address === "number" ? p.address : Number(p.address);
            const e = bySource.get(nwk) ?? { count: 0, cluster: frame.cluster.name, last: null };
            e.count++;
            e.last = frame.payload;
            bySource.set(nwk, e);
        } catch (err) {
            errors.push(String(err?.message ?? err));
        }
    };
    controller.adapter.on("zclPayload", onPayload);
    return {
        stop() {
            controller.adapter.removeListener("zclPayload", onPayload);
            const sources = [...bySource.entries()]
                .sort((a, b) => a[0] - b[0])
                .map(([nwk, e]) => ({ nwk: nwk.toString(16).padStart(4, "0"), count: e.count, cluster: e.cluster, last: e.last }));
            return { sources, parseErrors: errors.slice(0, 5) };
        },
    };
}
