"""PyTorch CPU reference for bench/matmul_bench.ts: GFLOP/s of float32 op(A) @ op(B).

Usage: python3 bench/matmul_torch.py 512x768x768 1024x384x128tb 64x64x64tbb32 ...
A shape is MxNxK (C[M,N] = op(A)[M,K] @ op(B)[K,N]), then "ta" (A stored [K,M], used
transposed), "tb" (B stored [N,K], used transposed) and "bB" (a batch of B products).
Prints one JSON object {"torch": version, "threads": 2, "results": [{"shape", "gflops"}]}.
Uses 2 threads (OMP_NUM_THREADS=2 is also set by the caller); median of 7 timed loops.
"""
import json
import os
import re
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
import torch  # noqa: E402

torch.set_num_threads(2)


def operands(m, n, k, ta, tb, batch):
    a = torch.rand(batch, k, m) if ta else torch.rand(batch, m, k)
    b = torch.rand(batch, n, k) if tb else torch.rand(batch, k, n)
    a = a.transpose(1, 2) if ta else a
    b = b.transpose(1, 2) if tb else b
    if batch == 1:
        return a[0], b[0]
    return a, b


def bench(shape):
    g = re.fullmatch(r"(\d+)x(\d+)x(\d+)(ta)?(tb)?(?:b(\d+))?", shape)
    if not g:
        raise SystemExit(f"bench/matmul_torch.py: bad shape {shape!r}")
    m, n, k = int(g[1]), int(g[2]), int(g[3])
    ta, tb, batch = g[4] is not None, g[5] is not None, int(g[6] or 1)
    a, b = operands(m, n, k, ta, tb, batch)
    c = torch.matmul(a, b)
    for _ in range(3):
        torch.matmul(a, b, out=c)
    flops = 2 * m * n * k * batch
    reps = max(3, int(2e9 / flops))
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(reps):
            torch.matmul(a, b, out=c)
        times.append((time.perf_counter() - t0) / reps)
    times.sort()
    return flops / times[len(times) // 2] / 1e9


results = [{"shape": s, "gflops": bench(s)} for s in sys.argv[1:]]
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))
