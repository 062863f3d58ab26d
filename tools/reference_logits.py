"""Developer script: PyTorch reference logits and gradients for the tiny fixture models.

For each tests/fixtures/models/<family>/ (written by tools/make_reference_fixtures.ts) it
reads config.json, model.safetensors (parsed by hand: 8-byte header length, JSON header)
and inputs.json, runs a hand-written float64 PyTorch forward that mirrors transformers'
eager modules (BertForTokenClassification, RobertaForTokenClassification,
DistilBertForTokenClassification, GPT2ForTokenClassification,
ModernBertForTokenClassification, LlamaForTokenClassification and
Qwen2ForTokenClassification, in eval mode; transformers itself is not installed), and writes

- logits.json: the logits of inputs.json's input_ids and attention_mask;
- mirror_grads.json: the mean cross-entropy of inputs.json's labels (those that are not
  -100) and its float64 gradient for every tensor of model.safetensors, by autograd, in the
  format of grads.json (which tools/transformers_check.py writes from transformers itself).

Families whose folder does not exist are skipped with a message. Needs Debian's python3-torch:

    /usr/bin/python3 tools/reference_logits.py [FIXTURES_ROOT]

FIXTURES_ROOT defaults to tests/fixtures/models.

The mirror computes everything in float64. Transformers keeps a few steps in float32 even in
a float64 model (RoPE's cos/sin tables, Llama/Qwen2's RMSNorm, attention softmax and loss,
ModernBERT's queries and keys before RoPE); `mirror(..., f32_steps=True)` repeats those steps
so that tools/transformers_check.py can compare transformers with the mirror tightly.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "models")
FAMILIES = ["bert", "roberta", "distilbert", "gpt2", "modernbert", "llama", "qwen2"]
MIN = torch.finfo(torch.float32).min
MIN64 = torch.finfo(torch.float64).min


def load_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {info['dtype']}, expected F32")
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32)
        out[name] = t.reshape(info["shape"]).double()
    return out


def act(name, x):
    if name == "gelu":
        return F.gelu(x)
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if name == "silu":
        return F.silu(x)
    raise ValueError(f"activation {name!r} is not mirrored")


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
    pad = cfg.get("pad_token_id")
    if family == "roberta":
        m = ids.ne(pad).int()
        pos = torch.cumsum(m, dim=1) * m + pad
        x = F.embedding(pos, w[f"{p}.embeddings.position_embeddings.weight"], padding_idx=pad)
    else:
        x = w[f"{p}.embeddings.position_embeddings.weight"][torch.arange(T).expand(B, T)]
    x = F.embedding(ids, w[f"{p}.embeddings.word_embeddings.weight"], padding_idx=pad) + x
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
    x = F.embedding(ids, w["distilbert.embeddings.word_embeddings.weight"], padding_idx=cfg.get("pad_token_id"))
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


# --- rotary families -------------------------------------------------------------------------


def rope_tables(theta, dim, T, f32_steps):
    """cos and sin [T, dim] of positions 0..T-1 (right padding keeps these positions), the
    angle of pair j being pos * theta^(-2j/dim) and the table repeated over both halves."""
    dtype = torch.float32 if f32_steps else torch.float64
    inv = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype) / dim))
    ang = torch.outer(torch.arange(T).to(dtype), inv)
    emb = torch.cat((ang, ang), dim=-1)
    return emb.cos().double(), emb.sin().double()


def rotate(x, cos, sin):
    """RoPE in the rotate_half convention: pairs (i, i + dim/2), not interleaved."""
    half = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin


def additive(allowed):
    """Transformers' eager mask: 0 where allowed, the float64 minimum elsewhere, added to the scores."""
    return torch.where(allowed, torch.tensor(0.0, dtype=torch.float64), torch.tensor(MIN64, dtype=torch.float64))


def rms_norm(x, weight, eps, f32_steps):
    h = x.float() if f32_steps else x
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return weight * h.to(x.dtype)


def refuse(cfg, family, why):
    raise ValueError(f"{family} config.json: {why} is not mirrored")


def modernbert_layer_types(cfg):
    n = cfg["num_hidden_layers"]
    types = cfg.get("layer_types") or [
        "sliding_attention" if i % cfg.get("global_attn_every_n_layers", 3) else "full_attention" for i in range(n)
    ]
    if len(types) != n or not set(types) <= {"full_attention", "sliding_attention"}:
        refuse(cfg, "modernbert", f"layer_types {types}")
    return types


def modernbert_thetas(cfg):
    if cfg.get("rope_scaling"):
        refuse(cfg, "modernbert", "rope_scaling")
    rp = cfg.get("rope_parameters") or {}
    full, local = rp.get("full_attention") or {}, rp.get("sliding_attention") or {}
    for p in (full, local):
        if p.get("rope_type", "default") != "default":
            refuse(cfg, "modernbert", f"rope_type {p['rope_type']!r}")
    return {
        "full_attention": full.get("rope_theta", cfg.get("global_rope_theta", 160000.0)),
        "sliding_attention": local.get("rope_theta", cfg.get("local_rope_theta", 10000.0)),
    }


