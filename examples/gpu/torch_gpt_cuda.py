#!/usr/bin/env python3
"""The GPT-2-style model of `./modej bench`, trained with PyTorch on a CUDA GPU, as a speed reference.

Model and training as `./modej bench` with its defaults: token + learned position embeddings,
L pre-LayerNorm blocks (causal multi-head attention with a fused qkv Linear and an explicit
softmax(QK^T/sqrt(hd) + mask)V, output Linear; MLP Linear(d,4d) -> GELU(tanh) -> Linear(4d,d)),
final LayerNorm, LM head tied to the token embedding, AdamW (lr 3e-4, betas .9/.95, wd 0.1),
fp32 (TF32 matmuls off, so the arithmetic is the same precision as the TornadoVM kernels),
cross-entropy on uniform random tokens. No fused kernels, no torch.compile: eager PyTorch.

Timing: each training step is zero_grad + forward + loss + backward + AdamW step, ended by
loss.item() (which waits for the GPU); the first --warmup steps are not timed. Forward = the
same batch under inference_mode, ended by torch.cuda.synchronize(). Prints one JSON line with
train_tok_s and infer_tok_s, as `./modej bench --json` does.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h, T):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.register_buffer("mask", torch.full((T, T), float("-inf")).triu(1), persistent=False)

    def attn(self, x):
        B, T, C = x.shape
        hd = C // self.h
        q, k, v = (t.view(B, T, self.h, hd).transpose(1, 2) for t in self.qkv(x).split(C, dim=2))
        att = F.softmax((q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd)) + self.mask[:T, :T], dim=-1)
        return self.proj((att @ v).transpose(1, 2).contiguous().view(B, T, C))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, V, T, L, d, h):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, d), nn.Embedding(T, d)
        self.blocks = nn.ModuleList([Block(d, h, T) for _ in range(L)])
        self.lnf = nn.LayerNorm(d)
        self.head = nn.Linear(d, V, bias=False)
        self.head.weight = self.wte.weight
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1], device=idx.device))
        for b in self.blocks:
            x = b(x)
        return self.head(self.lnf(x))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name, default in (("layers", 4), ("dim", 128), ("heads", 4), ("seq", 128), ("batch", 8),
                          ("vocab", 256), ("steps", 30), ("warmup", 3), ("seed", 1337)):
        ap.add_argument("--" + name, type=int, default=default)
    ap.add_argument("--device", default="cuda", help="torch device (default: cuda)")
    a = ap.parse_args()
    if a.dim % a.heads:
        ap.error("--dim must be a multiple of --heads")
    if a.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("torch_gpt_cuda.py: this PyTorch sees no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(a.seed)
    dev = torch.device(a.device)
    B, T, V = a.batch, a.seq, a.vocab
    model = GPT(V, T, a.layers, a.dim, a.heads).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95), weight_decay=0.1)

    def batch():
        xy = torch.randint(0, V, (B, T + 1), device=dev)
        return xy[:, :-1].contiguous(), xy[:, 1:].contiguous()

    def train_step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).view(-1, V), y.view(-1))
        loss.backward()
        opt.step()
        return loss.item()

    losses, times = [], []
    for i in range(a.warmup + a.steps):
        x, y = batch()
        t0 = time.perf_counter()
        losses.append(train_step(x, y))
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    model.eval()
    x, _ = batch()
    ftimes = []
    with torch.inference_mode():
        for i in range(a.warmup + a.steps):
            t0 = time.perf_counter()
            model(x)
            if dev.type == "cuda":
                torch.cuda.synchronize()
            if i >= a.warmup:
                ftimes.append(time.perf_counter() - t0)
    med, fmed = statistics.median(times), statistics.median(ftimes)
    print(json.dumps({
        "label": "torch", "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else a.device,
        "torch": torch.__version__, "cfg": {"L": a.layers, "d": a.dim, "h": a.heads, "T": T, "B": B, "V": V},
        "params": sum(p.numel() for p in model.parameters()), "steps": a.steps, "warmup": a.warmup,
        "ms_step_median": round(med * 1e3, 2), "train_tok_s": round(B * T / med, 1),
        "infer_ms_median": round(fmed * 1e3, 2), "infer_tok_s": round(B * T / fmed, 1),
        "loss_first": round(losses[0], 4), "loss_last": round(losses[-1], 4)}))


if __name__ == "__main__":
    main()
