#!/usr/bin/python3
"""Standalone PyTorch reference benchmark for the rotary-transformer MLM.

Mirrors xlm-core's RotaryTransformerMLMModel (src/xlm/modules/rotary_transformer.py,
src/xlm/modules/position.py, xlm-models/mlm/model_mlm.py, loss_mlm.py) without
jaxtyping/lightning/omegaconf:
  embed_tokens (padding_idx=0) -> N x [pre-norm: LN -> qkv (no bias) -> RoPE on q,k
  (head-first, chunk halves: [x1*cos - x2*sin, x2*cos + x1*sin]) -> softmax(QK^T/sqrt(d)
  + key-padding mask) V -> o_proj (no bias) -> residual; LN -> Linear(b) -> ReLU|GELU(tanh)
  -> Linear(b) -> residual] -> final LN -> Linear(d, vocab, no bias).
Loss: cross-entropy on masked positions only (ignore_index=-100), mean over masked tokens.
Torch 1.13 has no F.scaled_dot_product_attention, so attention is written by hand.
Dropout is 0 (xlm-core default is 0.1) so the numbers compare with the tfjs script.

Setup: apt-get install -y python3-torch   (Debian 12: torch 1.13.1, for /usr/bin/python3 only)
Debian's torch links the *reference* libblas.so.3 (~6 GFLOP/s). For a real anchor also
  apt-get install -y libopenblas0-openmp     (and run with the openmp build of OpenBLAS:)
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=2 \
    /usr/bin/python3 torch_ref.py --threads 2 --reps 7 --warmup 2
(libopenblas0-pthread + torch.set_num_threads(2) oversubscribes the 2 cores: 1.5-2.5x slower, noisy.)
--check CHECK_DIR compares losses with weights dumped by the project's earlier tfjs prototype
(tfjs_bench.mjs, not in this repository); `pnpm bench --torch` uses only the timing modes.
Copied into this repository (apps/bench/torch/) so the benchmark needs nothing beside the checkout.
Prints one JSON line per measurement (prefix "RESULT ").
"""
import os
import sys


def _pin_openblas_core():
    """OpenBLAS 0.3.21 (Debian 12) falls back to its generic 'Prescott' kernels on CPUs it cannot name
    (virtualised Xeons report a masked model), which makes PyTorch 5-7x slower than the hardware allows.
    Pick the kernel the CPU's flags support, before torch loads OpenBLAS, unless the caller chose one."""
    if os.environ.get("OPENBLAS_CORETYPE") or os.environ.get("_TORCH_REF_PINNED"):
        return
    try:
        flags = set(open("/proc/cpuinfo").read().split())
    except OSError:
        return
    core = None
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        core = "SKYLAKEX"
    elif {"avx2", "fma"} <= flags:
        core = "HASWELL"
    if core:
        env = dict(os.environ, OPENBLAS_CORETYPE=core, _TORCH_REF_PINNED="1")
        env.pop("OPENBLAS_L2_SIZE", None)
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


_pin_openblas_core()

import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    # name: d_model, layers, heads, ffn, vocab, batch, seq
    "base": dict(d=256, L=4, H=4, ffn=1024, V=1000, B=32, S=128),
    "small": dict(d=128, L=2, H=4, ffn=512, V=20, B=64, S=64),
    "sudoku": dict(d=128, L=2, H=4, ffn=512, V=20, B=64, S=83),
    "tiny": dict(d=64, L=2, H=4, ffn=256, V=20, B=8, S=32),
}


