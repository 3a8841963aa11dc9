from __future__ import annotations

import argparse

import pytest
import torch

from s2d.tests.fixtures.official_keys import TINY, mobilefacenet_keys, s2d_keys


def synthetic_state_dict(keys: dict[str, tuple[int, ...]], seed: int) -> dict[str, torch.Tensor]:
    """Random tensors with the official names and shapes (what a real checkpoint would hold)."""
    g = torch.Generator().manual_seed(seed)
    sd = {}
    for k, shape in keys.items():
        if k.endswith("num_batches_tracked"):
            sd[k] = torch.tensor(1000, dtype=torch.long)
        elif k.endswith("running_var"):
            sd[k] = torch.rand(shape, generator=g) + 0.5
        elif k.endswith("fovea.smooth"):
            sd[k] = torch.randn(shape, generator=g) + 10.0
        elif k.endswith(("norm.weight", "norm1.weight", "norm2.weight", "bn.weight")) or ".prompt_norms." in k:
            sd[k] = 1.0 + 0.1 * torch.randn(shape, generator=g)
        else:
            fan_in = max(1, int(torch.tensor(shape[1:]).prod())) if len(shape) > 1 else 50
            sd[k] = torch.randn(shape, generator=g) / fan_in ** 0.5
    return sd


@pytest.fixture(scope="session")
def official_tiny_files(tmp_path_factory):
    """Tiny S2D + MobileFaceNet checkpoints saved the way the official code saves them."""
    d = tmp_path_factory.mktemp("official")
    s2d_sd = synthetic_state_dict(s2d_keys(**TINY), seed=1)
    lm_sd = synthetic_state_dict(mobilefacenet_keys(), seed=2)
    # utils.save_model: {'model': state_dict, 'optimizer': ..., 'epoch': ..., 'scaler': ..., 'args': Namespace}
    torch.save({"model": s2d_sd, "epoch": 99, "scaler": {"scale": 65536.0},
                "args": argparse.Namespace(model="s2d_base_patch16_224", nb_classes=7)}, d / "s2d.pth")
    torch.save({"epoch": 10, "state_dict": lm_sd}, d / "mobilefacenet_model_best.pth.tar")
    return {"checkpoint": d / "s2d.pth", "landmark": d / "mobilefacenet_model_best.pth.tar",
            "s2d_sd": s2d_sd, "lm_sd": lm_sd}
