#!/usr/bin/python3
"""Execute notebooks with the Deno kernel, in place, without losing outputs.

Runs each notebook top to bottom with Debian's nbclient and the project's kernelspec
(tools/jupyter/kernels/deno). Deno's kernel sometimes reports `idle` before it has sent
a cell's last output, and nbclient (so `jupyter nbconvert --execute`) stops listening at
`idle`; this runner keeps reading the cell's messages until none has come for a grace
period (0.5 s), so no output is lost.

Checks: no cell raised an error, and a notebook whose metadata has
`"nerss": {"expect_svg": N}` shows at least N SVG figures.

Usage: tools/run_notebooks.py [--out DIR] [--html DIR] [--timeout S] NOTEBOOK...
(`deno task notebook NOTEBOOK... [--html DIR]`). Each notebook is written back in place
with its outputs, or into DIR with --out; --html DIR also writes its HTML export there.
Relative paths are taken from the folder `deno task` was started in. Exit status 1 when
any check fails (the notebooks are written all the same).
"""
import argparse
import asyncio
import os
import pathlib
import queue
import sys
import tempfile

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


def write_atomic(nb, path):
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    nbformat.write(nb, tmp)
    os.replace(tmp, path)


def export_html(nb, path):
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nb)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--out", help="write the executed notebooks here (default: in place)")
    parser.add_argument("--html", help="also write each notebook's HTML export here")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    args = parser.parse_args()
    root = pathlib.Path(__file__).resolve().parent.parent
    # `deno task` runs in the repository root; paths are the user's, from where they were.
    cwd = pathlib.Path(os.environ.get("INIT_CWD") or os.getcwd())
    os.environ["JUPYTER_PATH"] = str(root / "tools" / "jupyter") + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    runtime = None
    if not os.environ.get("XDG_RUNTIME_DIR"):  # a private runtime folder for Mesa's Vulkan driver
        runtime = tempfile.TemporaryDirectory(prefix="nerss-runtime-")
        os.environ["XDG_RUNTIME_DIR"] = runtime.name
    out_dir = cwd / args.out if args.out else None
    html_dir = cwd / args.html if args.html else None
    for d in (out_dir, html_dir):
        if d:
            d.mkdir(parents=True, exist_ok=True)
    paths = [cwd / p for p in args.notebooks]
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            sys.exit(f"run_notebooks: {path} is not a .ipynb notebook")
    failures = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = PatientClient(nb, timeout=args.timeout, kernel_name="deno",
                               resources={"metadata": {"path": str(path.parent.resolve())}},
                               allow_errors=True)
        client.execute()
        problems, svgs = check(nb, path.name)
        write_atomic(nb, out_dir / path.name if out_dir else path)
        if html_dir:
            export_html(nb, html_dir / (path.stem + ".html"))
        print(f"{path.name}: {len(nb.cells)} cells, {svgs} SVG figures, {len(problems)} problems", flush=True)
        failures += problems
    for p in failures:
        print(p, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
