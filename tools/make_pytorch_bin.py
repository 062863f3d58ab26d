"""Developer script: writes tests/fixtures/models/tiny_pytorch_model.bin, a small
`torch.save`d state dict that tests/models/pytorch_bin_test.ts reads. The values are
simple formulas the test recomputes:

- "a.weight": float32 [2, 3], arange(6) / 4 - 0.5
- "a.bias": float32 [3], [1.5, -2.25, 1e-3]
- "half": float16 [4], [0.5, -1.0, 65504.0, 2**-24]
- "bf16": bfloat16 [2], [1.0, -3.140625]
- "double": float64 [2], [0.1, -1e300] (the second overflows float32 to -inf)
- "ids": int64 [3], [0, 7, -5]
- "t.weight": float32 [3, 2], the transpose of a.weight (a non-contiguous view of it)
- "tied": a.weight itself (shares the storage)
- "slice": float32 [2], row 1 of a.weight from column 1 (a view with a storage offset)
- "scalar": float32 [], 42.0
- "flag": bool [2], [True, False]

Needs Debian's python3-torch:  /usr/bin/python3 tools/make_pytorch_bin.py
"""
import collections
import os

import torch

a = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4 - 0.5
sd = collections.OrderedDict()
sd["a.weight"] = a
sd["a.bias"] = torch.tensor([1.5, -2.25, 1e-3], dtype=torch.float32)
sd["half"] = torch.tensor([0.5, -1.0, 65504.0, 2.0 ** -24], dtype=torch.float16)
sd["bf16"] = torch.tensor([1.0, -3.140625], dtype=torch.bfloat16)
sd["double"] = torch.tensor([0.1, -1e300], dtype=torch.float64)
sd["ids"] = torch.tensor([0, 7, -5], dtype=torch.int64)
sd["t.weight"] = a.t()
sd["tied"] = a
sd["slice"] = a[1, 1:]
sd["scalar"] = torch.tensor(42.0)
sd["flag"] = torch.tensor([True, False])
sd._metadata = collections.OrderedDict([("", {"version": 1})])
path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "models", "tiny_pytorch_model.bin")
torch.save(sd, path)
print(path, os.path.getsize(path))
