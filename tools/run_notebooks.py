#!/usr/bin/python3
"""Execute notebooks with the Deno kernel and check them.

Runs each notebook top to bottom with Debian's nbclient and the project's kernelspec
(tools/jupyter/kernels/deno). Deno's kernel sometimes reports `idle` before it has sent
a cell's last output, and nbclient stops listening at `idle`; this runner keeps reading
the cell's messages until none has come for a grace period (0.5 s), so no output is lost.

Checks: no cell raised an error, and a notebook whose metadata has
`"nerss": {"expect_svg": N}` shows at least N SVG figures.

Usage: tools/run_notebooks.py [--out DIR] [--timeout S] NOTEBOOK...
Exit status 1 when any check fails; the executed notebooks are written to DIR.
"""
import argparse
import asyncio
import os
import pathlib
import queue
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async

GRACE_SECONDS = 0.5


class PatientClient(NotebookClient):
    """nbclient that keeps listening for a cell's outputs after the kernel says idle."""

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                break
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=GRACE_SECONDS))
            except (queue.Empty, asyncio.TimeoutError, TimeoutError):
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                pass


def check(nb, name):
    problems = []
    svgs = 0
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"{name}: cell {i}: {out.get('ename')}: {out.get('evalue')}")
            if out.get("output_type") == "stream" and out.get("name") == "stderr" and "error" in out.get("text", "").lower():
                problems.append(f"{name}: cell {i}: stderr: {out.get('text')[:200]}")
            if "image/svg+xml" in out.get("data", {}):
                svgs += 1
    expected = nb.metadata.get("nerss", {}).get("expect_svg", 0)
    if svgs < expected:
        problems.append(f"{name}: {svgs} SVG figures, expected at least {expected}")
    return problems, svgs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--out", default="out/notebooks")
    parser.add_argument("--timeout", type=int, default=1200)
    args = parser.parse_args()
    root = pathlib.Path(__file__).resolve().parent.parent
    os.environ["JUPYTER_PATH"] = str(root / "tools" / "jupyter") + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    out_dir = pathlib.Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    for path in args.notebooks:
        path = pathlib.Path(path)
        nb = nbformat.read(path, as_version=4)
        client = PatientClient(nb, timeout=args.timeout, kernel_name="deno",
                               resources={"metadata": {"path": str(path.parent.resolve())}},
                               allow_errors=True)
        client.execute()
        problems, svgs = check(nb, path.name)
        tmp = out_dir / (path.name + ".tmp")
        nbformat.write(nb, tmp)
        os.replace(tmp, out_dir / path.name)
        print(f"{path.name}: {len(nb.cells)} cells, {svgs} SVG figures, {len(problems)} problems", flush=True)
        failures += problems
    for p in failures:
        print(p, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
