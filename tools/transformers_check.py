"""Developer script: checks this toolkit against Python transformers itself.

Python transformers is not installable on the development machine, so this runs where it
is (e.g. the GPU machine lent to some sessions), with torch, transformers and safetensors:

1. tests/fixtures/models/<family>/ (tools/make_reference_fixtures.ts; bert, roberta,
   distilbert, gpt2, modernbert, llama, qwen2, each skipped when its folder is missing):
   loads each tiny model with AutoModelForTokenClassification (eager attention, float64,
   eval mode), compares its logits with logits.json (the hand-written PyTorch mirror of
   tools/reference_logits.py that the GPU tests compare against), and writes grads.json: the
   loss of inputs.json's labels and its gradient for every trainable parameter, which
   tests/models/transformers_grads_test.ts compares with the WebGPU backward pass. It also
   runs that mirror here with `f32_steps=True` and compares logits, loss and gradients with
   transformers' tightly. Transformers keeps a few steps of a float64 ModernBERT, Llama or
   Qwen2 in float32 (RoPE's cos/sin, RMSNorm, Llama/Qwen2's softmax and loss, ModernBERT's
   queries and keys before RoPE); the all-float64 logits.json of those families therefore
   differs from transformers by about 1e-6 (7e-7 measured between the two mirror modes on
   tiny random models), hence their looser logits.json tolerance.
2. Folders written by tools/transformers_export.ts (saveModel output): loads each with
   AutoTokenizer and AutoModelForTokenClassification, and compares the ids Python's
   tokenizer gives the words (is_split_into_words, add_prefix_space for byte-level BPE)
   and the float32 logits with the toolkit's.

    python3 tools/transformers_check.py [SAVED_DIR]

Exits non-zero when any comparison is off.
"""
import json
import os
import sys

import torch
import transformers
from transformers import AutoModelForTokenClassification, AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_logits  # noqa: E402 (the float64 mirror, beside this script)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "models")
# logits.json is all float64; transformers' float32 steps move these families' logits by ~1e-6
LOGITS_JSON_TOLERANCE = {"modernbert": 1e-5, "llama": 1e-5, "qwen2": 1e-5}
failed = []


def report(name, err, tol):
    ok = err <= tol
    print(f"{'ok  ' if ok else 'FAIL'} {name}: max abs difference {err:.3g} (tolerance {tol:g})")
    if not ok:
        failed.append(name)


def load(d):
    model = AutoModelForTokenClassification.from_pretrained(d, attn_implementation="eager")
    return model.eval()


def check_fixture(family):
    d = os.path.join(FIXTURES, family)
    if not os.path.isdir(d):
        print(f"     {family}: no folder {d}, skipped")
        return
    cfg, inp, weights = reference_logits.load(d)
    want = json.load(open(os.path.join(d, "logits.json")))
    model = load(d).double()
    args = {
        "input_ids": torch.tensor(inp["input_ids"]),
        "attention_mask": torch.tensor(inp["attention_mask"]),
    }
    if inp.get("token_type_ids"):
        args["token_type_ids"] = torch.tensor(inp["token_type_ids"])
    out = model(**args, labels=torch.tensor(inp["labels"]))
    mask = args["attention_mask"].bool()
    got = out.logits[mask]
    ref = torch.tensor(want["logits"], dtype=torch.float64).reshape(want["shape"])[mask]
    tol = LOGITS_JSON_TOLERANCE.get(family, 1e-9)
    report(f"{family} fixture: transformers logits vs logits.json", (got - ref).abs().max().item(), tol)
    out.loss.backward()
    grads = {n: p.grad for n, p in model.named_parameters() if p.requires_grad and p.grad is not None}
    missing = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    if missing:
        failed.append(f"{family}: no gradient for {missing}")
    # the mirror takes its loss in float32 exactly where transformers' loss comes out float32
    f32_loss = out.loss.dtype == torch.float32
    m_logits, m_loss, m_grads = reference_logits.gradients(cfg, weights, inp, f32_steps=True, f32_loss=f32_loss)
    report(f"{family} fixture: transformers logits vs the mirror with float32 steps",
           (got.detach() - m_logits[mask]).abs().max().item(), 1e-9)
    report(f"{family} fixture: transformers loss vs the mirror's", abs(out.loss.item() - m_loss), 1e-9)
    if set(grads) != set(m_grads):
        failed.append(f"{family}: parameters {sorted(set(grads) ^ set(m_grads))} in only one of transformers and the mirror")
    common = [n for n in grads if n in m_grads]
    err = max((grads[n] - m_grads[n]).abs().max().item() for n in common) if common else float("inf")
    report(f"{family} fixture: transformers gradients vs the mirror's", err, 1e-9)
    made_by = f"tools/transformers_check.py, transformers {transformers.__version__}, torch {torch.__version__}, float64"
    tmp = os.path.join(d, "grads.json.tmp")
    with open(tmp, "w") as f:
        json.dump({"made_by": made_by, "loss": out.loss.item(),
                   "grads": {n: g.flatten().tolist() for n, g in grads.items()}}, f)
        f.write("\n")
    os.replace(tmp, os.path.join(d, "grads.json"))
    print(f"     {family}: loss {out.loss.item():.12g} ({out.loss.dtype}), wrote {len(grads)} gradients to {d}/grads.json")


def check_saved(d):
    name = os.path.basename(d)
    exp = json.load(open(os.path.join(d, "expected.json")))
    cfg = json.load(open(os.path.join(d, "config.json")))
    byte_level = cfg["model_type"] in ("gpt2", "roberta")
    tok = AutoTokenizer.from_pretrained(d, **({"add_prefix_space": True} if byte_level else {}))
    for words, ids in zip(exp["words"], exp["input_ids"]):
        py = tok(words, is_split_into_words=True)["input_ids"]
        if py != ids:
            failed.append(f"{name}: ids of {words}")
            print(f"FAIL {name} ids of {words}:\n  python  {py}\n  toolkit {ids}")
    print(f"     {name}: tokenizer ids compared on {len(exp['words'])} sentences")
    model = load(d)
    print(f"     {name}: loaded as {type(model).__name__}, id2label {model.config.id2label}")
    err = 0.0
    for ids, want in zip(exp["input_ids"], exp["logits"]):
        with torch.no_grad():
            got = model(input_ids=torch.tensor([ids])).logits[0]
        err = max(err, (got - torch.tensor(want)).abs().max().item())
    report(f"{name} saved model: transformers float32 logits vs WebGPU", err, 1e-4)


def main():
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")
    for family in reference_logits.FAMILIES:
        check_fixture(family)
    for saved in sys.argv[1:]:
        for name in sorted(os.listdir(saved)):
            check_saved(os.path.join(saved, name))
    print("all comparisons agree" if not failed else f"{len(failed)} failed: {failed}")
    sys.exit(1 if failed else 0)


main()
