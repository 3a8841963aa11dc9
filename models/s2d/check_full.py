"""Full-size (ViT-B, 16 x 224 x 224) parity and cost check with random weights.

  cd models && .venv/bin/python -m s2d.check_full [--out-dir ../.cache/s2d] [--no-int8] [--runs 3]

Exports the official-size graph, checks onnxruntime against PyTorch (max abs logit diff, must be
<= 1e-4), then reports export time, file size and single-window latency (N=1) of fp32 and, unless
--no-int8, of the int8 dynamic-quantised model with its drift. Everything printed is measured in
this run. Output files stay under --out-dir (gitignored .cache/ by default).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from .config import get_config
from .export import PARITY_TOLERANCE, int8_path
from .model import S2DWindowed
from .onnx_export import (REPO_ROOT, Timer, contract_metadata, drift, export_onnx, face_windows, file_mb, log,
                          quantize_int8, random_windows, session, torch_logits)
from .random_weights import randomize_
from .labels import dataset_info


def latency(sess, x: np.ndarray, runs: int) -> dict[str, float]:
    sess.run(["logits"], {"frames": x})  # warm-up
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        sess.run(["logits"], {"frames": x})
        times.append(time.perf_counter() - t0)
        log(f"  run {i + 1}/{runs}: {times[-1]:.2f} s")
    return {"median_s": round(float(np.median(times)), 2), "min_s": round(min(times), 2)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m s2d.check_full", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", default=str(REPO_ROOT / ".cache" / "s2d"))
    p.add_argument("--config", default="vit-b", choices=["vit-b", "tiny"])
    p.add_argument("--runs", type=int, default=3, help="timed runs per model (after one warm-up)")
    p.add_argument("--threads", type=int, default=0, help="onnxruntime intra-op threads (0 = default)")
    p.add_argument("--no-int8", action="store_true")
    args = p.parse_args(argv)

    info = dataset_info("dfew")
    cfg = get_config(args.config, num_classes=len(info.labels))
    out = Path(args.out_dir) / f"s2d-random-{args.config}.onnx"
    report: dict = {"config": args.config, "onnx": str(out)}
    with Timer(f"building {args.config} with random weights"):
        model = randomize_(S2DWindowed(cfg)).eval()
    meta = contract_metadata(cfg, name=f"s2d-random-{args.config}", labels=list(info.labels), dataset="none",
                             source="random untrained weights; models/s2d/check_full.py",
                             description="RANDOM UNTRAINED WEIGHTS with the S2D architecture, for checks only.")
    with Timer(f"exporting {out}") as t:
        export_onnx(model, out, meta)
    report.update(export_s=round(t.seconds, 1), size_mb=round(file_mb(out), 1))

    x = random_windows(cfg, 1, seed=1)
    with Timer("PyTorch forward, 1 window") as t:
        ref = torch_logits(model, x)
    report["torch_forward_s"] = round(t.seconds, 2)
    fp32 = session(out, args.threads or None)
    got = fp32.run(["logits"], {"frames": x})[0]
    diff = float(np.abs(got - ref).max())
    report["parity_max_abs_diff"] = diff
    report["logit_scale"] = float(np.abs(ref).max())
    log(f"parity: max |onnx - torch| = {diff:.2e} (logits up to {report['logit_scale']:.2f}; tolerance 1e-4)")

    log(f"fp32 single-window latency ({args.runs} runs):")
    report["fp32_latency"] = latency(fp32, x, args.runs)
    if not args.no_int8:
        q = int8_path(out)
        with Timer(f"int8 quantisation to {q}") as t:
            quantize_int8(out, q)
        report.update(int8_s=round(t.seconds, 1), int8_size_mb=round(file_mb(q), 1))
        int8 = session(q, args.threads or None)
        log(f"int8 single-window latency ({args.runs} runs):")
        report["int8_latency"] = latency(int8, x, args.runs)
        report["int8_drift"] = {"random": drift(got, int8.run(["logits"], {"frames": x})[0])}
        faces = face_windows(cfg, 1)
        if faces is not None:
            report["int8_drift"]["face"] = drift(fp32.run(["logits"], {"frames": faces})[0],
                                                 int8.run(["logits"], {"frames": faces})[0])
    print(json.dumps(report, indent=2))
    return 0 if diff <= PARITY_TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
