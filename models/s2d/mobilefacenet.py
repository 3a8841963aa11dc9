"""The frozen MobileFaceNet 68-point landmark regressor S2D takes its landmark features from.

Same module tree and parameter names as the official `landmark/mobilefacenet.py`
(MobileFaceNet([112, 112], 136), output_name "GDC"), so `mobilefacenet_model_best.pth.tar`'s
`state_dict` loads with strict=True. S2D only uses the conv_4 feature map (128 x 14 x 14 at 112x112);
`features()` stops there, so the tail (conv_45 .. output_layer) is loaded but never exported.
"""
from __future__ import annotations

import torch
from torch import nn


class ConvBlock(nn.Module):
    def __init__(self, in_c, out_c, kernel=(1, 1), stride=(1, 1), padding=(0, 0), groups=1):
        super().__init__()
        self.conv = nn.Conv2d(in_c, out_c, kernel_size=kernel, groups=groups, stride=stride,
                              padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_c)
        self.prelu = nn.PReLU(out_c)

    def forward(self, x):
        return self.prelu(self.bn(self.conv(x)))


class LinearBlock(nn.Module):
    def __init__(self, in_c, out_c, kernel=(1, 1), stride=(1, 1), padding=(0, 0), groups=1):
        super().__init__()
        self.conv = nn.Conv2d(in_c, out_c, kernel_size=kernel, groups=groups, stride=stride,
                              padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_c)

    def forward(self, x):
        return self.bn(self.conv(x))


class DepthWise(nn.Module):
    def __init__(self, in_c, out_c, residual=False, kernel=(3, 3), stride=(2, 2), padding=(1, 1), groups=1):
        super().__init__()
        self.conv = ConvBlock(in_c, groups)
        self.conv_dw = ConvBlock(groups, groups, groups=groups, kernel=kernel, padding=padding, stride=stride)
        self.project = LinearBlock(groups, out_c)
        self.residual = residual

    def forward(self, x):
        y = self.project(self.conv_dw(self.conv(x)))
        return x + y if self.residual else y


class Residual(nn.Module):
    def __init__(self, c, num_block, groups, kernel=(3, 3), stride=(1, 1), padding=(1, 1)):
        super().__init__()
        self.model = nn.Sequential(*[
            DepthWise(c, c, residual=True, kernel=kernel, padding=padding, stride=stride, groups=groups)
            for _ in range(num_block)])

    def forward(self, x):
        return self.model(x)


class GDC(nn.Module):
    def __init__(self, embedding_size):
        super().__init__()
        self.conv_6_dw = LinearBlock(512, 512, groups=512, kernel=(7, 7))
        self.linear = nn.Linear(512, embedding_size, bias=False)
        self.bn = nn.BatchNorm1d(embedding_size)

    def forward(self, x):
        return self.bn(self.linear(self.conv_6_dw(x).flatten(1)))


class MobileFaceNet(nn.Module):
    def __init__(self, embedding_size: int = 136):
        super().__init__()
        self.conv1 = ConvBlock(3, 64, kernel=(3, 3), stride=(2, 2), padding=(1, 1))
        self.conv2_dw = ConvBlock(64, 64, kernel=(3, 3), stride=(1, 1), padding=(1, 1), groups=64)
        self.conv_23 = DepthWise(64, 64, kernel=(3, 3), stride=(2, 2), padding=(1, 1), groups=128)
        self.conv_3 = Residual(64, num_block=4, groups=128)
        self.conv_34 = DepthWise(64, 128, kernel=(3, 3), stride=(2, 2), padding=(1, 1), groups=256)
        self.conv_4 = Residual(128, num_block=6, groups=256)
        self.conv_45 = DepthWise(128, 128, kernel=(3, 3), stride=(2, 2), padding=(1, 1), groups=512)
        self.conv_5 = Residual(128, num_block=2, groups=256)
        self.conv_6_sep = ConvBlock(128, 512)
        self.output_layer = GDC(embedding_size)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """conv_4 feature map (the official forward's second output, `feat`)."""
        out = self.conv2_dw(self.conv1(x))
        out = self.conv_3(self.conv_23(out))
        return self.conv_4(self.conv_34(out))

    def forward(self, x: torch.Tensor):
        """Official signature: (136 landmark coordinates, conv_4 features)."""
        feat = self.features(x)
        out = self.conv_6_sep(self.conv_5(self.conv_45(feat)))
        return self.output_layer(out), feat


class Landmark(nn.Module):
    """Official `landmark.Landmark`: frames -> bilinear resize (align_corners=True) -> conv_4 features.

    The official pipeline hands MobileFaceNet the same ImageNet-normalised frames it gives the ViT
    (no separate normalisation), and S2D was trained on the features that produces, so this does too.
    """

    def __init__(self, size: int = 112):
        super().__init__()
        self.size = size
        self.backbone = MobileFaceNet(136)
        for p in self.parameters():
            p.requires_grad = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (B*T, 3, H, W) already normalised.
        if x.shape[-2] != self.size or x.shape[-1] != self.size:
            x = nn.functional.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=True)
        return self.backbone.features(x)
