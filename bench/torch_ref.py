#!/usr/bin/python3
"""ResonanceNet V5 in PyTorch: an independent check of rnt's model math and a speed yardstick.

Written from docs/PROTOCOL.md section 3 alone (no code shared with the TypeScript model):

  check   load a .rnet checkpoint, compute the consensus validation loss of a network's bundled
          validation set (windows of W bytes from zero state, mean cross-entropy over the W-1
          predictions of every window) in float64 and float32, and compare with --expect.
  grad    compare a gradient exported by bench/_export_rnet.ts (CPU reference or WebGPU
          backward) with PyTorch's float64 autograd, tensor by tensor.
  time    time a PyTorch training step (forward, backward, clipping, AdamW) and an evaluation
          pass on a config, and print rnt's tokens/s (--ours-train / --ours-eval, or read from
          the JSON that bench/model_bench.ts writes) as a ratio of PyTorch's.
  drive   the whole comparison: makes a trained regtest checkpoint and a testnet genesis
          checkpoint with `deno run ... main.ts model init/train`, evaluates them with
          `model eval --json`, runs `check` and `grad` (CPU and GPU) on both, runs bench/model_bench.ts (testnet cases)
          and `time` on the testnet config right after it, and prints both losses, their
          relative difference and rnt's tokens/s as ratios of PyTorch's.

Needs Debian's python3-torch (`apt-get install -y python3-torch libopenblas0-pthread`); run
it with /usr/bin/python3. See bench/README.md.
"""
import argparse
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "core" / "data"
VOCAB, SLOTS, SLOT_KEY, FFN_MULT = 256, 64, 32, 4
CONV_KERNELS = (3, 7, 15, 31, 63)
MAX_KERNEL = CONV_KERNELS[-1]
RMS_EPS = 1e-5
WINDOWS = {"regtest": 64, "testnet": 256, "mainnet": 512}
GENESIS = {"regtest": (16, 1), "testnet": (128, 2), "mainnet": (384, 6)}
DEFAULT_BENCH_JSON = Path(os.environ.get("TMPDIR", "/tmp")) / "rnt-model-bench.json"


# --- .rnet ----------------------------------------------------------------------------------

def canonical_shapes(d, n_layers):
    """(name, shape) of every tensor in canonical order (PROTOCOL.md 3.2)."""
    f = FFN_MULT * d
    layer = [("conv.norm", [d])]
    layer += [(f"conv.w{k}", [k, d]) for k in CONV_KERNELS]
    layer += [
        ("conv.gain", [len(CONV_KERNELS), d]),
        ("gru.norm", [d]), ("gru.wz", [d, d]), ("gru.wh", [d, d]), ("gru.wo", [d, d]),
        ("mem.norm", [d]), ("mem.wq", [SLOT_KEY, d]), ("mem.keys", [SLOTS, SLOT_KEY]),
        ("mem.values", [d, SLOTS]),
        ("ffn.norm", [d]), ("ffn.w1", [f, d]), ("ffn.w3", [f, d]), ("ffn.w2", [d, f]),
    ]
    out = [("embed", [VOCAB, d])]
    for i in range(n_layers):
        out += [(f"layers.{i}.{name}", shape) for name, shape in layer]
    out.append(("final_norm", [d]))
    return out


def read_rnet(path):
    """Parses a .rnet file: returns (d, L, {name: float32 tensor}). Strict, like the node."""
    data = Path(path).read_bytes()
    if data[:4] != b"RNET":
        raise ValueError(f"{path}: magic is not RNET")
    version, d, n_layers, count = struct.unpack_from("<4I", data, 4)
    if version != 1:
        raise ValueError(f"{path}: version {version}, expected 1")
    specs = canonical_shapes(d, n_layers)
    if count != len(specs):
        raise ValueError(f"{path}: {count} tensors, expected {len(specs)}")
    p, tensors = 20, {}
    for name, shape in specs:
        name_len = data[p]
        got = data[p + 1:p + 1 + name_len].decode("ascii")
        p += 1 + name_len
        ndims = data[p]
        dims = list(struct.unpack_from(f"<{ndims}I", data, p + 1))
        p += 1 + 4 * ndims
        if got != name or dims != shape:
            raise ValueError(f"{path}: tensor {got} {dims}, expected {name} {shape}")
        n = math.prod(shape)
        values = struct.unpack_from(f"<{n}f", data, p)
        p += 4 * n
        t = torch.tensor(values, dtype=torch.float32).reshape(shape)
        if not torch.isfinite(t).all():
            raise ValueError(f"{path}: tensor {name} has a non-finite value")
        tensors[name] = t
    if p != len(data):
        raise ValueError(f"{path}: {len(data) - p} trailing bytes")
    return d, n_layers, tensors


