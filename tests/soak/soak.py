#!/usr/bin/env python3
"""soak.py - interrupted restores, judged the way a user with one stick would judge them.

Each attempt starts an emulated stick that holds network A, then restores onto it either
another network B (--force) or an older backup of A itself (a lower frame counter), and
interrupts the restore: SIGKILL of zbharness or of the emulator (an unplug) at a random
offset, Ctrl-C (SIGINT) at a random offset, or a noisy link (dropped and flipped bytes; a
Ctrl-C when it has not ended after three restores' time). Then it does what a user would:
about a third of the time the same command again; otherwise what zbharness said to do (the
command after an interruption, or, after a SIGKILL that printed nothing, the command that
`zbharness backup` names from the restore journal). The stick is then read and the attempt is
classified:

  original kept        the stick holds A with its counter not below the start
  new network verified the stick holds the whole target, counters at least as planned, and
                       zbharness said success (or was killed after its verified read-back,
                       so nothing is left to finish)
  re-run verified      the same command run again succeeded and the stick holds the target
  recovered            the printed command succeeded and the stick holds A or the target
  UNSAFE               anything else: a network lost, a counter lowered, a false success

Usage: soak.py --build DIR [--stacks znp,ezsp,zboss] [--attempts N] [--jobs J] [--seed S]
               [--report FILE.json]
Exit 1 when any attempt is UNSAFE. Needs nothing beyond python3 and the build's binaries.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(ROOT, "vectors/backups/valid/z2m-sample-1.json")
INC = 2500
KINDS = ["kill-harness", "kill-emulator", "ctrl-c", "noisy-link"]


class Stick:
    """One emulated stick on a pty link in DIR, its NVRAM in DIR/nv.json."""

    def __init__(self, build, stack, d, fault=None):
        self.build, self.stack, self.dir, self.fault = build, stack, d, fault
        self.tty = os.path.join(d, "tty")
        self.proc = None

    def start(self):
        if os.path.lexists(self.tty):
            os.unlink(self.tty)
        args = [os.path.join(self.build, "bin/zbemu"), self.stack, "--nvram",
                os.path.join(self.dir, "nv.json"), "--link", self.tty]
        if self.fault:
            args += ["--fault", self.fault]
        self.log = open(os.path.join(self.dir, "emu.log"), "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log)
        self.proc.stdout.readline()  # the port line: it is up
        for _ in range(200):
            if os.path.lexists(self.tty):
                return
            time.sleep(0.01)
        raise RuntimeError("zbemu did not start: " + self.dir)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
            self.log.close()
        self.proc = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        self.proc = None


def harness(build, args, cwd, env, timeout=180):
    p = subprocess.run([os.path.join(build, "bin/zbharness")] + args, cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def read_stick(build, stick, env):
    """The stick's network as a dict, or None (no network or unreadable), and the stderr. A
    read that fails (a stick still rebooting from a reset) is tried again, as a user would:
    only "no network" or three failures in a row are taken as the answer."""
    out = os.path.join(stick.dir, "read.json")
    for attempt in range(3):
        if os.path.exists(out):
            os.unlink(out)
        rc, _, err = harness(build, ["backup", "--stack", stick.stack, "--port", stick.tty, "-o",
                                     out, "--force"], stick.dir, env, 60)
        if rc == 0:
            with open(out) as f:
                return json.load(f), err
        if "no network" in err:
            break
        time.sleep(1)
    return None, err


def printed_command(text):
    """The last `zbharness restore ...` command a message told the user to run."""
    cmds = re.findall(r"^\s+zbharness (restore .+)$", text, re.M)
    return cmds[-1].split() if cmds else None


def make_backups(work):
    with open(SAMPLE) as f:
        a = json.load(f)
    old = json.loads(json.dumps(a))
    old["network_key"]["frame_counter"] = 1000  # an older backup of the same network
    b = json.loads(json.dumps(a))
    b["extended_pan_id"] = "00124b00feedbeef"
    b["pan_id"] = "4242"
    b["network_key"]["key"] = "00112233445566778899aabbccddeeff"
    paths = {}
    for name, d in (("A", a), ("A-old", old), ("B", b)):
        paths[name] = os.path.join(work, name + ".json")
        with open(paths[name], "w") as f:
            json.dump(d, f, indent=2)
    return paths, a, b


def prepare(build, stack, work, backups, env):
    """An NVRAM file of a stick holding A, and how long a restore of B onto it takes."""
    d = os.path.join(work, "template-" + stack)
    os.makedirs(d)
    st = Stick(build, stack, d)
    st.start()
    rc, _, err = harness(build, ["restore", "--stack", stack, "--port", st.tty, "--backup",
                                 backups["A"], "--burn-ieee"], d, env)
    if rc != 0:
        raise RuntimeError(f"{stack}: cannot give the template network A:\n{err}")
    st.stop()
    shutil.copy(os.path.join(d, "nv.json"), os.path.join(work, f"A-{stack}.nv.json"))
    # time one full restore of B (the window the interruptions are drawn from)
    st.start()
    t0 = time.monotonic()
    rc, _, err = harness(build, ["restore", "--stack", stack, "--port", st.tty, "--backup",
                                 backups["B"], "--force", "--burn-ieee"], d, env)
    took = time.monotonic() - t0
    st.stop()
    if rc != 0:
        raise RuntimeError(f"{stack}: the timing restore failed:\n{err}")
    return os.path.join(work, f"A-{stack}.nv.json"), took


def fc(net):
    return int(net["network_key"]["frame_counter"])


def attempt(build, stack, i, seed, template, window, backups, nets, work):
    rng = random.Random(seed * 1000003 + i)
    kind = KINDS[rng.randrange(len(KINDS))]
    target = rng.choice(["B", "A-old"])
    rerun = rng.random() < 1 / 3
    d = os.path.join(work, f"{stack}-{i}")
    os.makedirs(d)
    env = dict(os.environ, ZBHARNESS_STATE_DIR=os.path.join(d, "state"))
    shutil.copy(template, os.path.join(d, "nv.json"))
    st = Stick(build, stack, d)
    st.start()
    res = {"stack": stack, "attempt": i, "kind": kind, "target": target, "rerun": rerun}
    try:
        start, _ = read_stick(build, st, env)
        if not start or start["extended_pan_id"] != nets["A"]["extended_pan_id"]:
            return dict(res, outcome="setup-failed", why="the stick does not hold A at the start")
        c0 = fc(start)
        cmd = ["restore", "--stack", stack, "--port", st.tty, "--backup", backups[target],
               "--burn-ieee"] + (["--force"] if target == "B" else [])
        if kind == "noisy-link":
            st.stop()
            st.fault = f"drop=0.002,corrupt=0.001,seed={rng.randrange(1 << 30)}"
            st.start()
        p = subprocess.Popen([os.path.join(build, "bin/zbharness")] + cmd, cwd=d, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # a noisy link may make the harness retry for long: a user gives up with Ctrl-C
        at = rng.uniform(0, window) if kind != "noisy-link" else max(3 * window, 4.0)
        try:
            p.wait(at)
        except subprocess.TimeoutExpired:
            if kind == "kill-harness":
                p.kill()
            elif kind in ("ctrl-c", "noisy-link"):
                p.send_signal(signal.SIGINT)
            else:
                st.kill()  # unplugged; zbharness sees the link go
        out, err = p.communicate(timeout=240)
        err = err.decode(errors="replace")
        rc = p.returncode
        res["rc"] = rc
        if kind in ("kill-emulator", "noisy-link") or st.proc is None:
            st.stop()
            st.fault = None
            st.start()  # plugged in again, a clean link
        want = nets["B"] if target == "B" else nets["A"]
        planned = fc(want) + INC if target == "B" else max(c0, fc(nets["A-old"])) + INC

        def holds_target(net):  # the whole target: network, counter as planned, every device
            return (net and net["extended_pan_id"] == want["extended_pan_id"]
                    and fc(net) >= planned and len(net["devices"]) >= len(want["devices"]))

        def holds_original(net):
            return net and net["extended_pan_id"] == nets["A"]["extended_pan_id"] and fc(net) >= c0

        if rc == 0:
            net, _ = read_stick(build, st, env)
            ok = holds_target(net)
            return dict(res, outcome="new network verified" if ok else "UNSAFE",
                        why="" if ok else f"false success: the stick holds {summary(net)}")
        # interrupted or failed: what the user does next
        if rerun:
            how, follow = "re-run", cmd
        else:
            follow = printed_command(err)
            how = "recovered"
            if not follow:  # a SIGKILL prints nothing: the journal speaks through `backup`
                _, berr = read_stick(build, st, env)
                follow = printed_command(berr)
        if not follow:
            net, _ = read_stick(build, st, env)
            if holds_original(net):
                return dict(res, outcome="original kept")
            if holds_target(net):  # killed after its verified read-back: the journal is done
                return dict(res, outcome="new network verified")
            return dict(res, outcome="UNSAFE",
                        why=f"nothing said, and the stick holds {summary(net)}")
        # a printed command names a port: ours is the same path
        rc2, _, err2 = harness(build, follow, d, env)
        net, _ = read_stick(build, st, env)
        res["followed"] = " ".join(follow[:1] + [os.path.basename(x) for x in follow[1:]])
        if rc2 == 0 and (holds_target(net) or holds_original(net)):
            return dict(res, outcome="re-run verified" if how == "re-run" else "recovered")
        if rc2 != 0 and holds_original(net):
            # the follow-up refused to write (e.g. a failed read): nothing was lost
            return dict(res, outcome="original kept")
        return dict(res, outcome="UNSAFE",
                    why=f"after `{res['followed']}` (exit {rc2}) the stick holds {summary(net)}; "
                        f"start counter {c0}, planned {planned}; {err2.strip()[-300:]}")
    except Exception as e:  # the soak's own failure is not the harness's
        return dict(res, outcome="soak-error", why=repr(e))
    finally:
        st.stop()


def summary(net):
    if not net:
        return "no readable network"
    return f"network {net['extended_pan_id']} counter {fc(net)}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--stacks", default="znp,ezsp,zboss")
    ap.add_argument("--attempts", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    work = tempfile.mkdtemp(prefix="zbsoak.")
    env = dict(os.environ, ZBHARNESS_STATE_DIR=os.path.join(work, "state"))
    backups, na, nb = make_backups(work)
    with open(backups["A-old"]) as f:
        nets = {"A": na, "B": nb, "A-old": json.load(f)}
    results, lock = [], threading.Lock()
    t0 = time.monotonic()
    for stack in a.stacks.split(","):
        template, took = prepare(build, stack, work, backups, env)
        window = took * 1.2
        print(f"soak: {stack}: a restore takes {took:.2f} s; {a.attempts} attempts, "
              f"interrupted within {window:.2f} s", flush=True)
        done = [0]

        def one(i, stack=stack, template=template, window=window, done=done):
            r = attempt(build, stack, i, a.seed, template, window, backups, nets, work)
            with lock:
                results.append(r)
                done[0] += 1
                if r["outcome"] in ("UNSAFE", "soak-error", "setup-failed"):
                    print(f"soak: {stack} #{i} {r['kind']} -> {r['target']}: {r['outcome']}: "
                          f"{r.get('why', '')}", flush=True)
                if done[0] % 50 == 0:
                    print(f"soak: {stack}: {done[0]}/{a.attempts}", flush=True)
            return r

        with ThreadPoolExecutor(a.jobs) as ex:
            list(ex.map(one, range(a.attempts)))
    secs = time.monotonic() - t0
    outcomes = ["original kept", "new network verified", "re-run verified", "recovered",
                "UNSAFE", "soak-error", "setup-failed"]
    print(f"\n| stack | attempts | {' | '.join(outcomes)} |")
    print("|---" * (len(outcomes) + 2) + "|")
    for stack in a.stacks.split(","):
        rs = [r for r in results if r["stack"] == stack]
        print(f"| {stack} | {len(rs)} | " +
              " | ".join(str(sum(r["outcome"] == o for r in rs)) for o in outcomes) + " |")
    by_kind = {}
    for r in results:
        by_kind.setdefault(r["kind"], {}).setdefault(r["outcome"], 0)
        by_kind[r["kind"]][r["outcome"]] += 1
    print(f"\nby interruption: {json.dumps(by_kind, sort_keys=True)}")
    bad = sum(r["outcome"] in ("UNSAFE", "soak-error", "setup-failed") for r in results)
    print(f"soak: {len(results)} attempts in {secs:.0f} s; {bad} unsafe or broken")
    if a.report:
        with open(a.report, "w") as f:
            json.dump({"seconds": secs, "results": results}, f, indent=1)
    if not a.keep and not bad:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"soak: work files kept in {work}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
