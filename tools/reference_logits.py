"""Developer script: PyTorch reference logits for the tiny fixture models.

For each tests/fixtures/models/<family>/ (written by tools/make_reference_fixtures.ts) it
reads config.json, model.safetensors (parsed by hand: 8-byte header length, JSON header)
and inputs.json, runs a hand-written float64 PyTorch forward that mirrors transformers'
eager modules (BertForTokenClassification, RobertaForTokenClassification,
DistilBertForTokenClassification, GPT2ForTokenClassification; transformers itself is not
installed), and writes logits.json. Needs Debian's python3-torch:

    /usr/bin/python3 tools/reference_logits.py
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "models")
MIN = torch.finfo(torch.float32).min


def load_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32"
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32)
        out[name] = t.reshape(info["shape"]).double()
    return out


def act(name, x):
    if name == "gelu":
        return F.gelu(x)
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    raise ValueError(name)


def heads(x, n):
    b, t, h = x.shape
    return x.view(b, t, n, h // n).permute(0, 2, 1, 3)


def merge(x):
    b, n, t, d = x.shape
    return x.permute(0, 2, 1, 3).reshape(b, t, n * d)


def bert_like(cfg, w, ids, mask, types, family):
    p = family
    H, nh, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    B, T = ids.shape
    if family == "roberta":
        pad = cfg["pad_token_id"]
        m = ids.ne(pad).int()
        pos = torch.cumsum(m, dim=1) * m + pad
    else:
        pos = torch.arange(T).expand(B, T)
    x = w[f"{p}.embeddings.word_embeddings.weight"][ids]
    x = x + w[f"{p}.embeddings.position_embeddings.weight"][pos]
    x = x + w[f"{p}.embeddings.token_type_embeddings.weight"][types]
    x = F.layer_norm(x, (H,), w[f"{p}.embeddings.LayerNorm.weight"], w[f"{p}.embeddings.LayerNorm.bias"], eps)
    ext = (1.0 - mask[:, None, None, :].double()) * MIN
    lin = lambda v, n: F.linear(v, w[n + ".weight"], w[n + ".bias"])
    for l in range(cfg["num_hidden_layers"]):
        q = f"{p}.encoder.layer.{l}"
        Q = heads(lin(x, q + ".attention.self.query"), nh)
        K = heads(lin(x, q + ".attention.self.key"), nh)
        V = heads(lin(x, q + ".attention.self.value"), nh)
        s = Q @ K.transpose(-1, -2) / math.sqrt(H // nh) + ext
        ctx = merge(torch.softmax(s, dim=-1) @ V)
        a = F.layer_norm(lin(ctx, q + ".attention.output.dense") + x, (H,),
                         w[q + ".attention.output.LayerNorm.weight"], w[q + ".attention.output.LayerNorm.bias"], eps)
        f = lin(act(cfg["hidden_act"], lin(a, q + ".intermediate.dense")), q + ".output.dense")
        x = F.layer_norm(f + a, (H,), w[q + ".output.LayerNorm.weight"], w[q + ".output.LayerNorm.bias"], eps)
    return F.linear(x, w["classifier.weight"], w["classifier.bias"])


def distilbert(cfg, w, ids, mask):
    H, nh, eps = cfg["dim"], cfg["n_heads"], 1e-12
    B, T = ids.shape
    x = w["distilbert.embeddings.word_embeddings.weight"][ids]
    x = x + w["distilbert.embeddings.position_embeddings.weight"][torch.arange(T).expand(B, T)]
    x = F.layer_norm(x, (H,), w["distilbert.embeddings.LayerNorm.weight"], w["distilbert.embeddings.LayerNorm.bias"], eps)
    lin = lambda v, n: F.linear(v, w[n + ".weight"], w[n + ".bias"])
    for l in range(cfg["n_layers"]):
        q = f"distilbert.transformer.layer.{l}"
        Q = heads(lin(x, q + ".attention.q_lin"), nh) / math.sqrt(H // nh)
        K = heads(lin(x, q + ".attention.k_lin"), nh)
        V = heads(lin(x, q + ".attention.v_lin"), nh)
        s = Q @ K.transpose(-1, -2)
        s = s.masked_fill(mask[:, None, None, :] == 0, MIN)
        ctx = merge(torch.softmax(s, dim=-1) @ V)
        a = F.layer_norm(lin(ctx, q + ".attention.out_lin") + x, (H,),
                         w[q + ".sa_layer_norm.weight"], w[q + ".sa_layer_norm.bias"], eps)
        f = lin(act(cfg["activation"], lin(a, q + ".ffn.lin1")), q + ".ffn.lin2")
        x = F.layer_norm(f + a, (H,), w[q + ".output_layer_norm.weight"], w[q + ".output_layer_norm.bias"], eps)
    return F.linear(x, w["classifier.weight"], w["classifier.bias"])


def gpt2(cfg, w, ids, mask):
    H, nh, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    B, T = ids.shape
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][torch.arange(T).expand(B, T)]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    ext = (1.0 - mask[:, None, None, :].double()) * MIN
    conv = lambda v, n: v @ w[n + ".weight"] + w[n + ".bias"]  # Conv1D: weight [in, out]
    ln = lambda v, n: F.layer_norm(v, (H,), w[n + ".weight"], w[n + ".bias"], eps)
    for l in range(cfg["n_layer"]):
        q = f"transformer.h.{l}"
        qkv = conv(ln(x, q + ".ln_1"), q + ".attn.c_attn")
        Q, K, V = (heads(t, nh) for t in qkv.split(H, dim=2))
        s = Q @ K.transpose(-1, -2) / math.sqrt(H // nh)
        s = torch.where(causal, s, torch.tensor(MIN, dtype=s.dtype)) + ext
        x = x + conv(merge(torch.softmax(s, dim=-1) @ V), q + ".attn.c_proj")
        x = x + conv(act(cfg["activation_function"], conv(ln(x, q + ".ln_2"), q + ".mlp.c_fc")), q + ".mlp.c_proj")
    x = ln(x, "transformer.ln_f")
    return F.linear(x, w["classifier.weight"], w["classifier.bias"])


def main():
    for family in ["bert", "roberta", "distilbert", "gpt2"]:
        d = os.path.join(ROOT, family)
        cfg = json.load(open(os.path.join(d, "config.json")))
        inp = json.load(open(os.path.join(d, "inputs.json")))
        w = load_safetensors(os.path.join(d, "model.safetensors"))
        ids = torch.tensor(inp["input_ids"])
        mask = torch.tensor(inp["attention_mask"])
        with torch.no_grad():
            if family in ("bert", "roberta"):
                types = torch.tensor(inp["token_type_ids"]) if inp.get("token_type_ids") else torch.zeros_like(ids)
                logits = bert_like(cfg, w, ids, mask, types, family)
            elif family == "distilbert":
                logits = distilbert(cfg, w, ids, mask)
            else:
                logits = gpt2(cfg, w, ids, mask)
        out = {"made_by": f"tools/reference_logits.py, torch {torch.__version__}, float64",
               "shape": list(logits.shape),
               "logits": [float("%.13g" % v) for v in logits.flatten().tolist()]}
        json.dump(out, open(os.path.join(d, "logits.json"), "w"))
        print(family, logits[0, :2].tolist())


main()