class Rotary(nn.Module):
    def __init__(self, dim, cache_size=1024):
        super().__init__()
        self.dim = dim
        inv_freq = 1.0 / (10000 ** (torch.arange(0, dim, 2).float() / dim))
        t = torch.arange(cache_size).float()
        angles = torch.einsum("i,j->ij", t, inv_freq)
        self.register_buffer("sin", angles.sin(), persistent=False)
        self.register_buffer("cos", angles.cos(), persistent=False)

    def forward(self, x):  # x: (B, H, S, dim)
        S = x.shape[2]
        sin = self.sin[None, None, :S, :]
        cos = self.cos[None, None, :S, :]
        x1, x2 = x.chunk(2, dim=-1)
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class Layer(nn.Module):
    def __init__(self, d, H, ffn, act, rotary):
        super().__init__()
        self.H, self.d, self.hd = H, d, d // H
        self.norm1 = nn.LayerNorm(d, eps=1e-5)
        self.attn_qkv = nn.Linear(d, 3 * d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)
        self.norm2 = nn.LayerNorm(d, eps=1e-5)
        a = nn.GELU(approximate="tanh") if act == "gelu" else nn.ReLU()
        self.mlp = nn.Sequential(nn.Linear(d, ffn), a, nn.Linear(ffn, d))
        self.rotary = rotary
        self.rd = rotary.dim

    def rope(self, x):
        if self.rd == self.hd:
            return self.rotary(x)
        return torch.cat([self.rotary(x[..., : self.rd]), x[..., self.rd:]], dim=-1)

    def forward(self, inp, mask_bias):
        B, S, _ = inp.shape
        x = self.norm1(inp)
        q, k, v = self.attn_qkv(x).chunk(3, dim=-1)
        q = q.view(B, S, self.H, self.hd).transpose(1, 2)
        k = k.view(B, S, self.H, self.hd).transpose(1, 2)
        v = v.view(B, S, self.H, self.hd).transpose(1, 2)
        q, k = self.rope(q), self.rope(k)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.hd) + mask_bias
        o = torch.matmul(torch.softmax(scores, dim=-1), v)
        o = o.transpose(1, 2).contiguous().view(B, S, self.d)
        inp = inp + self.o_proj(o)
        return inp + self.mlp(self.norm2(inp))


class RotaryTransformerMLM(nn.Module):
    def __init__(self, V, d, L, H, ffn, act="relu", rotary_dim=None, max_length=1024):
        super().__init__()
        self.embed_tokens = nn.Embedding(V, d, padding_idx=0)
        rot = Rotary(rotary_dim or d // H, max_length)
        self.encoder = nn.ModuleList([Layer(d, H, ffn, act, rot) for _ in range(L)])
        self.norm_final = nn.LayerNorm(d, eps=1e-5)
        self.linear = nn.Linear(d, V, bias=False)

    def forward(self, x_t, attention_mask):
        # attention_mask: (B, S) bool, True = real token. Additive bias (B,1,1,S).
        bias = torch.zeros(attention_mask.shape, dtype=torch.float32)
        bias = bias.masked_fill(~attention_mask, -1e9)[:, None, None, :]
        x = self.embed_tokens(x_t)
        for blk in self.encoder:
            x = blk(x, bias)
        return self.linear(self.norm_final(x))


def make_batch(c, gen, mask_idx=1, p=0.15):
    B, S, V = c["B"], c["S"], c["V"]
    tokens = torch.randint(2, V, (B, S), generator=gen)
    m = torch.rand((B, S), generator=gen) < p
    inp = tokens.masked_fill(m, mask_idx)
    targets = tokens.masked_fill(~m, -100)
    attn = torch.ones((B, S), dtype=torch.bool)
    return inp, attn, targets


def mlm_loss(logits, targets):
    return F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=-100)


def median_ms(fn, reps, warmup):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts), min(ts), max(ts), ts


def emit(**kw):
    print("RESULT " + json.dumps(kw), flush=True)


def load_check(model, c, d, name):
    """Copy weights dumped by tfjs_bench.mjs --what check (Linear weights stored [in, out])."""
    import numpy as np
    meta = json.load(open(f"{d}/{name}.meta.json"))
    flat = np.fromfile(f"{d}/{name}.params.bin", dtype=np.float32)
    off, P = 0, {}
    for k, shape in meta["params"].items():
        n = int(np.prod(shape))
        P[k] = torch.from_numpy(flat[off:off + n].reshape(shape).copy())
        off += n
    with torch.no_grad():
        model.embed_tokens.weight.copy_(P["embed"])
        for l, blk in enumerate(model.encoder):
            blk.norm1.weight.copy_(P[f"l{l}.ln1.g"]); blk.norm1.bias.copy_(P[f"l{l}.ln1.b"])
            blk.attn_qkv.weight.copy_(P[f"l{l}.wqkv"].T); blk.o_proj.weight.copy_(P[f"l{l}.wo"].T)
            blk.norm2.weight.copy_(P[f"l{l}.ln2.g"]); blk.norm2.bias.copy_(P[f"l{l}.ln2.b"])
            blk.mlp[0].weight.copy_(P[f"l{l}.w1"].T); blk.mlp[0].bias.copy_(P[f"l{l}.b1"])
            blk.mlp[2].weight.copy_(P[f"l{l}.w2"].T); blk.mlp[2].bias.copy_(P[f"l{l}.b2"])
        model.norm_final.weight.copy_(P["lnf.g"]); model.norm_final.bias.copy_(P["lnf.b"])
        model.linear.weight.copy_(P["wout"].T)
    b = json.load(open(f"{d}/{name}.batch.json"))
    inp = torch.tensor(b["inp"]).view(c["B"], c["S"])
    tgt = torch.tensor(b["tgt"]).view(c["B"], c["S"])
    w = torch.tensor(b["w"]).view(c["B"], c["S"]) > 0
    return inp, tgt.masked_fill(~w, -100)


