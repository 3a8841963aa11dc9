"""Loading official S2D / MobileFaceNet checkpoints into S2DWindowed with strict key checking.

Official files and the state dicts inside them:
- S2D fine-tuned checkpoint (`utils.save_model` of the VideoMAE-style trainer): a dict whose
  `model` entry (also accepted: `module`, `model_state_dict`, `state_dict`, or a bare state dict)
  holds `S2DVisionTransformer` keys (`patch_embed.proj.weight`, `prompt_blocks.0.TMA.T_Adapter...`).
- MobileFaceNet (`landmark/mobilefacenet_model_best.pth.tar`): `{"state_dict": {...}}` with
  `conv1.conv.weight` .. `output_layer.bn.num_batches_tracked`.
Key mapping applied (mirrors the official loader): a leading `module.` (DataParallel) is dropped;
`norm.weight/bias` become `ln_post.weight/bias`; keys containing `landmark` inside the S2D
checkpoint are ignored (the official loader pops them too). Everything else must match exactly.
"""
from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

import torch

from .config import S2DConfig
from .model import S2DWindowed

CONTAINER_KEYS = ("model", "module", "model_state_dict", "state_dict")


class CheckpointError(ValueError):
    pass


def read_checkpoint(path: str | Path, allow_pickle: bool = False) -> Mapping:
    """torch.load with weights_only (no arbitrary code); argparse.Namespace (the trainer's saved
    `args`) is allow-listed. `allow_pickle` opts into full unpickling for files you trust."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    if allow_pickle:
        return torch.load(path, map_location="cpu", weights_only=False)
    with torch.serialization.safe_globals([argparse.Namespace]):
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except Exception as err:  # pickle.UnpicklingError and friends
            raise CheckpointError(
                f"{path} holds Python objects beyond tensors ({str(err).splitlines()[0]}). "
                "If you trust the file, re-run with --allow-pickle.") from err


def extract_state_dict(obj: Mapping, what: str) -> dict[str, torch.Tensor]:
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"{what}: expected a dict, got {type(obj).__name__}")
    if not any(isinstance(v, torch.Tensor) for v in obj.values()):
        for key in CONTAINER_KEYS:
            if isinstance(obj.get(key), Mapping):
                obj = obj[key]
                break
        else:
            raise CheckpointError(
                f"{what}: no state dict found (looked for tensors or one of {CONTAINER_KEYS}; "
                f"top-level keys: {sorted(map(str, obj))[:10]})")
    return {k: v for k, v in obj.items() if isinstance(v, torch.Tensor)}


def map_s2d_keys(sd: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    for k, v in sd.items():
        if k.startswith("module."):
            k = k[len("module."):]
        if "landmark" in k:
            continue
        k = {"norm.weight": "ln_post.weight", "norm.bias": "ln_post.bias"}.get(k, k)
        out[k] = v
    return out


def map_landmark_keys(sd: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out = {}
    for k, v in sd.items():
        for prefix in ("module.", "backbone."):
            if k.startswith(prefix):
                k = k[len(prefix):]
        out[k] = v
    return out


def load_strict(module: torch.nn.Module, sd: Mapping[str, torch.Tensor], what: str) -> None:
    """load_state_dict(strict=True), with an error that names every offending key and shape."""
    own = module.state_dict()
    missing = [k for k in own if k not in sd]
    unexpected = [k for k in sd if k not in own]
    wrong = [f"{k}: checkpoint {tuple(sd[k].shape)} vs model {tuple(own[k].shape)}"
             for k in own if k in sd and tuple(sd[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or wrong:
        lines = [f"{what} does not match the official S2D naming/shapes:"]
        if missing:
            lines.append(f"  missing keys ({len(missing)}): {', '.join(missing[:20])}")
        if unexpected:
            lines.append(f"  unexpected keys ({len(unexpected)}): {', '.join(unexpected[:20])}")
        if wrong:
            lines.append(f"  shape mismatches ({len(wrong)}): {'; '.join(wrong[:10])}")
        lines.append("  Check that the file is the right one (S2D fine-tuned .pth for --checkpoint, "
                     "mobilefacenet_model_best.pth.tar for --landmark) and that --dataset matches its head.")
        raise CheckpointError("\n".join(lines))
    module.load_state_dict(sd, strict=True)


def refresh_fovea_flags(model: S2DWindowed) -> None:
    # Official Fovea evaluates `if self.smooth:`: a learnt temperature of exactly 0 disables scaling.
    for blk in model.vit.prompt_blocks:
        blk.fovea.use_smooth = bool(blk.fovea.smooth.detach().item() != 0.0)


def load_official(model: S2DWindowed, s2d_sd: Mapping[str, torch.Tensor],
                  landmark_sd: Mapping[str, torch.Tensor]) -> None:
    load_strict(model.vit, map_s2d_keys(s2d_sd), "S2D checkpoint")
    load_strict(model.landmark.backbone, map_landmark_keys(landmark_sd), "MobileFaceNet checkpoint")
    refresh_fovea_flags(model)


def load_official_files(model: S2DWindowed, checkpoint: str | Path, landmark: str | Path,
                        allow_pickle: bool = False) -> None:
    s2d_sd = extract_state_dict(read_checkpoint(checkpoint, allow_pickle), f"S2D checkpoint {checkpoint}")
    lm_sd = extract_state_dict(read_checkpoint(landmark, allow_pickle), f"MobileFaceNet checkpoint {landmark}")
    load_official(model, s2d_sd, lm_sd)


def config_from_state_dict(sd: Mapping[str, torch.Tensor]) -> S2DConfig:
    """Reads the model size off an (official-named) S2D state dict. The ViT head count is not
    visible in shapes; like ViT-B (768 / 12) it is taken as embed_dim / 64. The adapters' 8 heads
    are the official constant."""
    sd = map_s2d_keys(sd)
    need = ("cls_token", "pos_embed", "temporal_embedding", "patch_embed.proj.weight",
            "head.fc_cls.weight", "prompt_blocks.0.conv0_0.weight",
            "prompt_blocks.0.TMA.T_Adapter.D_fc1.weight", "blocks.0.mlp.fc1.weight",
            "patch_embed_prompt.proj.weight")
    missing = [k for k in need if k not in sd]
    if missing:
        raise CheckpointError(f"S2D checkpoint lacks {', '.join(missing)}: is it an S2D fine-tuned checkpoint?")
    dim = int(sd["cls_token"].shape[-1])
    patch = int(sd["patch_embed.proj.weight"].shape[-1])
    grid = int(round((sd["pos_embed"].shape[1] - 1) ** 0.5))
    depth = len({k.split(".")[1] for k in sd if k.startswith("blocks.")})
    cfg = S2DConfig(
        img_size=grid * patch, patch_size=patch, embed_dim=dim, depth=depth, num_heads=max(1, dim // 64),
        mlp_ratio=sd["blocks.0.mlp.fc1.weight"].shape[0] / dim,
        num_frames=int(sd["temporal_embedding"].shape[1]),
        num_classes=int(sd["head.fc_cls.weight"].shape[0]),
        prompt_dim=int(sd["prompt_blocks.0.conv0_0.weight"].shape[0]),
        adapter_scale=sd["prompt_blocks.0.TMA.T_Adapter.D_fc1.weight"].shape[0] / dim,
        landmark_channels=int(sd["patch_embed_prompt.proj.weight"].shape[1]))
    try:
        return cfg.validate()
    except ValueError as err:
        raise CheckpointError(f"S2D checkpoint has an unsupported shape: {err}") from err