def modernbert(cfg, w, ids, mask, f32_steps=False):
    """ModernBertForTokenClassification: pre-norm encoder, fused Wqkv, RoPE with a theta per
    layer kind, a bidirectional window |i - j| <= local_attention // 2 on sliding layers,
    GeGLU (first half of Wi activated, second half the gate), LayerNorms without bias unless
    norm_bias, head dense -> activation -> norm, then the classifier."""
    H, nh, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    hd, eps = H // nh, cfg.get("norm_eps", 1e-5)
    B, T = ids.shape
    bias = lambda flag, n: w[n + ".bias"] if cfg.get(flag, False) else None
    ln = lambda v, n: F.layer_norm(v, (H,), w[n + ".weight"], bias("norm_bias", n), eps)
    lin = lambda v, n, flag: F.linear(v, w[n + ".weight"], bias(flag, n))
    types = modernbert_layer_types(cfg)
    rope = {k: rope_tables(t, hd, T, f32_steps) for k, t in modernbert_thetas(cfg).items()}
    i = torch.arange(T)
    keys = mask.bool()[:, None, None, :]
    allowed = {
        "full_attention": keys,
        "sliding_attention": keys & ((i[:, None] - i[None, :]).abs() <= cfg.get("local_attention", 128) // 2),
    }
    x = F.embedding(ids, w["model.embeddings.tok_embeddings.weight"], padding_idx=cfg.get("pad_token_id"))
    x = ln(x, "model.embeddings.norm")
    for l in range(L):
        p = f"model.layers.{l}"
        h = x if l == 0 else ln(x, p + ".attn_norm")
        qkv = lin(h, p + ".attn.Wqkv", "attention_bias").view(B, T, 3, nh, hd)
        q, k, v = (qkv[:, :, j].transpose(1, 2) for j in range(3))
        if f32_steps:
            q, k = q.float().double(), k.float().double()
        cos, sin = rope[types[l]]
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        s = (q @ k.transpose(-1, -2)) * hd ** -0.5 + additive(allowed[types[l]])
        ctx = (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(B, T, H)
        x = x + lin(ctx, p + ".attn.Wo", "attention_bias")
        a, gate = lin(ln(x, p + ".mlp_norm"), p + ".mlp.Wi", "mlp_bias").chunk(2, dim=-1)
        x = x + lin(act(cfg.get("hidden_activation", "gelu"), a) * gate, p + ".mlp.Wo", "mlp_bias")
    x = ln(x, "model.final_norm")
    x = ln(act(cfg.get("classifier_activation", "gelu"), lin(x, "head.dense", "classifier_bias")), "head.norm")
    return F.linear(x, w["classifier.weight"], w["classifier.bias"])


def llama_theta(cfg, family):
    if cfg.get("rope_scaling"):
        refuse(cfg, family, "rope_scaling")
    rp = cfg.get("rope_parameters") or {}
    if rp.get("rope_type", "default") != "default":
        refuse(cfg, family, f"rope_type {rp['rope_type']!r}")
    return rp.get("rope_theta", cfg.get("rope_theta", 10000.0))


def llama(cfg, w, ids, mask, f32_steps=False, family="llama"):
    """LlamaForTokenClassification (and Qwen2ForTokenClassification, whose q/k/v projections
    have biases and o_proj none): pre-RMSNorm decoder, causal attention with key padding,
    grouped-query heads (query head h reads key/value head h // (heads / kv_heads)), RoPE at
    positions 0..T-1, SwiGLU down(silu(gate) * up), final RMSNorm, dropout then `score`."""
    H, nh, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    nkv = cfg.get("num_key_value_heads") or nh
    hd = cfg.get("head_dim") or H // nh
    eps = cfg.get("rms_norm_eps", 1e-6)
    B, T = ids.shape
    if family == "qwen2":
        if cfg.get("use_sliding_window") and any(
            t == "sliding_attention"
            for t in cfg.get("layer_types")
            or ["sliding_attention" if i >= cfg.get("max_window_layers", 28) else "full_attention" for i in range(L)]
        ):
            refuse(cfg, family, "sliding-window layers")
        qkv_bias, o_bias, mlp_bias = True, False, False
    else:
        if cfg.get("pretraining_tp", 1) not in (None, 1):
            refuse(cfg, family, "pretraining_tp")
        qkv_bias = o_bias = cfg.get("attention_bias", False)
        mlp_bias = cfg.get("mlp_bias", False)
    lin = lambda v, n, b: F.linear(v, w[n + ".weight"], w[n + ".bias"] if b else None)
    rms = lambda v, n: rms_norm(v, w[n + ".weight"], eps, f32_steps)
    cos, sin = rope_tables(llama_theta(cfg, family), hd, T, f32_steps)
    i = torch.arange(T)
    bias = additive(mask.bool()[:, None, None, :] & (i[None, :] <= i[:, None]))
    x = F.embedding(ids, w["model.embed_tokens.weight"], padding_idx=cfg.get("pad_token_id"))
    for l in range(L):
        p = f"model.layers.{l}"
        h = rms(x, p + ".input_layernorm")
        q = lin(h, p + ".self_attn.q_proj", qkv_bias).view(B, T, nh, hd).transpose(1, 2)
        k = lin(h, p + ".self_attn.k_proj", qkv_bias).view(B, T, nkv, hd).transpose(1, 2)
        v = lin(h, p + ".self_attn.v_proj", qkv_bias).view(B, T, nkv, hd).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        k, v = k.repeat_interleave(nh // nkv, dim=1), v.repeat_interleave(nh // nkv, dim=1)
        s = (q @ k.transpose(-1, -2)) * hd ** -0.5 + bias
        probs = torch.softmax(s.float(), dim=-1).double() if f32_steps else torch.softmax(s, dim=-1)
        x = x + lin((probs @ v).transpose(1, 2).reshape(B, T, nh * hd), p + ".self_attn.o_proj", o_bias)
        h = rms(x, p + ".post_attention_layernorm")
        up = lin(h, p + ".mlp.up_proj", mlp_bias)
        x = x + lin(act(cfg.get("hidden_act", "silu"), lin(h, p + ".mlp.gate_proj", mlp_bias)) * up,
                    p + ".mlp.down_proj", mlp_bias)
    x = rms(x, "model.norm")
    return F.linear(x, w["score.weight"], w["score.bias"] if cfg.get("token_classification_bias", True) else None)


def mirror(cfg, w, inp, f32_steps=False, f32_loss=None):
    """Logits [B, T, labels] and the mean cross-entropy of inp's labels (None without labels).
    f32_loss: take the loss of the logits rounded to float32; by default only where transformers
    does (Llama and Qwen2's ForTokenClassification loss) and only with f32_steps."""
    family = cfg["model_type"]
    ids = torch.tensor(inp["input_ids"])
    mask = torch.tensor(inp["attention_mask"])
    if family in ("bert", "roberta"):
        types = torch.tensor(inp["token_type_ids"]) if inp.get("token_type_ids") else torch.zeros_like(ids)
        logits = bert_like(cfg, w, ids, mask, types, family)
    elif family == "distilbert":
        logits = distilbert(cfg, w, ids, mask)
    elif family == "gpt2":
        logits = gpt2(cfg, w, ids, mask)
    elif family == "modernbert":
        logits = modernbert(cfg, w, ids, mask, f32_steps)
    elif family in ("llama", "qwen2"):
        logits = llama(cfg, w, ids, mask, f32_steps, family)
    else:
        raise ValueError(f"model_type {family!r} is not mirrored")
    if inp.get("labels") is None:
        return logits, None
    flat = logits.reshape(-1, logits.shape[-1])
    if f32_loss if f32_loss is not None else f32_steps and family in ("llama", "qwen2"):
        flat = flat.float()
    return logits, F.cross_entropy(flat, torch.tensor(inp["labels"]).reshape(-1), ignore_index=-100)


def load(d):
    cfg = json.load(open(os.path.join(d, "config.json")))
    inp = json.load(open(os.path.join(d, "inputs.json")))
    w = load_safetensors(os.path.join(d, "model.safetensors"))
    return cfg, inp, w


def gradients(cfg, w, inp, f32_steps=False, f32_loss=None):
    """(logits, loss, {name: gradient}) with every tensor of w a leaf; a tensor the forward
    does not use is an error rather than a silent zero."""
    w = {n: t.detach().clone().requires_grad_(True) for n, t in w.items()}
    logits, loss = mirror(cfg, w, inp, f32_steps, f32_loss)
    loss.backward()
    unused = [n for n, t in w.items() if t.grad is None]
    if unused:
        raise ValueError(f"{cfg['model_type']}: model.safetensors tensors the mirror does not use: {unused}")
    return logits.detach(), loss.item(), {n: t.grad for n, t in w.items()}


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def main(root):
    made_by = f"tools/reference_logits.py, torch {torch.__version__}, float64"
    for family in FAMILIES:
        d = os.path.join(root, family)
        if not os.path.isdir(d):
            print(f"{family}: no folder {d}, skipped")
            continue
        cfg, inp, w = load(d)
        if cfg.get("model_type") != family:
            raise ValueError(f"{d}/config.json: model_type {cfg.get('model_type')!r}, expected {family!r}")
        try:
            if inp.get("labels") is None:
                with torch.no_grad():
                    logits, _ = mirror(cfg, w, inp)
            else:
                logits, loss, grads = gradients(cfg, w, inp)
        except KeyError as e:
            raise SystemExit(f"{d}: model.safetensors has no tensor {e}")
        except ValueError as e:
            raise SystemExit(f"{d}: {e}")
        if inp.get("labels") is not None:
            write_json(os.path.join(d, "mirror_grads.json"), {
                "made_by": made_by,
                "loss": loss,
                "grads": {n: g.flatten().tolist() for n, g in grads.items()},
            })
        write_json(os.path.join(d, "logits.json"), {
            "made_by": made_by,
            "shape": list(logits.shape),
            "logits": [float("%.13g" % v) for v in logits.flatten().tolist()],
        })
        print(family, logits[0, :2].tolist(), "" if inp.get("labels") is None else f"loss {loss:.12g}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ROOT)
