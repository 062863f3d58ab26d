/**
 * Reads of `config.json` keys that several family records share: refusing a flag the
 * toolkit does not build, and the rotary base as transformers 4 (`rope_theta`,
 * `global_rope_theta`) and 5 (`rope_parameters`) write it.
 *
 * @module
 */

import type { ConfigReader } from "./types.ts";

/**
 * Refuses a `config.json` flag set to anything but the one value the family builds (an
 * error naming the file, the key, the value and why).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseUnlike } from "./config_reads.ts";
 * const r = { file: "c.json", json: { mlp_bias: true } } as const;
 * const reader = { ...r, num: () => 0, str: () => "", bool: () => false };
 * assert.throws(() => refuseUnlike(reader, "mlp_bias", false, "no MLP biases"),
 *   /c.json: "mlp_bias" is true; only false is supported \(no MLP biases\)/);
 * refuseUnlike(reader, "attention_bias", false, "absent keys pass");
 * ```
 */
export function refuseUnlike(r: ConfigReader, key: string, built: unknown, what: string): void {
  const v = r.json[key];
  if (v !== undefined && v !== null && v !== built) {
    throw new Error(
      `${r.file}: "${key}" is ${JSON.stringify(v)}; only ${JSON.stringify(built)} is supported ` +
        `(${what})`,
    );
  }
}

/**
 * A rotary base from `names` or, as transformers 5 writes it, from `rope_parameters`
 * (under `layerType` where the parameters are per layer type); rope scaling other than
 * the default is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ropeTheta } from "./config_reads.ts";
 * const reader = (json: Record<string, unknown>) => ({ file: "c.json", json,
 *   num: (names: string[], fb: number) => (json[names[0]] as number) ?? fb,
 *   str: () => "", bool: () => false });
 * assert.equal(ropeTheta(reader({ rope_theta: 5e5 }), ["rope_theta"], null, 1e4), 5e5);
 * const v5 = { rope_parameters: { sliding_attention: { rope_type: "default", rope_theta: 1e4 } } };
 * assert.equal(ropeTheta(reader(v5), ["local_rope_theta"], "sliding_attention", 0), 1e4);
 * assert.throws(() => ropeTheta(reader({ rope_scaling: { rope_type: "llama3" } }), [], null, 1),
 *   /rope type "llama3" is not supported/);
 * ```
 */
export function ropeTheta(
  r: ConfigReader,
  names: string[],
  layerType: string | null,
  fallback: number,
): number {
  const raw = r.json.rope_parameters ?? r.json.rope_scaling;
  let params = raw;
  if (layerType && raw && typeof raw === "object" && layerType in raw) {
    params = (raw as Record<string, unknown>)[layerType];
  }
  if (params !== undefined && params !== null) {
    const p = params as Record<string, unknown>;
    const type = p.rope_type ?? p.type ?? "default";
    if (type !== "default") {
      throw new Error(
        `${r.file}: rope type ${JSON.stringify(type)} is not supported (only "default" rotary)`,
      );
    }
    if (typeof p.rope_theta === "number") return p.rope_theta;
  }
  return r.num(names, fallback);
}
