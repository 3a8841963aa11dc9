"""ONNX export of S2DWindowed to the windowed-v1 contract (models/WINDOWED_CONTRACT.md), onnxruntime
parity checks, and optional int8 dynamic quantisation."""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import torch

from .model import S2DWindowed

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
OPSET = 18
REPO_ROOT = Path(__file__).resolve().parents[2]
ASTRONAUT = REPO_ROOT / "fixtures" / "faces" / "astronaut.png"


def log(msg: str) -> None:
    print(f"[s2d] {msg}", file=sys.stderr, flush=True)


class Timer:
    def __init__(self, what: str):
        self.what = what

    def __enter__(self):
        log(f"{self.what}...")
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        if exc[0] is None:
            log(f"{self.what}: done in {self.seconds:.1f} s")


def export_onnx(model: S2DWindowed, out: str | Path, metadata: dict[str, str]) -> Path:
    """Exports `model` (eval mode) with a dynamic window count N and writes the contract metadata."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    cfg = model.cfg
    model.eval()
    example = torch.zeros(2, cfg.num_frames, 3, cfg.img_size, cfg.img_size)
    # The exporter warns about every torchvision op it cannot register; torchvision is not used here.
    logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)
    with torch.no_grad():
        torch.onnx.export(
            model, (example,), str(out), input_names=["frames"], output_names=["logits"],
            opset_version=OPSET, dynamo=True, external_data=False,
            dynamic_shapes={"frames": {0: torch.export.Dim("N", min=1, max=4096)}})
    write_metadata(out, metadata)
    return out


def write_metadata(path: str | Path, metadata: dict[str, str]) -> None:
    m = onnx.load(str(path))
    existing = {p.key: p for p in m.metadata_props}
    for k, v in metadata.items():
        if k in existing:
            existing[k].value = v
        else:
            m.metadata_props.add(key=k, value=v)
    onnx.save(m, str(path))


def contract_metadata(cfg, *, name: str, labels: list[str], dataset: str, source: str,
                      description: str, licence: str = "Apache-2.0") -> dict[str, str]:
    if len(labels) != cfg.num_classes:
        raise ValueError(f"{len(labels)} labels for a {cfg.num_classes}-class head")
    return {
        "moodroom.contract": "windowed-v1",
        "moodroom.name": name,
        "moodroom.labels": json.dumps(labels),
        "moodroom.frames": str(cfg.num_frames),
        "moodroom.height": str(cfg.img_size),
        "moodroom.width": str(cfg.img_size),
        "moodroom.mean": json.dumps(list(IMAGENET_MEAN)),
        "moodroom.std": json.dumps(list(IMAGENET_STD)),
        "moodroom.crop": "face-aligned",
        "moodroom.dataset": dataset,
        "moodroom.source": source,
        "moodroom.licence": licence,
        "moodroom.description": description,
    }


def session(path: str | Path, threads: int | None = None):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def random_windows(cfg, n: int, seed: int = 0) -> np.ndarray:
    """Random frames in the contract's normalised space ((rgb/255 - mean)/std of uniform pixels)."""
    rng = np.random.default_rng(seed)
    rgb = rng.random((n, cfg.num_frames, 3, cfg.img_size, cfg.img_size), dtype=np.float32)
    return normalise(rgb)


def normalise(rgb01: np.ndarray) -> np.ndarray:
    mean = np.asarray(IMAGENET_MEAN, np.float32).reshape(3, 1, 1)
    std = np.asarray(IMAGENET_STD, np.float32).reshape(3, 1, 1)
    return ((rgb01 - mean) / std).astype(np.float32)


def face_windows(cfg, n: int = 2) -> np.ndarray | None:
    """Windows made from the real face in fixtures/faces/astronaut.png: a face crop with a small
    per-frame shift/zoom so the frames differ as they would in video. None if the file is absent."""
    if not ASTRONAUT.is_file():
        return None
    from PIL import Image

    img = Image.open(ASTRONAUT).convert("RGB")
    windows = []
    for w in range(n):
        frames = []
        for t in range(cfg.num_frames):
            d = 3 * ((t + 5 * w) % 5) - 6
            box = (150 + d, 20 + d, 330 - d + w * 4, 200 - d + w * 4)  # around the face
            crop = img.crop(box).resize((cfg.img_size, cfg.img_size), Image.BILINEAR)
            frames.append(np.asarray(crop, np.float32).transpose(2, 0, 1) / 255.0)
        windows.append(np.stack(frames))
    return normalise(np.stack(windows))


def torch_logits(model: S2DWindowed, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def quantize_int8(src: str | Path, dst: str | Path) -> Path:
    """Dynamic int8 quantisation of the MatMul weights (transformer and adapter linears); the
    convolutions (patch embedding, prompts, MobileFaceNet) stay fp32."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    src, dst = Path(src), Path(dst)
    # The quantiser rewrites the head's Gemm (transposing its weight) but keeps the exporter's
    # value_info, whose stale shapes then fail its own shape inference: quantise a copy without them.
    bare = onnx.load(str(src))
    del bare.graph.value_info[:]
    tmp = dst.with_name(dst.name + ".tmp.onnx")
    onnx.save(bare, str(tmp))
    try:
        quantize_dynamic(str(tmp), str(dst), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"])
    finally:
        tmp.unlink(missing_ok=True)
    meta = {p.key: p.value for p in onnx.load(str(src), load_external_data=False).metadata_props}
    meta["moodroom.description"] = meta.get("moodroom.description", "") + \
        " int8 dynamic quantisation of the transformer's MatMul weights (onnxruntime quantize_dynamic)."
    write_metadata(dst, meta)
    return dst


def drift(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    return {"max_abs_logit_diff": float(np.abs(a - b).max()),
            "top1_agreement": float((a.argmax(-1) == b.argmax(-1)).mean())}


def file_mb(path: str | Path) -> float:
    return os.path.getsize(path) / 2 ** 20