def genesis_like(d, n_layers, seed=0):
    """Random weights with roughly the genesis scales (for timing only; not the genesis bytes)."""
    gen = torch.Generator().manual_seed(seed)
    r = 4 * n_layers
    out = {}
    for name, shape in canonical_shapes(d, n_layers):
        base = name.split(".", 2)[-1] if name.startswith("layers.") else name
        if base.endswith("norm"):
            out[name] = torch.ones(shape)
            continue
        if base == "conv.gain":
            out[name] = torch.full(shape, 1 / math.sqrt(5 * r))
            continue
        fan = {"gru.wo": r * d, "mem.values": r * SLOTS, "ffn.w2": r * 4 * d, "mem.keys": 1}
        scale = 1 / math.sqrt(int(base[6:]) if base.startswith("conv.w") else fan.get(base, d))
        out[name] = (torch.rand(shape, generator=gen) * 2 - 1) * scale
    return out


# --- the model (PROTOCOL.md 3.1) ---------------------------------------------------------------

def rmsnorm(x, g):
    """x / sqrt((sum x^2 + 1e-5) / d) * g: epsilon on the SUM of squares."""
    return x * torch.rsqrt((x.pow(2).sum(-1, keepdim=True) + RMS_EPS) / x.shape[-1]) * g


def causal_conv(n, P, prefix):
    """sum_b gain[b] * sum_{j<K_b} w_K[j] * n[t-j], depthwise, zero before the window."""
    d, T = n.shape[-1], n.shape[1]
    gain = P[prefix + "conv.gain"]
    weff = sum(
        F.pad(gain[b:b + 1] * P[f"{prefix}conv.w{k}"], (0, 0, 0, MAX_KERNEL - k))
        for b, k in enumerate(CONV_KERNELS)
    )  # [63, d], row j = lag j
    x = F.pad(n.transpose(1, 2), (MAX_KERNEL - 1, 0))  # [B, d, 62 + T]
    kernel = weff.flip(0).t().unsqueeze(1)  # conv1d correlates: tap 62 - j is lag j
    return F.conv1d(x, kernel, groups=d)[:, :, :T].transpose(1, 2)


def log_g(u):
    """log g(u), g(u) = u + 0.5 for u >= 0 else sigmoid(u)."""
    return torch.where(u >= 0, torch.log(u.clamp_min(0) + 0.5), -F.softplus(-u))


def mingru(k, u):
    """s_t = (1 - z) s_{t-1} + z g(u), s_{-1} = 0, z = sigmoid(k), as a log-space parallel scan:
    log s_t = A_t + logcumsumexp(log b - A)_t with A = cumsum(log(1 - z)), b = z g(u)."""
    log_a = -F.softplus(k)
    log_b = -F.softplus(-k) + log_g(u)
    a_star = torch.cumsum(log_a, dim=1)
    return torch.exp(a_star + torch.logcumsumexp(log_b - a_star, dim=1))


def forward_logits(P, tokens, n_layers):
    """Logits [B, T, 256] of windows `tokens` [B, T] (each from zero state)."""
    h = P["embed"][tokens]
    for i in range(n_layers):
        p = f"layers.{i}."
        h = h + causal_conv(rmsnorm(h, P[p + "conv.norm"]), P, p)
        n = rmsnorm(h, P[p + "gru.norm"])
        s = mingru(n @ P[p + "gru.wz"].t(), n @ P[p + "gru.wh"].t())
        h = h + s @ P[p + "gru.wo"].t()
        n = rmsnorm(h, P[p + "mem.norm"])
        scores = (n @ P[p + "mem.wq"].t()) @ P[p + "mem.keys"].t()
        h = h + torch.softmax(scores / math.sqrt(SLOT_KEY), dim=-1) @ P[p + "mem.values"].t()
        n = rmsnorm(h, P[p + "ffn.norm"])
        h = h + (F.silu(n @ P[p + "ffn.w1"].t()) * (n @ P[p + "ffn.w3"].t())) @ P[p + "ffn.w2"].t()
    return rmsnorm(h, P["final_norm"]) @ P["embed"].t()


