"""PyTorch CPU reference for bench/train_step_bench.ts: the training step (forward,
cross-entropy, backward, clip_grad_norm_, AdamW) of a hand-written BERT token classifier
(post-LN, erf GELU, dropout 0.1, as transformers' BertForTokenClassification) at the
shapes the bench asks for. Prints one JSON line: {"config": ..., "msPerStep": ...}.

Usage: /usr/bin/python3 bench/train_step_torch.py LAYERS HIDDEN HEADS INTER BATCH SEQ STEPS THREADS [DEVICE]
(DEVICE: cpu, the default, or cuda where a GPU and a CUDA build of torch are at hand.)
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, h, heads, inter, p):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(h, 3 * h)
        self.o = nn.Linear(h, h)
        self.ln1 = nn.LayerNorm(h, eps=1e-12)
        self.f1 = nn.Linear(h, inter)
        self.f2 = nn.Linear(inter, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-12)
        self.p = p

    def forward(self, x, mask_add):
        b, t, h = x.shape
        d = h // self.heads
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        s = q @ k.transpose(-1, -2) / math.sqrt(d) + mask_add
        a = F.dropout(s.softmax(-1), self.p, self.training)
        ctx = (a @ v).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(x + F.dropout(self.o(ctx), self.p, self.training))
        f = self.f2(F.gelu(self.f1(x)))
        return self.ln2(x + F.dropout(f, self.p, self.training))


class Bert(nn.Module):
    def __init__(self, layers, h, heads, inter, vocab=30522, pos=512, labels=9, p=0.1):
        super().__init__()
        self.word = nn.Embedding(vocab, h, padding_idx=0)
        self.pos = nn.Embedding(pos, h)
        self.types = nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList([Layer(h, heads, inter, p) for _ in range(layers)])
        self.cls = nn.Linear(h, labels)
        self.p = p

    def forward(self, ids, mask):
        t = ids.shape[1]
        pos = torch.arange(t, device=ids.device).unsqueeze(0)
        x = self.word(ids) + self.pos(pos) + self.types(torch.zeros_like(ids))
        x = F.dropout(self.ln(x), self.p, self.training)
        mask_add = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, mask_add)
        return self.cls(F.dropout(x, self.p, self.training))


def main():
    layers, h, heads, inter, batch, seq, steps, threads = map(int, sys.argv[1:9])
    device = sys.argv[9] if len(sys.argv) > 9 else "cpu"
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = Bert(layers, h, heads, inter).to(device)
    model.train()
    decay = [p for n, p in model.named_parameters() if not n.endswith("bias") and "ln" not in n]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "ln" in n]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
        lr=5e-5,
    )
    ids = torch.randint(1, 30522, (batch, seq), device=device)
    mask = torch.ones(batch, seq, dtype=torch.long, device=device)
    labels = torch.randint(0, 9, (batch, seq), device=device)

    def step():
        opt.zero_grad(set_to_none=False)
        logits = model(ids, mask)
        loss = F.cross_entropy(logits.view(-1, 9), labels.view(-1), ignore_index=-100)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    ms = (time.perf_counter() - t0) * 1000 / steps
    print(json.dumps({"config": [layers, h, heads, inter, batch, seq], "device": device, "msPerStep": ms}))


if __name__ == "__main__":
    main()
