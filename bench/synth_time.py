"""Wall time of ``manage.py synth_infra`` against the bare CDK app synthesizing the same stacks, same run.

Usage: python bench/synth_time.py [--env dev] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="dev")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    timings: dict[str, list[float]] = {"manage.py synth_infra": [], "bare CDK app": []}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):  # interleaved, so both see the same machine load
            command_out, bare_out = Path(tmp, f"command-{run}"), Path(tmp, f"bare-{run}")
            timings["manage.py synth_infra"].append(
                _timed(
                    [sys.executable, "manage.py", "synth_infra", "--env", args.env, "--output", str(command_out)],
                    dict(os.environ),
                )
            )
            bare_env = dict(os.environ, CDK_OUTDIR=str(bare_out), CDK_CONTEXT_JSON=f'{{"env": "{args.env}"}}')
            timings["bare CDK app"].append(_timed([sys.executable, "-m", "deploy.infra.app"], bare_env))
    for name, values in timings.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"{name:<24} median {statistics.median(values):6.2f} s   runs: {runs}")


if __name__ == "__main__":
    main()
