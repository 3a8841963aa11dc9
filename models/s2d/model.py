"""S2D's landmark-aware ViT (official `model_finetuning.VisionTransformer`, timm 0.6.13 blocks).

Attribute names mirror the official code so `model.state_dict()` keys equal the official checkpoint
keys. Computation follows the official forward step by step (including its quirks: the prompt chain
feeds each prompter's output in as the next one's "landmark" half, prompt_norms[i-1] normalises the
tokens before prompter i, and the TMAdapter's LayerNorm uses PyTorch's default eps 1e-5 while every
other norm uses 1e-6). einops rearranges are written as reshape/permute so the graph exports cleanly.
"""
from __future__ import annotations

import torch
from torch import nn

from .config import S2DConfig
from .mobilefacenet import Landmark


def _layer_norm(dim: int) -> nn.LayerNorm:
    return nn.LayerNorm(dim, eps=1e-6)


def token2feature(tokens: torch.Tensor) -> torch.Tensor:
    b, n, d = tokens.shape
    s = int(n ** 0.5)
    return tokens.permute(0, 2, 1).reshape(b, d, s, s)


def feature2token(x: torch.Tensor) -> torch.Tensor:
    b, c, h, w = x.shape
    return x.reshape(b, c, h * w).permute(0, 2, 1)


def frames_to_clips(x: torch.Tensor, t: int) -> torch.Tensor:
    """'(b t) n d -> (b n) t d'"""
    bt, n, d = x.shape
    return x.reshape(-1, t, n, d).permute(0, 2, 1, 3).reshape(-1, t, d)


def clips_to_frames(x: torch.Tensor, n: int) -> torch.Tensor:
    """'(b n) t d -> (b t) n d'"""
    bn, t, d = x.shape
    return x.reshape(-1, n, t, d).permute(0, 2, 1, 3).reshape(-1, n, d)


class Attention(nn.Module):
    """timm 0.6.13 Attention (qkv, proj)."""

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """timm 0.6.13 ViT Block without layer scale / drop path (inference)."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1 = _layer_norm(dim)
        self.attn = Attention(dim, num_heads, qkv_bias=True)
        self.norm2 = _layer_norm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class Fovea(nn.Module):
    """Spatial softmax over each channel's map, sharpened by a learnable temperature `smooth`."""

    def __init__(self):
        super().__init__()
        self.smooth = nn.Parameter(torch.zeros(1) + 10.0)
        # The official `if self.smooth:` skips the scaling only when the learnt value is exactly 0;
        # that is decided once at load time (see checkpoint.py) instead of branching on a tensor.
        self.use_smooth = True

    def forward(self, x):
        b, c, h, w = x.shape
        x = x.reshape(b, c, h * w)
        mask = (x * self.smooth if self.use_smooth else x).softmax(dim=-1)
        return (mask * x).reshape(b, c, h, w)


class Adapter(nn.Module):
    """Official Adapter: D_fc1 -> GELU -> (attention | identity) -> D_fc2 (zero-initialised)."""

    def __init__(self, dim: int, hidden: int, attention: bool, num_heads: int):
        super().__init__()
        self.act = nn.GELU()
        self.D_fc1 = nn.Linear(dim, hidden)
        self.D_fc2 = nn.Linear(hidden, dim)
        self.attn = Attention(hidden, num_heads, qkv_bias=False) if attention else nn.Identity()
        nn.init.trunc_normal_(self.D_fc1.weight, std=0.02)
        nn.init.zeros_(self.D_fc1.bias)
        nn.init.zeros_(self.D_fc2.weight)
        nn.init.zeros_(self.D_fc2.bias)

    def forward(self, x):
        # skip_connect=False for both official TMAdapter adapters.
        return self.D_fc2(self.attn(self.act(self.D_fc1(x))))


class TMAdapter(nn.Module):
    """Temporal-modelling adapter: self-attention over the T frames of every token position, then
    LayerNorm and a spatial (MLP) adapter."""

    def __init__(self, dim: int, num_frames: int, hidden: int, num_heads: int):
        super().__init__()
        self.num_frames = num_frames
        self.T_Adapter = Adapter(dim, hidden, attention=True, num_heads=num_heads)
        self.norm = nn.LayerNorm(dim)  # official: default eps 1e-5
        self.S_Adapter = Adapter(dim, hidden, attention=False, num_heads=num_heads)

    def forward(self, x):
        n = x.shape[1]
        xt = self.T_Adapter(frames_to_clips(x, self.num_frames))
        return self.S_Adapter(self.norm(clips_to_frames(xt, n)))


