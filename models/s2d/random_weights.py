"""Random (untrained) weights for parity tests and speed benchmarks.

Unlike the official init (zero-initialised adapter outputs, identity BatchNorm statistics), every
tensor gets a non-trivial value so every path of the graph (TMA, S-Adapter, Fovea, MobileFaceNet
BatchNorm) changes the logits and a parity check exercises all of it.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from .checkpoint import refresh_fovea_flags
from .model import S2DWindowed


@torch.no_grad()
def randomize_(model: S2DWindowed, seed: int = 0) -> S2DWindowed:
    g = torch.Generator().manual_seed(seed)

    def normal(t: torch.Tensor, std: float, mean: float = 0.0) -> None:
        t.copy_(torch.randn(t.shape, generator=g) * std + mean)

    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            fan_in = m.weight[0].numel()
            normal(m.weight, 1.0 / math.sqrt(fan_in))
            if m.bias is not None:
                normal(m.bias, 0.02)
        elif isinstance(m, (nn.LayerNorm, nn.BatchNorm1d, nn.BatchNorm2d)):
            normal(m.weight, 0.1, 1.0)
            normal(m.bias, 0.05)
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                normal(m.running_mean, 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
        elif isinstance(m, nn.PReLU):
            normal(m.weight, 0.05, 0.25)
    vit = model.vit
    for p in (vit.cls_token, vit.pos_embed, vit.temporal_embedding):
        normal(p, 0.02)
    for blk in vit.prompt_blocks:
        normal(blk.fovea.smooth, 1.0, 10.0)
    refresh_fovea_flags(model)
    return model
