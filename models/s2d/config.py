"""Model sizes. `vit-b` is the official S2D configuration; `tiny` keeps every code path (prompts,
adapters, Fovea, MobileFaceNet) but is small enough for fast tests."""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class S2DConfig:
    img_size: int = 224
    patch_size: int = 16
    embed_dim: int = 768
    depth: int = 12
    num_heads: int = 12
    mlp_ratio: float = 4.0
    num_frames: int = 16
    num_classes: int = 7
    # Multi-view complementary prompter: channels of the RGB/landmark reductions (official hidden_dim).
    prompt_dim: int = 8
    # Temporal-modelling adapters: hidden = int(embed_dim * adapter_scale), attention heads over T.
    adapter_scale: float = 0.25
    adapter_heads: int = 8
    # MobileFaceNet conv_4 output channels (official in_chans_l) and its input size.
    landmark_channels: int = 128
    landmark_size: int = 112

    @property
    def grid(self) -> int:
        return self.img_size // self.patch_size

    @property
    def adapter_dim(self) -> int:
        return int(self.embed_dim * self.adapter_scale)

    def validate(self) -> "S2DConfig":
        # The landmark tokens come from MobileFaceNet's conv_4 map (landmark_size / 8 per side) and are
        # concatenated channel-wise with the RGB patch grid, so both grids must match.
        lm_grid = self.landmark_size // 8
        if self.img_size % self.patch_size or self.grid != lm_grid:
            raise ValueError(
                f"patch grid {self.img_size}/{self.patch_size} must equal the landmark grid "
                f"{self.landmark_size}/8 = {lm_grid}")
        if self.embed_dim % self.num_heads or self.adapter_dim % self.adapter_heads:
            raise ValueError("embed_dim must divide by num_heads and the adapter dim by adapter_heads")
        return self


CONFIGS: dict[str, S2DConfig] = {
    "vit-b": S2DConfig(),
    # head dim 64 as in ViT-B, so the head count can be inferred from a checkpoint's shapes
    "tiny": S2DConfig(img_size=56, patch_size=4, embed_dim=128, depth=2, num_heads=2, num_frames=4),
}


def get_config(name: str, num_classes: int | None = None) -> S2DConfig:
    if name not in CONFIGS:
        raise ValueError(f"unknown config {name!r}; choose one of {sorted(CONFIGS)}")
    cfg = CONFIGS[name]
    if num_classes is not None:
        cfg = replace(cfg, num_classes=num_classes)
    return cfg.validate()