class Prompt_block(nn.Module):  # noqa: N801 (official class name, kept for greppability)
    def __init__(self, dim: int, prompt_dim: int, num_frames: int, adapter_dim: int, adapter_heads: int):
        super().__init__()
        self.conv0_0 = nn.Conv2d(dim, prompt_dim, kernel_size=1)
        self.conv0_1 = nn.Conv2d(dim, prompt_dim, kernel_size=1)
        self.conv1x1 = nn.Conv2d(prompt_dim, dim, kernel_size=1)
        self.fovea = Fovea()
        self.TMA = TMAdapter(dim, num_frames, adapter_dim, adapter_heads)
        for p in (self.conv0_0.weight, self.conv0_1.weight, self.conv1x1.weight):
            nn.init.xavier_uniform_(p)

    def forward(self, x):
        """x: (BT, 2D, s, s) = RGB half ++ landmark/prompt half. Returns (prompt map, TMA tokens)."""
        c = x.shape[1] // 2
        x0 = x[:, :c]
        x2 = self.TMA(feature2token(x0))
        x0 = self.fovea(self.conv0_0(x0)) + self.conv0_1(x[:, c:])
        return self.conv1x1(x0), x2


class PatchEmbed(nn.Module):
    def __init__(self, in_chans: int, dim: int, patch: int):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class I3DHead(nn.Module):
    def __init__(self, num_classes: int, dim: int, dropout: float = 0.5):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.fc_cls = nn.Linear(dim, num_classes)

    def forward(self, x):
        # x: (B, D, T) -> mean over T -> dropout (identity in eval) -> linear
        return self.fc_cls(self.dropout(x.mean(dim=2)))


class S2DVisionTransformer(nn.Module):
    """Official S2D ViT ('deep' prompts, class token, global_pool='token')."""

    def __init__(self, cfg: S2DConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        d, t = cfg.embed_dim, cfg.num_frames
        self.num_frames = t
        self.patch_embed = PatchEmbed(3, d, cfg.patch_size)
        self.patch_embed_prompt = PatchEmbed(cfg.landmark_channels, d, 1)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embed = nn.Parameter(torch.zeros(1, cfg.grid ** 2 + 1, d), requires_grad=False)
        self.temporal_embedding = nn.Parameter(torch.zeros(1, t, d))
        self.prompt_blocks = nn.Sequential(*[
            Prompt_block(d, cfg.prompt_dim, t, cfg.adapter_dim, cfg.adapter_heads) for _ in range(cfg.depth)])
        self.prompt_norms = nn.Sequential(*[_layer_norm(d) for _ in range(cfg.depth)])
        self.blocks = nn.Sequential(*[Block(d, cfg.num_heads, cfg.mlp_ratio) for _ in range(cfg.depth)])
        self.ln_post = _layer_norm(d)
        self.head = I3DHead(cfg.num_classes, d)
        for p in (self.cls_token, self.pos_embed, self.temporal_embedding):
            nn.init.trunc_normal_(p, std=0.02)

    def _prompt(self, i: int, x_tokens: torch.Tensor, a: torch.Tensor):
        x_feat = torch.cat([token2feature(x_tokens), token2feature(self.prompt_norms[0](a))], dim=1)
        x_feat, x1 = self.prompt_blocks[i](x_feat)
        return feature2token(x_feat), x1

    def forward_features(self, x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(x)
        a = self.patch_embed_prompt(a)
        x_feat, x1 = self._prompt(0, self.prompt_norms[0](x), a)
        a = x_feat
        x = x + x1 + x_feat
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        n = x.shape[1]
        x = clips_to_frames(frames_to_clips(x, self.num_frames) + self.temporal_embedding, n)
        for i, blk in enumerate(self.blocks):
            if i >= 1:
                x_ori = x
                x = self.prompt_norms[i - 1](x)
                x_feat, x1 = self._prompt(i, x[:, 1:], a)
                a = x_feat
                x = torch.cat([x_ori[:, 0:1], x_ori[:, 1:] + x1 + x_feat], dim=1)
            x = blk(x)
        return self.ln_post(x)

    def forward(self, x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        """x: (B, 3, T, H, W) normalised frames (official layout); a: (B*T, 128, 14, 14) landmark features."""
        b, c, t, h, w = x.shape
        x = x.permute(0, 2, 1, 3, 4).reshape(b * t, c, h, w)
        return self._logits(x, a, t)

    def _logits(self, x_bt: torch.Tensor, a: torch.Tensor, t: int) -> torch.Tensor:
        cls = self.forward_features(x_bt, a)[:, 0]
        cls = cls.reshape(-1, t, cls.shape[-1]).permute(0, 2, 1)  # '(b t) c -> b c t'
        return self.head(cls)


class S2DWindowed(nn.Module):
    """What the ONNX graph holds: frames (N, T, 3, H, W) -> logits (N, C), MobileFaceNet included.

    `vit` holds the official S2D checkpoint's keys, `landmark.backbone` the MobileFaceNet ones.
    """

    def __init__(self, cfg: S2DConfig):
        super().__init__()
        self.cfg = cfg
        self.vit = S2DVisionTransformer(cfg)
        self.landmark = Landmark(cfg.landmark_size)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        n, t, c, h, w = frames.shape
        x = frames.reshape(n * t, c, h, w)
        return self.vit._logits(x, self.landmark(x), self.cfg.num_frames)
