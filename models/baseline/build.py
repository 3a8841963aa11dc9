"""Builds models/expression-window-baseline.onnx: the static face-api expression classifier applied to
every frame of a window inside ONE graph, followed by a quality-weighted temporal mean of the
per-frame probabilities. This is S2D's static-to-dynamic *starting point* (a frame model plus
temporal pooling), not S2D: there are no temporal adapters or landmark prompts.

    cd models && .venv/bin/python -m baseline.build            # writes expression-window-baseline.onnx
    cd models && .venv/bin/python -m baseline.build --check    # exits 1 if the committed file is stale

Contract: models/WINDOWED_CONTRACT.md (windowed-v1). Input `frames` float32[N,T,3,112,112] holding
rgb/255 (mean 0, std 1), `frame_weights` float32[N,T]; output `logits` float32[N,7] = log of the
aggregated probabilities, so softmax(logits) gives them back.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, compose, helper, numpy_helper

MODELS_DIR = Path(__file__).resolve().parents[1]
CLASSIFIER_PATH = MODELS_DIR / "expression-faceapi.onnx"
OUT_PATH = MODELS_DIR / "expression-window-baseline.onnx"
FRAMES = 16
PREFIX = "frame_classifier/"
# log(0) would be -inf; 1e-12 keeps softmax(logits) equal to the aggregated probabilities to float32
# precision (their sum is 1) while leaving every logit finite.
LOG_FLOOR = 1e-12

DESCRIPTION = (
    "face-api expression classifier per frame + quality-weighted temporal mean - NOT S2D. "
    "Each of the T aligned crops goes through the static face-api.js expression CNN "
    "(@vladmandic/face-api); the per-frame probabilities are averaged with frame_weights "
    "(a plain mean when all weights are 0); logits = log(mean probabilities). "
    "A stand-in until real S2D weights are exported with models/s2d/export.py."
)


def _classifier_io(clf: onnx.ModelProto) -> tuple[str, str, tuple[int, int, int], list[str]]:
    inits = {i.name for i in clf.graph.initializer}
    inputs = [i for i in clf.graph.input if i.name not in inits]
    if len(inputs) != 1 or len(clf.graph.output) != 1:
        raise ValueError("the frame classifier must have one image input and one probability output, has "
                         f"inputs {[i.name for i in inputs]} outputs {[o.name for o in clf.graph.output]}")
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim]
    if len(dims) != 4 or dims[3] != 3 or not dims[1] or not dims[2]:
        raise ValueError(f"the frame classifier input must be NHWC [N,H,W,3] with fixed H, W; got {dims}")
    meta = {p.key: p.value for p in clf.metadata_props}
    if "moodroom.labels" not in meta:
        raise ValueError("the frame classifier has no moodroom.labels metadata")
    labels = json.loads(meta["moodroom.labels"])
    out_dims = [d.dim_value for d in clf.graph.output[0].type.tensor_type.shape.dim]
    if out_dims[-1] != len(labels):
        raise ValueError(f"classifier output has {out_dims[-1]} classes but {len(labels)} labels")
    return inputs[0].name, clf.graph.output[0].name, (dims[1], dims[2], dims[3]), labels


def _const(name: str, values, dtype=np.float32) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], name=name,
                            value=numpy_helper.from_array(np.asarray(values, dtype=dtype), name=name))


def build_baseline(clf: onnx.ModelProto, frames: int = FRAMES, metadata: dict[str, str] | None = None) -> onnx.ModelProto:
    """Wraps the NHWC 0..255 frame classifier `clf` into a windowed-v1 model over `frames` frames."""
    clf_in, clf_out, (h, w, _c), labels = _classifier_io(clf)
    inner = compose.add_prefix(clf, PREFIX)
    clf_in, clf_out = PREFIX + clf_in, PREFIX + clf_out
    c = len(labels)
    opset = max((o.version for o in clf.opset_import if o.domain in ("", "ai.onnx")), default=13)
    if opset < 13:
        raise ValueError(f"the frame classifier uses opset {opset}; the baseline needs >= 13 (ReduceSum axes input)")

    pre = [
        _const("k255", 255.0),
        _const("frames_shape", [-1, 3, h, w], np.int64),
        helper.make_node("Mul", ["frames", "k255"], ["frames_255"], name="undo_div255"),
        helper.make_node("Reshape", ["frames_255", "frames_shape"], ["frames_nchw"], name="flatten_windows"),
        # The classifier is NHWC; the contract is NCHW.
        helper.make_node("Transpose", ["frames_nchw"], [clf_in], perm=[0, 2, 3, 1], name="to_nhwc"),
    ]
    post = [
        _const("probs_shape", [-1, frames, c], np.int64),
        _const("axis1", [1], np.int64),
        _const("axis2", [2], np.int64),
        _const("zero", 0.0),
        _const("one", 1.0),
        _const("log_floor", LOG_FLOOR),
        helper.make_node("Reshape", [clf_out, "probs_shape"], ["frame_probs"], name="per_window"),
        # Negative weights are meaningless (the contract says [0, 1]); treat them as 0.
        helper.make_node("Relu", ["frame_weights"], ["w_pos"], name="clamp_weights"),
        helper.make_node("ReduceSum", ["w_pos", "axis1"], ["w_total"], keepdims=1, name="weight_total"),
        helper.make_node("Greater", ["w_total", "zero"], ["has_weight"], name="any_weight"),
        # No usable frame at all: fall back to the plain mean rather than dividing by zero.
        helper.make_node("Where", ["has_weight", "w_pos", "one"], ["w_eff"], name="weights_or_uniform"),
        helper.make_node("ReduceSum", ["w_eff", "axis1"], ["w_eff_total"], keepdims=1, name="eff_total"),
        helper.make_node("Unsqueeze", ["w_eff", "axis2"], ["w_eff3"], name="weights_per_class"),
        helper.make_node("Mul", ["frame_probs", "w_eff3"], ["weighted_probs"], name="weigh"),
        helper.make_node("ReduceSum", ["weighted_probs", "axis1"], ["probs_sum"], keepdims=0, name="sum_frames"),
        helper.make_node("Div", ["probs_sum", "w_eff_total"], ["window_probs"], name="weighted_mean"),
        helper.make_node("Max", ["window_probs", "log_floor"], ["window_probs_floored"], name="floor"),
        helper.make_node("Log", ["window_probs_floored"], ["logits"], name="log_probs"),
    ]
    graph = helper.make_graph(
        pre + list(inner.graph.node) + post,
        "expression_window_baseline",
        [helper.make_tensor_value_info("frames", TensorProto.FLOAT, ["N", frames, 3, h, w]),
         helper.make_tensor_value_info("frame_weights", TensorProto.FLOAT, ["N", frames])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", c])],
        initializer=list(inner.graph.initializer),
        value_info=list(inner.graph.value_info),
    )
    model = helper.make_model(graph, opset_imports=list(clf.opset_import), producer_name="moodroom models/baseline",
                              producer_version="1")
    model.ir_version = clf.ir_version
    meta = {
        "moodroom.contract": "windowed-v1",
        "moodroom.name": "expression-window-baseline",
        "moodroom.labels": json.dumps(labels),
        "moodroom.frames": str(frames),
        "moodroom.height": str(h),
        "moodroom.width": str(w),
        "moodroom.mean": "[0, 0, 0]",
        "moodroom.std": "[1, 1, 1]",
        "moodroom.crop": "face-aligned",
        "moodroom.dataset": "faceapi-undocumented",
        "moodroom.licence": "MIT",
        "moodroom.aggregation": "quality-weighted mean of per-frame probabilities (plain mean when all weights are 0); logits = log(probabilities)",
        "moodroom.description": DESCRIPTION,
    }
    meta.update(metadata or {})
    helper.set_model_props(model, meta)
    onnx.checker.check_model(model, full_check=True)
    return model


def build_from_file(classifier_path: Path = CLASSIFIER_PATH, frames: int = FRAMES) -> onnx.ModelProto:
    if not classifier_path.exists():
        raise FileNotFoundError(f"{classifier_path} is missing: build the static classifiers first "
                                "(`npm run build -w models`)")
    raw = classifier_path.read_bytes()
    clf = onnx.load_from_string(raw)
    clf_meta = {p.key: p.value for p in clf.metadata_props}
    source = (f"{classifier_path.name} (sha256 {hashlib.sha256(raw).hexdigest()[:16]}), converted from "
              f"{clf_meta.get('moodroom.source_package', '?')} {clf_meta.get('moodroom.source_version', '?')} "
              f"{clf_meta.get('moodroom.source_file', '')}; wrapped by models/baseline/build.py")
    return build_baseline(clf, frames, {"moodroom.source": source, "moodroom.licence": clf_meta.get("moodroom.licence", "MIT")})


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m baseline.build", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--classifier", type=Path, default=CLASSIFIER_PATH)
    p.add_argument("--out", type=Path, default=OUT_PATH)
    p.add_argument("--check", action="store_true", help="do not write; exit 1 if --out differs from a fresh build")
    args = p.parse_args(argv)
    data = build_from_file(args.classifier).SerializeToString()
    if args.check:
        same = args.out.exists() and args.out.read_bytes() == data
        print(f"[baseline] {args.out} is {'up to date' if same else 'STALE: run npm run build:baseline -w models'}",
              file=sys.stderr)
        return 0 if same else 1
    args.out.write_bytes(data)
    print(f"[baseline] wrote {args.out} ({len(data) / 1e6:.2f} MB, sha256 {hashlib.sha256(data).hexdigest()})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