def window_losses(P, tokens, n_layers):
    """Per-prediction cross-entropy [B, T-1] (bytes 1..T-1 of each window)."""
    logits = forward_logits(P, tokens, n_layers)
    return F.cross_entropy(
        logits[:, :-1].reshape(-1, VOCAB), tokens[:, 1:].reshape(-1), reduction="none"
    ).reshape(tokens.shape[0], -1)


def as_windows(data, window):
    count = len(data) // window
    if count < 1:
        raise ValueError(f"{len(data)} bytes hold no {window}-byte window")
    return torch.tensor(list(data[:count * window]), dtype=torch.long).reshape(count, window)


@torch.no_grad()
def validation_loss(P, n_layers, data, window, dtype, per_batch=32):
    """Consensus loss: mean over all (W-1) * floor(len/W) predictions, summed in float64."""
    Pd = {k: v.to(dtype) for k, v in P.items()}
    windows = as_windows(data, window)
    total, count = 0.0, 0
    for i in range(0, windows.shape[0], per_batch):
        losses = window_losses(Pd, windows[i:i + per_batch], n_layers)
        total += losses.double().sum().item()
        count += losses.numel()
    return total / count


# --- commands ---------------------------------------------------------------------------------

def validation_bytes(network, data_path=None):
    return Path(data_path or DATA / f"validation-{network}.txt").read_bytes()


def cmd_check(args):
    d, n_layers, P = read_rnet(args.rnet)
    data = validation_bytes(args.network, args.data)
    window = args.window or WINDOWS[args.network]
    t0 = time.perf_counter()
    loss64 = validation_loss(P, n_layers, data, window, torch.float64)
    secs = time.perf_counter() - t0
    loss32 = validation_loss(P, n_layers, data, window, torch.float32)
    result = {"rnet": str(args.rnet), "d_model": d, "layers": n_layers, "window": window,
              "torch_loss_f64": loss64, "torch_loss_f32": loss32, "seconds_f64": secs}
    if args.expect is not None:
        result["rnt_loss"] = args.expect
        result["rel_diff_f64"] = abs(args.expect - loss64) / abs(loss64)
        result["rel_diff_f32"] = abs(args.expect - loss32) / abs(loss32)
    print(json.dumps(result, indent=2))
    if args.expect is not None and result["rel_diff_f64"] > args.tolerance:
        print(f"MISMATCH: relative difference {result['rel_diff_f64']:.3e} > {args.tolerance}",
              file=sys.stderr)
        return 1
    return 0


def torch_gradients(P, n_layers, tokens):
    """Loss and float64 autograd gradients of the mean next-byte loss of windows `tokens`."""
    Pd = {k: v.double().requires_grad_(True) for k, v in P.items()}
    loss = window_losses(Pd, tokens, n_layers).mean()
    loss.backward()
    return loss.item(), {k: v.grad for k, v in Pd.items()}


def compare_gradients(P, n_layers, grad_path, tokens):
    """Worst per-tensor relative L2 error ||g_rnt - g_torch|| / ||g_torch|| and its tensor."""
    _, _, ours = read_rnet(grad_path)
    loss, theirs = torch_gradients(P, n_layers, tokens)
    worst, worst_name = 0.0, None
    for name, g in theirs.items():
        err = ((ours[name].double() - g).norm() / g.norm().clamp_min(1e-30)).item()
        if err > worst:
            worst, worst_name = err, name
    return loss, worst, worst_name


def cmd_grad(args):
    d, n_layers, P = read_rnet(args.rnet)
    window = args.window or WINDOWS[args.network]
    tokens = as_windows(validation_bytes(args.network), window)[:args.windows]
    loss, worst, name = compare_gradients(P, n_layers, args.grad, tokens)
    print(json.dumps({"torch_loss_f64": loss, "worst_rel_l2": worst, "worst_tensor": name},
                     indent=2))
    return 0 if worst <= args.tolerance else 1


def export_gradients(rnet, out, network, windows, device):
    """rnt's gradient via bench/_export_rnet.ts; returns its loss."""
    cmd = ["deno", "run", "--allow-read", "--allow-write", "--allow-env", "--allow-ffi",
           "bench/_export_rnet.ts", "--in", str(rnet), "--out", str(out), "--network", network,
           "--windows", str(windows), "--device", device]
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    done = subprocess.run(cmd, cwd=ROOT, env=deno_env(), stdout=subprocess.PIPE, check=True)
    return json.loads(done.stdout)["loss"]


