"""Official checkpoints load strict; wrong files fail with messages that name the offending keys."""
from __future__ import annotations

import pytest
import torch

from s2d.checkpoint import (CheckpointError, config_from_state_dict, load_official, load_official_files,
                            read_checkpoint)
from s2d.config import get_config
from s2d.model import S2DWindowed


def tiny_model():
    return S2DWindowed(get_config("tiny"))


def test_official_files_load_strict_and_every_tensor_lands(official_tiny_files):
    model = tiny_model()
    load_official_files(model, official_tiny_files["checkpoint"], official_tiny_files["landmark"])
    vit_sd, lm_sd = model.vit.state_dict(), model.landmark.backbone.state_dict()
    for k, v in official_tiny_files["s2d_sd"].items():
        assert torch.equal(vit_sd[k], v), k
    for k, v in official_tiny_files["lm_sd"].items():
        assert torch.equal(lm_sd[k], v), k


def test_size_is_read_from_the_checkpoint(official_tiny_files):
    cfg = config_from_state_dict(official_tiny_files["s2d_sd"])
    assert cfg == get_config("tiny")


def test_dataparallel_prefix_and_timm_norm_name_are_mapped(official_tiny_files):
    sd = {"module." + k: v for k, v in official_tiny_files["s2d_sd"].items()}
    sd["module.norm.weight"] = sd.pop("module.ln_post.weight")
    sd["module.norm.bias"] = sd.pop("module.ln_post.bias")
    sd["landmark.backbone.conv1.conv.weight"] = torch.zeros(1)  # official loader drops these
    lm = {"module." + k: v for k, v in official_tiny_files["lm_sd"].items()}
    model = tiny_model()
    load_official(model, sd, lm)
    assert torch.equal(model.vit.ln_post.weight, official_tiny_files["s2d_sd"]["ln_post.weight"])


def test_missing_key_is_named(official_tiny_files):
    sd = dict(official_tiny_files["s2d_sd"])
    del sd["prompt_blocks.1.TMA.S_Adapter.D_fc2.weight"]
    with pytest.raises(CheckpointError, match=r"missing keys \(1\): prompt_blocks\.1\.TMA\.S_Adapter\.D_fc2\.weight"):
        load_official(tiny_model(), sd, official_tiny_files["lm_sd"])


def test_unexpected_key_is_named(official_tiny_files):
    sd = dict(official_tiny_files["s2d_sd"])
    sd["blocks.0.attn.q_norm.weight"] = torch.ones(3)
    with pytest.raises(CheckpointError, match=r"unexpected keys \(1\): blocks\.0\.attn\.q_norm\.weight"):
        load_official(tiny_model(), sd, official_tiny_files["lm_sd"])


def test_wrong_shape_is_named(official_tiny_files):
    lm = dict(official_tiny_files["lm_sd"])
    lm["conv_4.model.0.conv.conv.weight"] = torch.zeros(1, 1, 1, 1)
    with pytest.raises(CheckpointError, match=r"(?s)MobileFaceNet checkpoint .*conv_4\.model\.0\.conv\.conv\.weight"):
        load_official(tiny_model(), official_tiny_files["s2d_sd"], lm)


def test_swapped_files_are_refused(official_tiny_files):
    with pytest.raises(CheckpointError, match="missing keys"):
        load_official_files(tiny_model(), official_tiny_files["landmark"], official_tiny_files["checkpoint"])


class NotATensor:
    pass


def test_arbitrary_pickles_need_an_explicit_opt_in(tmp_path):
    path = tmp_path / "evil.pth"
    torch.save({"model": {"x": torch.zeros(1)}, "payload": NotATensor()}, path)
    with pytest.raises(CheckpointError, match="--allow-pickle"):
        read_checkpoint(path)
    assert "model" in read_checkpoint(path, allow_pickle=True)


def test_absent_file_is_reported(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        read_checkpoint(tmp_path / "nope.pth")
