"""ONNX export of the tiny config through the real CLI: contract, metadata, parity, int8."""
from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

from s2d import export
from s2d.checkpoint import load_official_files
from s2d.config import get_config
from s2d.labels import DATASETS
from s2d.model import S2DWindowed
from s2d.onnx_export import face_windows, random_windows, session, torch_logits


@pytest.fixture(scope="module")
def exported(official_tiny_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("onnx") / "s2d-tiny.onnx"
    rc = export.main(["--checkpoint", str(official_tiny_files["checkpoint"]),
                      "--landmark", str(official_tiny_files["landmark"]),
                      "--dataset", "ferv39k", "--out", str(out), "--int8"])
    assert rc == 0
    model = S2DWindowed(get_config("tiny"))
    load_official_files(model, official_tiny_files["checkpoint"], official_tiny_files["landmark"])
    return out, model.eval()


def test_graph_follows_the_windowed_contract(exported):
    out, _ = exported
    m = onnx.load(str(out))
    assert max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx")) >= 17
    (inp,) = m.graph.input
    (outp,) = m.graph.output
    assert inp.name == "frames" and outp.name == "logits"
    assert inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    assert isinstance(dims[0], str) and dims[1:] == [4, 3, 56, 56]
    odims = [d.dim_param or d.dim_value for d in outp.type.tensor_type.shape.dim]
    assert odims == [dims[0], 7]


def test_metadata_carries_labels_and_preprocessing(exported):
    out, _ = exported
    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert meta["moodroom.contract"] == "windowed-v1"
    assert meta["moodroom.name"] == "s2d-ferv39k"
    assert json.loads(meta["moodroom.labels"]) == list(DATASETS["ferv39k"].labels)
    assert (meta["moodroom.frames"], meta["moodroom.height"], meta["moodroom.width"]) == ("4", "56", "56")
    assert json.loads(meta["moodroom.mean"]) == [0.485, 0.456, 0.406]
    assert json.loads(meta["moodroom.std"]) == [0.229, 0.224, 0.225]
    assert meta["moodroom.dataset"] == "ferv39k" and meta["moodroom.licence"] == "Apache-2.0"
    assert "s2d.pth" in meta["moodroom.source"] and "S2D" in meta["moodroom.description"]


@pytest.mark.parametrize("n", [1, 3])
def test_onnxruntime_matches_pytorch(exported, n):
    out, model = exported
    cfg = model.cfg
    x = random_windows(cfg, n, seed=n)
    got = session(out).run(["logits"], {"frames": x})[0]
    ref = torch_logits(model, x)
    assert got.shape == (n, 7)
    assert np.abs(got - ref).max() <= 1e-4
    assert np.abs(ref).max() > 0.1  # the comparison is not between two near-zero outputs


def test_onnxruntime_matches_pytorch_on_a_real_face(exported):
    out, model = exported
    x = face_windows(model.cfg, 2)
    if x is None:
        pytest.skip("fixtures/faces/astronaut.png is absent")
    assert np.abs(session(out).run(["logits"], {"frames": x})[0] - torch_logits(model, x)).max() <= 1e-4


def test_int8_model_keeps_the_contract_and_stays_close(exported):
    out, model = exported
    q = export.int8_path(out)
    assert q.name == "s2d-tiny.int8.onnx" and q.is_file()
    meta = {p.key: p.value for p in onnx.load(str(q)).metadata_props}
    assert json.loads(meta["moodroom.labels"]) == list(DATASETS["ferv39k"].labels)
    assert "int8" in meta["moodroom.description"]
    assert any(n.op_type in ("MatMulInteger", "DynamicQuantizeLinear") for n in onnx.load(str(q)).graph.node)
    x = random_windows(model.cfg, 3, seed=7)
    fp32 = session(out).run(["logits"], {"frames": x})[0]
    int8 = session(q).run(["logits"], {"frames": x})[0]
    assert int8.shape == fp32.shape
    assert np.abs(int8 - fp32).max() < 0.25 * np.abs(fp32).max()


def test_head_size_must_match_the_dataset(official_tiny_files, tmp_path, capsys):
    rc = export.main(["--checkpoint", str(official_tiny_files["checkpoint"]),
                      "--landmark", str(official_tiny_files["landmark"]),
                      "--dataset", "mafw", "--out", str(tmp_path / "x.onnx")])
    assert rc == 2
    assert "7 classes but --dataset mafw has 11" in capsys.readouterr().err
    assert not (tmp_path / "x.onnx").exists()


def test_official_export_requires_both_checkpoints(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        export.main(["--checkpoint", "a.pth", "--dataset", "dfew", "--out", str(tmp_path / "x.onnx")])
    assert e.value.code == 2
    assert "--landmark" in capsys.readouterr().err