def run_check(d, name, act):
    import glob
    c = CONFIGS[name]
    model = RotaryTransformerMLM(c["V"], c["d"], c["L"], c["H"], c["ffn"], act)
    inp, targets = load_check(model, c, d, name)
    attn = torch.ones_like(inp, dtype=torch.bool)
    logits = model(inp, attn)
    loss = mlm_loss(logits, targets)
    loss.backward()
    gn = {
        "l0.wqkv": model.encoder[0].attn_qkv.weight.grad.norm().item(),
        "l0.w1": model.encoder[0].mlp[0].weight.grad.norm().item(),
        "embed": model.embed_tokens.weight.grad.norm().item(),
        "wout": model.linear.weight.grad.norm().item(),
    }
    flat = logits.detach().reshape(-1)
    for f in sorted(glob.glob(f"{d}/{name}.*.out.json")):
        o = json.load(open(f))
        head = torch.tensor(o["logitsHead"])
        emit(bench="check", config=name, against=o["backend"], torch_loss=loss.item(), tfjs_loss=o["loss"],
             loss_absdiff=abs(loss.item() - o["loss"]),
             logits_head_maxabsdiff=(flat[: head.numel()] - head).abs().max().item(),
             logits_sumabs_reldiff=abs(flat.abs().sum().item() - o["logitsSumAbs"]) / flat.abs().sum().item(),
             grad_norm_reldiff={k: abs(v - o["gradNorms"][k]) / max(v, 1e-12) for k, v in gn.items()},
             tfjs_finite=o["finite"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", default="", help="dir written by tfjs_bench.mjs --what check")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--configs", default="base,small,sudoku")
    ap.add_argument("--what", default="matmul,train,fwd")
    ap.add_argument("--act", default="relu")
    ap.add_argument("--tag", default="")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.check:
        for name in a.configs.split(","):
            run_check(a.check, name, a.act)
        return
    what = a.what.split(",")
    common = dict(engine="torch" + torch.__version__, threads=a.threads, tag=a.tag)

    if "matmul" in what:
        x = torch.randn(1024, 1024)
        y = torch.randn(1024, 1024)
        med, mn, mx, ts = median_ms(lambda: torch.matmul(x, y), max(a.reps, 7), 2)
        emit(**common, bench="matmul1024", ms=med, min=mn, max=mx,
             gflops=2 * 1024 ** 3 / (med / 1000) / 1e9, runs=[round(t, 2) for t in ts])

    for name in a.configs.split(","):
        c = CONFIGS[name]
        gen = torch.Generator().manual_seed(1)
        model = RotaryTransformerMLM(c["V"], c["d"], c["L"], c["H"], c["ffn"], a.act)
        nparams = sum(p.numel() for p in model.parameters())
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
        inp, attn, targets = make_batch(c, gen)
        losses = []

        def step():
            model.train()
            opt.zero_grad(set_to_none=True)
            loss = mlm_loss(model(inp, attn), targets)
            loss.backward()
            opt.step()
            losses.append(loss.item())

        def fwd():
            model.eval()
            with torch.no_grad():
                out = model(inp, attn)
            return out

        if "train" in what:
            med, mn, mx, ts = median_ms(step, a.reps, a.warmup)
            emit(**common, bench="train", config=name, params=nparams, ms=med, min=mn, max=mx,
                 runs=[round(t, 1) for t in ts], loss_first=losses[0], loss_last=losses[-1])
        if "fwd" in what:
            med, mn, mx, ts = median_ms(fwd, a.reps, a.warmup)
            emit(**common, bench="fwd", config=name, params=nparams, ms=med, min=mn, max=mx,
                 runs=[round(t, 1) for t in ts])


if __name__ == "__main__":
    main()
