"""Writes tiny windowed-v1 ONNX models for packages/windowed-model's tests (and this package's), so
the runtime's contract checks, label mapping and batching are tested on real ONNX graphs without
committing binaries:

    cd models && .venv/bin/python -m baseline.fixtures --out-dir <dir>

Every model computes per-frame channel means of `frames` [N,T,3,H,W], pools them over T (a
frame_weights-weighted mean when the model declares that input, else a plain mean) and applies a
fixed seeded linear layer: logits[N,C] = pooled @ W + b. Small (T=4, 8x8) and deterministic.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

T, H, W = 4, 8, 8
REPO = Path(__file__).resolve().parents[2]
ASTRONAUT = REPO / "fixtures" / "faces" / "astronaut.png"
# A fixed 112x112 pixel crop around the astronaut's face (BlazeFace box ≈ x 178..273, y 83..178),
# taken without resampling so every language reads the same bytes.
CROP_X, CROP_Y, CROP = 169, 75, 112
# Label orders of the official S2D heads (see models/s2d/labels.py); repeated here so the fixtures do
# not depend on the S2D package.
LABELS = {
    "dfew": ["happy", "sad", "neutral", "angry", "surprise", "disgust", "fear"],
    "ferv39k": ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"],
    "mafw": ["anger", "anxiety", "contempt", "disappointment", "disgust", "fear", "happiness",
             "helplessness", "neutral", "sadness", "surprise"],
}
REQUIRED = ["moodroom.contract", "moodroom.labels", "moodroom.frames", "moodroom.height", "moodroom.width",
            "moodroom.mean", "moodroom.std"]


def linear_weights(c: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (rng.normal(0, 3, (3, c)).astype(np.float32), rng.normal(0, 0.5, (c,)).astype(np.float32))


def metadata(labels: list[str], dataset: str, name: str) -> dict[str, str]:
    return {
        "moodroom.contract": "windowed-v1",
        "moodroom.name": name,
        "moodroom.labels": json.dumps(labels),
        "moodroom.frames": str(T),
        "moodroom.height": str(H),
        "moodroom.width": str(W),
        "moodroom.mean": "[0.5, 0.25, 0.125]",
        "moodroom.std": "[0.5, 0.25, 2.0]",
        "moodroom.dataset": dataset,
        "moodroom.description": f"test fixture ({dataset} label order): channel means + linear layer",
    }


def tiny_model(labels: list[str], weighted: bool, meta: dict[str, str]) -> onnx.ModelProto:
    c = len(labels)
    wmat, bias = linear_weights(c)
    inits = [numpy_helper.from_array(wmat, "W"), numpy_helper.from_array(bias, "b"),
             numpy_helper.from_array(np.array([3, 4], np.int64), "hw_axes"),
             numpy_helper.from_array(np.array([1], np.int64), "t_axis")]
    nodes = [helper.make_node("ReduceMean", ["frames", "hw_axes"], ["frame_feat"], keepdims=0)]  # [N,T,3]
    inputs = [helper.make_tensor_value_info("frames", TensorProto.FLOAT, ["N", T, 3, H, W])]
    if weighted:
        inits.append(numpy_helper.from_array(np.array([2], np.int64), "c_axis"))
        inputs.append(helper.make_tensor_value_info("frame_weights", TensorProto.FLOAT, ["N", T]))
        nodes += [
            helper.make_node("Unsqueeze", ["frame_weights", "c_axis"], ["w3"]),
            helper.make_node("Mul", ["frame_feat", "w3"], ["wf"]),
            helper.make_node("ReduceSum", ["wf", "t_axis"], ["wsum"], keepdims=0),
            helper.make_node("ReduceSum", ["frame_weights", "t_axis"], ["wtot"], keepdims=1),
            helper.make_node("Div", ["wsum", "wtot"], ["pooled"]),
        ]
    else:
        nodes.append(helper.make_node("ReduceMean", ["frame_feat", "t_axis"], ["pooled"], keepdims=0))
    nodes += [helper.make_node("MatMul", ["pooled", "W"], ["mm"]), helper.make_node("Add", ["mm", "b"], ["logits"])]
    graph = helper.make_graph(nodes, "windowed_fixture", inputs,
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", c])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="moodroom fixtures")
    model.ir_version = 8
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model, full_check=True)
    return model


def write_all(out_dir: Path) -> list[str]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []

    def save(name: str, model: onnx.ModelProto) -> None:
        onnx.save(model, str(out_dir / name))
        written.append(name)

    for ds, labels in LABELS.items():
        save(f"{ds}.onnx", tiny_model(labels, False, metadata(labels, ds, f"fixture-{ds}")))
    dfew = LABELS["dfew"]
    save("dfew-weighted.onnx", tiny_model(dfew, True, metadata(dfew, "dfew", "fixture-dfew-weighted")))
    for key in REQUIRED:
        meta = metadata(dfew, "dfew", "fixture-missing")
        del meta[key]
        save(f"missing-{key.split('.')[1]}.onnx", tiny_model(dfew, False, meta))
    bad = {
        "bad-contract": {"moodroom.contract": "windowed-v0"},
        "bad-labels-json": {"moodroom.labels": "[happy, sad"},
        "bad-labels-count": {"moodroom.labels": json.dumps(dfew[:5])},
        "bad-mean": {"moodroom.mean": "[0.5, 0.5]"},
        "bad-std-zero": {"moodroom.std": "[1, 0, 1]"},
        "bad-frames": {"moodroom.frames": "8"},
        "bad-no-canonical": {"moodroom.labels": json.dumps([f"class{i}" for i in range(7)])},
    }
    for name, override in bad.items():
        meta = metadata(dfew, "dfew", f"fixture-{name}")
        meta.update(override)
        save(f"{name}.onnx", tiny_model(dfew, False, meta))
    (out_dir / "astronaut-112.rgb").write_bytes(astronaut_crop().tobytes())
    written.append("astronaut-112.rgb")
    return written


def astronaut_crop() -> np.ndarray:
    """The fixed face crop as HWC uint8 RGB."""
    from PIL import Image
    img = np.asarray(Image.open(ASTRONAUT).convert("RGB"))
    return np.ascontiguousarray(img[CROP_Y:CROP_Y + CROP, CROP_X:CROP_X + CROP])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m baseline.fixtures", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-dir", type=Path, required=True)
    args = p.parse_args(argv)
    names = write_all(args.out_dir)
    print(json.dumps({"dir": str(args.out_dir), "models": names}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
