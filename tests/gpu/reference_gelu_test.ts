import assert from "node:assert/strict";
import { erfc, geluBackward, geluForward } from "../../lib/gpu/reference/gelu.ts";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";
import { dot, randn } from "./test_data.ts";

Deno.test("1 - erfc (the kernel's erf) is within 1.2e-7 of Python's math.erf", () => {
  // Python 3.11 math.erf at these points.
  const z = [-3, -1.5, -0.3, 0, 1e-3, 0.5, 1, 2, 4];
  const expected = [
    -0.9999779095030014,
    -0.9661051464753108,
    -0.3286267594591274,
    0,
    0.0011283787909692365,
    0.5204998778130465,
    0.8427007929497149,
    0.9953222650189527,
    0.9999999845827421,
  ];
  z.forEach((v, i) => assert.ok(Math.abs(1 - erfc(v) - expected[i]) < 1.2e-7, `1 - erfc(${v})`));
});

Deno.test("geluForward matches PyTorch gelu (erf and tanh forms)", () => {
  const x = new Float64Array([-6, -3, -1, -0.25, 0, 0.1, 0.7, 2, 5]);
  // torch.nn.functional.gelu(x) and gelu(x, approximate="tanh") in float64 (torch 1.13).
  const erfForm = [
    -5.919525869479969e-09,
    -0.00404969409489031,
    -0.15865525393145702,
    -0.10032341857926907,
    0,
    0.053982783727702904,
    0.5306254434438489,
    1.9544997361036416,
    4.999998566742141,
  ];
  const tanhForm = [
    -8.43964897967453e-11,
    -0.0036373920817729943,
    -0.1588080093917233,
    -0.100324649298315,
    0,
    0.053982751045435165,
    0.5305701347051167,
    1.954597694087775,
    4.999999770820381,
  ];
  const e = geluForward(x, "erf"), t = geluForward(x, "tanh");
  e.forEach((v, i) => assert.ok(Math.abs(v - erfForm[i]) < 2e-7, `erf gelu(${x[i]})`));
  // the far tail keeps its relative accuracy
  assert.ok(Math.abs(e[0] / erfForm[0] - 1) < 1e-5);
  assert.ok(maxError(t, tanhForm) < 1e-14);
});

Deno.test("geluBackward matches finite differences", () => {
  const x = randn(5, 40, 2.5), w = randn(6, 40);
  for (const kind of ["erf", "tanh"] as const) {
    const numeric = numericGradient((v) => dot(geluForward(v, kind), w), x);
    assert.ok(maxError(geluBackward(x, w, kind), numeric) < 1e-6, kind);
  }
});
