"""Export S2D to ONNX following models/WINDOWED_CONTRACT.md (input `frames` [N,T,3,H,W], output
`logits` [N,C], `moodroom.*` metadata).

Official weights (run from models/):
  .venv/bin/python -m s2d.export --checkpoint <s2d.pth> --landmark <mobilefacenet_model_best.pth.tar> \
      --dataset dfew --out s2d-dfew.onnx [--int8]
Random weights, for speed benchmarks only (keep them out of git, e.g. under .cache/):
  .venv/bin/python -m s2d.export --random-weights --config vit-b --out ../.cache/s2d-random.onnx --int8

--int8 also writes <out stem>.int8.onnx (dynamic int8 MatMul weights) and reports its drift against
fp32 (max abs logit difference, top-1 agreement) on random and real-face windows. A JSON summary
(paths, sizes, parity, drift, timings) is printed to stdout; progress goes to stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from .checkpoint import CheckpointError, config_from_state_dict, extract_state_dict, load_official, read_checkpoint
from .config import get_config
from .labels import dataset_info
from .model import S2DWindowed
from .onnx_export import (Timer, contract_metadata, drift, export_onnx, face_windows, file_mb, log,
                          quantize_int8, random_windows, session, torch_logits)
from .random_weights import randomize_

PARITY_TOLERANCE = 1e-4


def int8_path(out: Path) -> Path:
    return out.with_name(out.name[:-5] + ".int8.onnx" if out.name.endswith(".onnx") else out.name + ".int8.onnx")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m s2d.export", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", help="official S2D fine-tuned checkpoint (.pth)")
    p.add_argument("--landmark", help="official MobileFaceNet landmark checkpoint (mobilefacenet_model_best.pth.tar)")
    p.add_argument("--dataset", choices=["dfew", "ferv39k", "mafw"],
                   help="dataset the checkpoint was fine-tuned on (sets the label order); "
                        "with --random-weights it only picks the head size (default dfew)")
    p.add_argument("--out", required=True, help="output .onnx path")
    p.add_argument("--int8", action="store_true", help="also write <out stem>.int8.onnx and report its drift")
    p.add_argument("--random-weights", action="store_true", help="untrained random weights (benchmarks only)")
    p.add_argument("--config", default="vit-b", choices=["vit-b", "tiny"],
                   help="model size for --random-weights (checkpoints carry their own size)")
    p.add_argument("--seed", type=int, default=0, help="seed for --random-weights")
    p.add_argument("--skip-check", action="store_true", help="skip the onnxruntime-vs-PyTorch parity check")
    p.add_argument("--allow-pickle", action="store_true",
                   help="unpickle checkpoints fully (only for files you trust) if the safe loader refuses them")
    args = p.parse_args(argv)
    if args.random_weights:
        if args.checkpoint or args.landmark:
            p.error("--random-weights takes no --checkpoint/--landmark")
        args.dataset = args.dataset or "dfew"
    else:
        missing = [f for f in ("checkpoint", "landmark", "dataset") if not getattr(args, f)]
        if missing:
            p.error("official export needs " + ", ".join("--" + m for m in missing) +
                    " (or pass --random-weights for a benchmark-only model)")
    return args


def build(args) -> tuple[S2DWindowed, dict[str, str]]:
    info = dataset_info(args.dataset)
    if args.random_weights:
        cfg = get_config(args.config, num_classes=len(info.labels))
        model = randomize_(S2DWindowed(cfg), args.seed)
        meta = contract_metadata(
            cfg, name=f"s2d-random-{args.config}", labels=list(info.labels), dataset="none",
            source=f"random untrained weights (seed {args.seed}) with S2D's architecture; models/s2d/export.py",
            description="RANDOM UNTRAINED WEIGHTS with the S2D architecture (ViT + landmark prompts + "
                        "temporal adapters + MobileFaceNet) for speed benchmarks only: outputs are meaningless.")
        return model.eval(), meta
    with Timer("reading checkpoints"):
        s2d_sd = extract_state_dict(read_checkpoint(args.checkpoint, args.allow_pickle),
                                    f"S2D checkpoint {args.checkpoint}")
        lm_sd = extract_state_dict(read_checkpoint(args.landmark, args.allow_pickle),
                                   f"MobileFaceNet checkpoint {args.landmark}")
    cfg = config_from_state_dict(s2d_sd)
    if cfg.num_classes != len(info.labels):
        raise CheckpointError(f"the checkpoint's head has {cfg.num_classes} classes but --dataset {args.dataset} "
                              f"has {len(info.labels)}; pick the dataset the checkpoint was fine-tuned on")
    model = S2DWindowed(cfg)
    load_official(model, s2d_sd, lm_sd)
    uar, war = info.paper_uar_war
    size = "ViT-B/16" if (cfg.embed_dim, cfg.depth, cfg.patch_size) == (768, 12, 16) else \
        f"ViT (dim {cfg.embed_dim}, depth {cfg.depth}, patch {cfg.patch_size})"
    meta = contract_metadata(
        cfg, name=f"s2d-{info.key}", labels=list(info.labels), dataset=info.key,
        source=f"official S2D checkpoint {Path(args.checkpoint).name} (github.com/MSA-LMC/S2D, "
               f"huggingface.co/cyinen/S2D) + MobileFaceNet {Path(args.landmark).name}; "
               "converted by models/s2d/export.py",
        description=f"S2D (Chen et al., arXiv 2312.05447): {size} with landmark-aware prompts (frozen "
                    f"MobileFaceNet inside the graph) and temporal adapters, fine-tuned on {info.key.upper()} "
                    f"(paper UAR/WAR {uar}/{war}). Trained on {cfg.num_frames}-frame face clips sampled across "
                    "whole excerpts; gives estimates of displayed expressions, not of felt emotions.")
    return model.eval(), meta


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    summary: dict = {"out": str(out)}
    try:
        with Timer("building S2D (" + (f"{args.config}, random weights" if args.random_weights else "official weights") + ")"):
            model, meta = build(args)
    except (CheckpointError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    cfg = model.cfg
    with Timer(f"exporting ONNX to {out} (ViT-B: about a minute)") as t:
        export_onnx(model, out, meta)
    summary.update(export_s=round(t.seconds, 1), size_mb=round(file_mb(out), 1))
    log(f"wrote {out} ({summary['size_mb']} MB)")

    if not args.skip_check:
        with Timer("parity check: onnxruntime vs PyTorch on 2 random windows") as t:
            x = random_windows(cfg, 2, seed=1)
            ref = torch_logits(model, x)
            got = session(out).run(["logits"], {"frames": x})[0]
        diff = float(np.abs(got - ref).max())
        summary["parity_max_abs_diff"] = diff
        log(f"parity: max |onnx - torch| = {diff:.2e} (tolerance {PARITY_TOLERANCE:g})")
        if not diff <= PARITY_TOLERANCE:
            out.unlink()
            print(f"error: ONNX output differs from PyTorch by {diff:.2e} > {PARITY_TOLERANCE:g}; removed {out}. "
                  "Report this with your torch/onnxruntime versions.", file=sys.stderr)
            return 3

    if args.int8:
        q = int8_path(out)
        with Timer(f"int8 dynamic quantisation to {q}") as t:
            quantize_int8(out, q)
        summary.update(int8_out=str(q), int8_s=round(t.seconds, 1), int8_size_mb=round(file_mb(q), 1))
        with Timer("int8 drift vs fp32 on random and real-face windows"):
            fp32, int8 = session(out), session(q)
            inputs = {"random": random_windows(cfg, 2, seed=2)}
            faces = face_windows(cfg, 2)
            if faces is not None:
                inputs["face"] = faces
            summary["int8_drift"] = {}
            for kind, x in inputs.items():
                d = drift(fp32.run(["logits"], {"frames": x})[0], int8.run(["logits"], {"frames": x})[0])
                summary["int8_drift"][kind] = d
                log(f"int8 drift ({kind}, {len(x)} windows): max |diff| {d['max_abs_logit_diff']:.3g}, "
                    f"top-1 agreement {d['top1_agreement']:.0%}")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
