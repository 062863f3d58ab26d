"""PyTorch CPU reference for bench/matmul_bench.ts: GFLOP/s of float32 A[m,k] @ B[k,n].

Usage: python3 bench/matmul_torch.py 512x768x768 1024x1024x1024 ...
Prints one JSON object {"torch": version, "threads": 2, "results": [{"shape", "gflops"}]}.
Uses 2 threads (OMP_NUM_THREADS=2 is also set by the caller); median of repeated runs.
"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
import torch  # noqa: E402

torch.set_num_threads(2)


def bench(m, n, k):
    a = torch.rand(m, k, dtype=torch.float32)
    b = torch.rand(k, n, dtype=torch.float32)
    c = torch.empty(m, n, dtype=torch.float32)
    for _ in range(3):
        torch.matmul(a, b, out=c)
    reps = max(3, int(2e9 / (2 * m * n * k)))
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(reps):
            torch.matmul(a, b, out=c)
        times.append((time.perf_counter() - t0) / reps)
    times.sort()
    return 2 * m * n * k / times[len(times) // 2] / 1e9


results = []
for shape in sys.argv[1:]:
    m, n, k = (int(x) for x in shape.split("x"))
    results.append({"shape": shape, "gflops": bench(m, n, k)})
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))
