"""The windowed baseline equals the per-frame face-api classifier + (weighted) temporal mean, carries
the windowed-v1 metadata, builds deterministically, and says happy on a real smiling face."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from baseline import build as B
from baseline import fixtures as F



def session(model: onnx.ModelProto | Path) -> ort.InferenceSession:
    data = model.SerializeToString() if isinstance(model, onnx.ModelProto) else str(model)
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def stand_in_classifier(size: int = 112, classes: int = 7) -> onnx.ModelProto:
    """Same I/O as expression-faceapi.onnx (input NHWC 0..255, output softmax probs), tiny weights."""
    rng = np.random.default_rng(3)
    k = rng.normal(0, 0.002, (4, 3, 5, 5)).astype(np.float32)
    wd = rng.normal(0, 1, (4, classes)).astype(np.float32)
    nodes = [
        helper.make_node("Transpose", ["input"], ["nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["nchw", "k"], ["conv"], strides=[4, 4]),
        helper.make_node("Relu", ["conv"], ["act"]),
        helper.make_node("GlobalAveragePool", ["act"], ["gap"]),
        helper.make_node("Flatten", ["gap"], ["flat"]),
        helper.make_node("MatMul", ["flat", "wd"], ["z"]),
        helper.make_node("Softmax", ["z"], ["probs"], axis=-1),
    ]
    g = helper.make_graph(nodes, "stand_in", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", size, size, 3])],
                          [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", classes])],
                          [numpy_helper.from_array(k, "k"), numpy_helper.from_array(wd, "wd")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    helper.set_model_props(m, {"moodroom.labels": json.dumps(["neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"])})
    return m


def per_frame_reference(clf: ort.InferenceSession, frames: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of the classifier's per-frame probabilities; plain mean where all weights are 0."""
    n, t = frames.shape[:2]
    nhwc = (frames * 255.0).reshape(n * t, *frames.shape[2:]).transpose(0, 2, 3, 1).astype(np.float32)
    probs = clf.run(None, {clf.get_inputs()[0].name: nhwc})[0].reshape(n, t, -1)
    w = np.maximum(weights, 0)
    w = np.where(w.sum(1, keepdims=True) > 0, w, 1.0)
    return (probs * w[..., None]).sum(1) / w.sum(1, keepdims=True)


def random_windows(n: int, t: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 256, (n, t, 3, 112, 112)).astype(np.float32) / 255.0
    # per-frame brightness and colour so that frames differ and the weighting is visible
    frames *= rng.uniform(0.05, 1.0, (n, t, 3, 1, 1)).astype(np.float32)
    weights = rng.uniform(0, 1, (n, t)).astype(np.float32)
    weights[1, :] = 0.0          # no usable face anywhere: plain mean
    weights[2, t // 2:] = 0.0    # half the frames missing
    return frames, weights


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def astronaut_crop_nchw() -> np.ndarray:
    # the same fixed crop packages/windowed-model's tests use (written by baseline.fixtures)
    return F.astronaut_crop().transpose(2, 0, 1).astype(np.float32) / 255.0


def test_stand_in_matches_weighted_mean_of_frames():
    clf = stand_in_classifier()
    model = B.build_baseline(clf, frames=6)
    frames, weights = random_windows(4, 6)
    logits = session(model).run(["logits"], {"frames": frames, "frame_weights": weights})[0]
    want = per_frame_reference(session(clf), frames, weights)
    np.testing.assert_allclose(softmax(logits), want, atol=1e-5)
    np.testing.assert_allclose(np.exp(logits), want, atol=1e-5)
    # the weights matter: the half-weighted window differs from its plain mean
    plain = per_frame_reference(session(clf), frames, np.zeros_like(weights))
    assert np.abs(plain[2] - want[2]).max() > 1e-4


def test_builder_rejects_wrong_classifier_shapes():
    clf = stand_in_classifier()
    clf.graph.input[0].type.tensor_type.shape.dim[3].dim_value = 1
    with pytest.raises(ValueError, match="NHWC"):
        B.build_baseline(clf)
    clf = stand_in_classifier(classes=5)
    with pytest.raises(ValueError, match="5 classes but 7 labels"):
        B.build_baseline(clf)


def test_build_is_deterministic():
    clf = stand_in_classifier()
    assert B.build_baseline(clf).SerializeToString() == B.build_baseline(clf).SerializeToString()


real = pytest.mark.skipif(not B.CLASSIFIER_PATH.exists(), reason="models/expression-faceapi.onnx not built yet")


@real
def test_committed_baseline_is_up_to_date():
    assert B.OUT_PATH.exists(), "run `npm run build:baseline -w models`"
    assert B.OUT_PATH.read_bytes() == B.build_from_file().SerializeToString(), \
        "expression-window-baseline.onnx is stale: run `npm run build:baseline -w models`"


@real
def test_baseline_equals_faceapi_per_frame_mean():
    frames, weights = random_windows(3, B.FRAMES, seed=1)
    face = astronaut_crop_nchw()
    frames[0, ::3] = face  # mix real face frames in so the classes are not all near-uniform
    logits = session(B.OUT_PATH).run(["logits"], {"frames": frames, "frame_weights": weights})[0]
    want = per_frame_reference(session(B.CLASSIFIER_PATH), frames, weights)
    np.testing.assert_allclose(softmax(logits), want, atol=1e-5)


@real
def test_baseline_metadata():
    m = onnx.load(str(B.OUT_PATH))
    meta = {p.key: p.value for p in m.metadata_props}
    assert meta["moodroom.contract"] == "windowed-v1"
    assert json.loads(meta["moodroom.labels"]) == ["neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"]
    assert (meta["moodroom.frames"], meta["moodroom.height"], meta["moodroom.width"]) == ("16", "112", "112")
    assert json.loads(meta["moodroom.mean"]) == [0, 0, 0] and json.loads(meta["moodroom.std"]) == [1, 1, 1]
    assert "NOT S2D" in meta["moodroom.description"]
    assert [i.name for i in m.graph.input] == ["frames", "frame_weights"]
    assert [o.name for o in m.graph.output] == ["logits"]


@real
def test_baseline_says_happy_on_astronaut():
    face = astronaut_crop_nchw()
    frames = np.repeat(face[None, None], B.FRAMES, axis=1)
    weights = np.ones((1, B.FRAMES), np.float32)
    probs = softmax(session(B.OUT_PATH).run(["logits"], {"frames": frames, "frame_weights": weights})[0])[0]
    assert probs.argmax() == 1, probs  # "happy" in the face-api order
    assert probs[1] > 0.9, probs


def test_fixture_models_follow_their_formula(tmp_path):
    F.write_all(tmp_path)
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, (2, F.T, 3, F.H, F.W)).astype(np.float32)
    w = np.array([[1, 0, 0, 0], [0.5, 0.5, 1, 0]], np.float32)
    wm, b = F.linear_weights(7)
    feat = x.mean((3, 4))
    got = session(tmp_path / "dfew-weighted.onnx").run(None, {"frames": x, "frame_weights": w})[0]
    np.testing.assert_allclose(got, ((feat * w[..., None]).sum(1) / w.sum(1, keepdims=True)) @ wm + b, atol=1e-4)
    got = session(tmp_path / "mafw.onnx").run(None, {"frames": x})[0]
    wm, b = F.linear_weights(11)
    np.testing.assert_allclose(got, feat.mean(1) @ wm + b, atol=1e-4)
