"""Run a command as a child and print its wall time and peak memory as JSON.

``python -m bench.measure CMD...``: peak memory is ``getrusage(RUSAGE_CHILDREN).ru_maxrss``
of this fresh process, so it is the command's own (and its children's) peak, in KiB.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "returncode": result.returncode,
                "seconds": seconds,
                "maxrss_kb": peak,
                "stdout": result.stdout[-2000:],
                "stderr": result.stderr[-2000:],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
