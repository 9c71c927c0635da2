#!/usr/bin/env python3
"""kill_at.py PATTERN LOG -- CMD...: runs CMD, copies its stderr to LOG, and SIGKILLs it the
moment a stderr line contains PATTERN (a restore stopped at a chosen step, like a power cut).
Exits 0 when the kill happened, 1 when CMD ended on its own (its status is in LOG)."""
import os
import signal
import subprocess
import sys


def main():
    pattern, log = sys.argv[1], sys.argv[2]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    killed = False
    with open(log, "ab") as out:
        for line in p.stderr:
            out.write(line)
            out.flush()
            if not killed and pattern.encode() in line:
                os.kill(p.pid, signal.SIGKILL)
                killed = True
        rc = p.wait()
        out.write(f"[kill_at: {'killed at ' + repr(pattern) if killed else 'exited ' + str(rc)}]\n"
                  .encode())
    return 0 if killed else 1


if __name__ == "__main__":
    sys.exit(main())