def decays(name):
    return not name.endswith("norm") and not name.endswith("conv.gain")


def time_torch(d, n_layers, window, batch, steps, network, eval_windows):
    """PyTorch float32 tokens/s: a training step (forward, backward, clip, AdamW) and an eval
    pass over `eval_windows` windows of the network's validation text."""
    P = {k: v.clone().requires_grad_(True) for k, v in genesis_like(d, n_layers).items()}
    opt = torch.optim.AdamW(
        [{"params": [v for k, v in P.items() if decays(k)], "weight_decay": 0.01},
         {"params": [v for k, v in P.items() if not decays(k)], "weight_decay": 0.0}],
        lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    text = validation_bytes(network)
    train_tokens = as_windows(text, window)[:batch]

    def step():
        opt.zero_grad(set_to_none=True)
        loss = window_losses(P, train_tokens, n_layers).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(P.values()), 1.0)
        opt.step()

    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    train_secs = (time.perf_counter() - t0) / steps
    frozen = {k: v.detach() for k, v in P.items()}
    windows = as_windows(text, window)[:eval_windows]
    with torch.no_grad():
        window_losses(frozen, windows[:1], n_layers)  # warm-up
        t0 = time.perf_counter()
        for i in range(0, windows.shape[0], 32):
            window_losses(frozen, windows[i:i + 32], n_layers)
        eval_secs = time.perf_counter() - t0
    return {"train_tokens_per_sec": batch * window / train_secs,
            "eval_tokens_per_sec": windows.numel() / eval_secs,
            "train_batch": batch, "eval_tokens": windows.numel(),
            "threads": torch.get_num_threads()}


def ours_from_bench_json(path, network):
    """rnt's WebGPU tokens/s from bench/model_bench.ts's JSON, if present."""
    try:
        cases = json.loads(Path(path).read_text())["cases"]
    except (OSError, ValueError, KeyError):
        return None, None

    def tps(name):
        c = cases.get(name) or {}
        v = c.get("tokens_per_sec")
        return v if isinstance(v, (int, float)) and math.isfinite(v) else None
    return tps(f"train WebGPU ({network})"), tps(f"eval WebGPU ({network})")


def speed_report(torch_tps, ours_train, ours_eval):
    out = dict(torch_tps)
    for key, ours in (("train", ours_train), ("eval", ours_eval)):
        if ours:
            out[f"rnt_{key}_tokens_per_sec"] = ours
            out[f"rnt_{key}_ratio_of_torch"] = ours / torch_tps[f"{key}_tokens_per_sec"]
    return out


def cmd_eval_time(args):
    """Seconds of one float32 validation pass over the first --bytes of the network's set
    (the yardstick of bench/exact_eval_bench.ts); prints one JSON line."""
    d, n_layers, P = read_rnet(args.rnet)
    window = args.window or WINDOWS[args.network]
    data = validation_bytes(args.network)[:args.bytes]
    t0, c0 = time.perf_counter(), time.process_time()
    loss = validation_loss(P, n_layers, data, window, torch.float32)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"seconds": secs, "cpu_seconds": cpu, "loss": loss, "config": f"{d}x{n_layers}",
                      "tokens": len(data) // window * window,
                      "threads": torch.get_num_threads()}))


def cmd_time(args):
    d, n_layers = (int(x) for x in args.config.split("x"))
    window = args.window or WINDOWS[args.network]
    torch_tps = time_torch(d, n_layers, window, args.batch, args.steps, args.network,
                           args.eval_windows)
    bench_train, bench_eval = ours_from_bench_json(args.bench_json, args.network)
    print(json.dumps(speed_report(torch_tps, args.ours_train or bench_train,
                                  args.ours_eval or bench_eval), indent=2))
    return 0


