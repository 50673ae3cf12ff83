"""Run a command; write its wall seconds, own peak resident memory and exit code as JSON.

    python benchmarks/peak_memory.py OUT.json command [args...]

Linux folds a parent's memory high-water mark into a child's ru_maxrss across fork and exec, so
a dbt process started by the benchmark (which holds gigabytes after the quality gate) reported the
benchmark's peak instead of its own. Started from this small process, the command's rusage is
its own. Standard library only: it starts in a few milliseconds.
"""

import json
import os
import subprocess
import sys
import time


def main() -> None:
    out, command = sys.argv[1], sys.argv[2:]
    started = time.monotonic()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    returncode = os.waitstatus_to_exitcode(status)
    with open(out, "w") as file:
        json.dump({"seconds": seconds, "peak_rss_kb": usage.ru_maxrss, "returncode": returncode}, file)
    sys.exit(0 if returncode == 0 else 1)


if __name__ == "__main__":
    main()
