"""The PyTorch model: official names/shapes, and that its computation follows the official forward."""
from __future__ import annotations

import pytest
import torch

from s2d.config import get_config
from s2d.labels import DATASETS
from s2d.model import Fovea, S2DWindowed, clips_to_frames, frames_to_clips, token2feature, feature2token
from s2d.random_weights import randomize_
from s2d.tests.fixtures.official_keys import FULL, TINY, mobilefacenet_keys, s2d_keys


def shapes(module):
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


@pytest.mark.parametrize("name,kw", [("tiny", TINY), ("vit-b", FULL)])
def test_parameter_names_and_shapes_match_the_official_code(name, kw):
    model = S2DWindowed(get_config(name))
    assert shapes(model.vit) == s2d_keys(**kw)
    assert shapes(model.landmark.backbone) == mobilefacenet_keys()


def test_vit_b_has_the_papers_parameter_count():
    vit = S2DWindowed(get_config("vit-b")).vit
    total = sum(p.numel() for p in vit.parameters())
    # official freeze rule: only these name fragments train
    train = sum(p.numel() for n, p in vit.named_parameters()
                if any(s in n for s in ("temporal_embedding", "ln_post", "Adapter", "head", "prompt")))
    assert 94e6 < total < 96e6
    assert 8e6 < train < 10.5e6


@pytest.fixture(scope="module")
def tiny():
    cfg = get_config("tiny")
    return cfg, randomize_(S2DWindowed(cfg), seed=3).eval()


def frames(cfg, n, seed=0):
    return torch.randn(n, cfg.num_frames, 3, cfg.img_size, cfg.img_size, generator=torch.Generator().manual_seed(seed))


def test_windowed_forward_equals_the_official_two_input_forward(tiny):
    cfg, model = tiny
    x = frames(cfg, 2)
    with torch.no_grad():
        ours = model(x)
        # official: model2(videos) on B x C x T x H x W, then model(videos, a)
        videos = x.permute(0, 2, 1, 3, 4)
        a = model.landmark(videos.permute(0, 2, 1, 3, 4).reshape(-1, 3, cfg.img_size, cfg.img_size))
        official = model.vit(videos, a)
    assert ours.shape == (2, cfg.num_classes)
    torch.testing.assert_close(ours, official)


def test_windows_in_a_batch_are_independent(tiny):
    cfg, model = tiny
    x = frames(cfg, 3)
    with torch.no_grad():
        batch = model(x)
        single = model(x[1:2])
    torch.testing.assert_close(batch[1:2], single, rtol=1e-5, atol=1e-5)


def test_temporal_adapter_mixes_frames(tiny):
    """Changing one frame changes the TMA output at the other frames' positions."""
    cfg, model = tiny
    tma = model.vit.prompt_blocks[0].TMA
    tokens = torch.randn(cfg.num_frames, 10, cfg.embed_dim)
    changed = tokens.clone()
    changed[0] += 1.0
    with torch.no_grad():
        a, b = tma(tokens), tma(changed)
    assert not torch.allclose(a[1:], b[1:])


def test_landmark_branch_feeds_the_logits(tiny):
    cfg, model = tiny
    x = frames(cfg, 1)
    with torch.no_grad():
        before = model(x)
        saved = model.landmark.backbone.conv1.conv.weight.clone()
        model.landmark.backbone.conv1.conv.weight.mul_(-1)
        after = model(x)
        model.landmark.backbone.conv1.conv.weight.copy_(saved)
    assert (before - after).abs().max() > 1e-4


def test_fovea_is_a_sharpened_spatial_softmax():
    f = Fovea()
    with torch.no_grad():
        f.smooth.fill_(3.0)
    x = torch.randn(2, 4, 5, 5)
    flat = x.reshape(2, 4, 25)
    expected = (torch.softmax(flat * 3.0, dim=-1) * flat).reshape(2, 4, 5, 5)
    torch.testing.assert_close(f(x), expected)
    f.use_smooth = False
    torch.testing.assert_close(f(x), (torch.softmax(flat, dim=-1) * flat).reshape(2, 4, 5, 5))


def test_rearranges_round_trip_like_einops():
    x = torch.arange(2 * 3 * 5 * 4, dtype=torch.float32).reshape(2 * 3, 5, 4)  # (b t) n d, t=3
    y = frames_to_clips(x, 3)
    assert y.shape == (2 * 5, 3, 4)
    # (b n) t d: element [b*n_tokens + n, t] == x[b*t_len + t, n]
    assert torch.equal(y[1 * 5 + 2, 1], x[1 * 3 + 1, 2])
    assert torch.equal(clips_to_frames(y, 5), x)
    tok = torch.randn(2, 9, 4)
    assert torch.equal(feature2token(token2feature(tok)), tok)


def test_label_orders_cover_the_canonical_emotions():
    canonical = {"happy", "sad", "neutral", "angry", "surprise", "disgust", "fear"}
    aliases = {"anger": "angry", "happiness": "happy", "sadness": "sad"}
    assert DATASETS["dfew"].labels == ("happy", "sad", "neutral", "angry", "surprise", "disgust", "fear")
    assert DATASETS["ferv39k"].labels == ("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise")
    assert len(DATASETS["mafw"].labels) == 11
    for info in DATASETS.values():
        assert canonical <= {aliases.get(label, label) for label in info.labels}


def test_configs_reject_mismatched_landmark_grid():
    from dataclasses import replace
    with pytest.raises(ValueError, match="landmark grid"):
        replace(get_config("tiny"), img_size=64).validate()