def deno_env(**extra):
    env = dict(os.environ)
    env.setdefault("XDG_RUNTIME_DIR", "/tmp/xdg")
    env.setdefault("DENO_WEBGPU_BACKEND", "vulkan")
    env["NO_COLOR"] = "1"
    env.update(extra)
    Path(env["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    return env


def rnt(*argv):
    """Runs `deno run ... main.ts model ARGV --json` and returns its JSON output."""
    cmd = ["deno", "run", "--allow-read", "--allow-write", "--allow-env", "--allow-ffi",
           "--allow-net", "main.ts", "model", *argv, "--json"]
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    done = subprocess.run(cmd, cwd=ROOT, env=deno_env(), stdout=subprocess.PIPE, check=True)
    return json.loads(done.stdout)


def run_model_bench(json_path):
    """Runs bench/model_bench.ts (testnet cases only) so rnt's tokens/s come from this run."""
    cmd = ["deno", "bench", "--allow-read", "--allow-write", "--allow-env", "--allow-ffi",
           "bench/model_bench.ts"]
    print("$ RNT_BENCH_MAINNET=0", " ".join(cmd), file=sys.stderr, flush=True)
    env = deno_env(RNT_BENCH_MAINNET="0", RNT_MODEL_BENCH_JSON=str(json_path))
    subprocess.run(cmd, cwd=ROOT, env=env, stdout=sys.stderr, check=True)


def cmd_drive(args):
    work = Path(args.workdir or tempfile.mkdtemp(prefix="rnt-torch-ref-"))
    work.mkdir(parents=True, exist_ok=True)
    regtest, testnet = work / "regtest-trained.rnet", work / "testnet-genesis.rnet"
    trained = rnt("train", "--regtest", "--out", str(regtest), "--steps", str(args.train_steps),
                  "--batch", "8")
    rnt("init", "--testnet", "--out", str(testnet))
    rows, worst = [], 0.0
    for network, path in (("regtest", regtest), ("testnet", testnet)):
        ours = rnt("eval", f"--{network}", "--in", str(path))
        d, n_layers, P = read_rnet(path)
        data = validation_bytes(network)
        window = WINDOWS[network]
        loss64 = validation_loss(P, n_layers, data, window, torch.float64)
        loss32 = validation_loss(P, n_layers, data, window, torch.float32)
        rel = abs(ours["f32_loss"] - loss64) / loss64
        worst = max(worst, rel)
        rows.append({"network": network, "config": f"{d}x{n_layers}", "rnt_loss": ours["f32_loss"],
                     "rnt_evaluator": ours["f32_evaluator"], "torch_loss_f64": loss64,
                     "torch_loss_f32": loss32, "rel_diff_f64": rel,
                     "rel_diff_f32": abs(ours["f32_loss"] - loss32) / loss32,
                     "rnt_eval_tokens_per_sec": ours["f32_tokens_per_sec"]})
    grad_rows = []
    for network, path in (("regtest", regtest), ("testnet", testnet)):
        d, n_layers, P = read_rnet(path)
        tokens = as_windows(validation_bytes(network), WINDOWS[network])[:args.grad_windows]
        for device in ("cpu", "gpu"):
            out = work / f"{network}-grad-{device}.rnet"
            loss = export_gradients(path, out, network, args.grad_windows, device)
            torch_loss, err, name = compare_gradients(P, n_layers, out, tokens)
            grad_rows.append({"network": network, "device": device, "rnt_loss": loss,
                              "torch_loss_f64": torch_loss, "worst_rel_l2": err,
                              "worst_tensor": name})
    bench_json = Path(args.bench_json) if args.skip_bench else work / "model-bench.json"
    if not args.skip_bench:
        run_model_bench(bench_json)
    d, n_layers = GENESIS["testnet"]
    torch_tps = time_torch(d, n_layers, WINDOWS["testnet"], args.batch, args.steps, "testnet",
                           args.eval_windows)
    bench_train, bench_eval = ours_from_bench_json(bench_json, "testnet")
    speed = speed_report(torch_tps, bench_train, bench_eval)
    speed["rnt_source"] = str(bench_json)
    # The full validation pass of `model eval` (upload, every window, read-backs) as well.
    full_eval = rows[1]["rnt_eval_tokens_per_sec"]
    speed["rnt_model_eval_cli_tokens_per_sec"] = full_eval
    speed["rnt_model_eval_cli_ratio_of_torch"] = full_eval / torch_tps["eval_tokens_per_sec"]
    print(f"\nregtest training: {trained['steps']} steps, train loss {trained['train_loss']}")
    print(f"{'network':8} {'config':7} {'rnt loss':>12} {'torch f64':>12} {'torch f32':>12}"
          f" {'rel diff':>10}")
    for r in rows:
        print(f"{r['network']:8} {r['config']:7} {r['rnt_loss']:12.8f} {r['torch_loss_f64']:12.8f}"
              f" {r['torch_loss_f32']:12.8f} {r['rel_diff_f64']:10.2e}   ({r['rnt_evaluator']})")
    print(f"\ngradients of the mean loss of {args.grad_windows} validation windows"
          " (relative L2 error of the worst tensor vs PyTorch float64 autograd):")
    for g in grad_rows:
        print(f"  {g['network']:8} {g['device']:4} loss {g['rnt_loss']:.8f} vs"
              f" {g['torch_loss_f64']:.8f}  worst {g['worst_rel_l2']:.2e} ({g['worst_tensor']})")
    print("\nspeed, testnet config 128x2 W256 (rnt / PyTorch):")
    print(json.dumps(speed, indent=2))
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps({"losses": rows, "gradients": grad_rows, "speed": speed}, indent=2))
    worst_grad = max(g["worst_rel_l2"] for g in grad_rows)
    ok = worst <= args.tolerance and worst_grad <= args.grad_tolerance
    print(f"\n{'OK' if ok else 'MISMATCH'}: worst relative loss difference {worst:.2e}"
          f" (tolerance {args.tolerance:.0e}), worst gradient error {worst_grad:.2e}"
          f" (tolerance {args.grad_tolerance:.0e})")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int,
                    help="PyTorch intra-op threads (default: PyTorch's own choice; on a shared "
                         "two-core machine more than one thread spins in OpenMP and runs ~5x "
                         "slower)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="validation loss of a .rnet in PyTorch")
    c.add_argument("--rnet", required=True)
    c.add_argument("--network", choices=WINDOWS, default="regtest")
    c.add_argument("--data", help="validation text (default: the network's bundled one)")
    c.add_argument("--window", type=int)
    c.add_argument("--expect", type=float, help="rnt's loss to compare with")
    c.add_argument("--tolerance", type=float, default=1e-4)
    e = sub.add_parser("eval-time", help="seconds of a float32 validation pass (one JSON line)")
    e.add_argument("--rnet", required=True)
    e.add_argument("--network", choices=WINDOWS, default="mainnet")
    e.add_argument("--window", type=int)
    e.add_argument("--bytes", type=int, default=65536)
    g = sub.add_parser("grad", help="compare an exported rnt gradient with PyTorch's")
    g.add_argument("--rnet", required=True)
    g.add_argument("--grad", required=True, help="gradient from bench/_export_rnet.ts")
    g.add_argument("--network", choices=WINDOWS, default="regtest")
    g.add_argument("--window", type=int)
    g.add_argument("--windows", type=int, default=4)
    g.add_argument("--tolerance", type=float, default=1e-3)
    for p in (sub.add_parser("time", help="PyTorch tokens/s vs rnt's"),
              sub.add_parser("drive", help="the whole comparison (see bench/README.md)")):
        p.add_argument("--batch", type=int, default=2, help="training windows per step")
        p.add_argument("--steps", type=int, default=3, help="timed training steps")
        p.add_argument("--eval-windows", type=int, default=256)
        p.add_argument("--bench-json", default=str(DEFAULT_BENCH_JSON),
                       help="bench/model_bench.ts output with rnt's tokens/s (time, and drive "
                            "with --skip-bench)")
    t = sub.choices["time"]
    t.add_argument("--config", default="128x2")
    t.add_argument("--network", choices=WINDOWS, default="testnet")
    t.add_argument("--window", type=int)
    t.add_argument("--ours-train", type=float, help="rnt training tokens/s")
    t.add_argument("--ours-eval", type=float, help="rnt eval tokens/s")
    dr = sub.choices["drive"]
    dr.add_argument("--workdir")
    dr.add_argument("--train-steps", type=int, default=60)
    dr.add_argument("--tolerance", type=float, default=1e-4)
    dr.add_argument("--json-out")
    dr.add_argument("--grad-windows", type=int, default=2)
    dr.add_argument("--grad-tolerance", type=float, default=1e-3)
    dr.add_argument("--skip-bench", action="store_true",
                    help="use --bench-json instead of running bench/model_bench.ts now")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    commands = {"check": cmd_check, "grad": cmd_grad, "time": cmd_time, "drive": cmd_drive,
                "eval-time": cmd_eval_time}
    return commands[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
