"""Reads tfjs weights (weights manifest + .bin shards), dequantising as tfjs's io.decodeWeights does."""
from __future__ import annotations

from pathlib import Path

import numpy as np

_PLAIN = {'float32': np.float32, 'int32': np.int32}
_QUANT = {'uint8': np.uint8, 'uint16': np.uint16, 'float16': np.float16}


def read_weights(manifest: list[dict], folder: Path) -> dict[str, np.ndarray]:
    """`manifest`: the tfjs weightsManifest (a list of groups with `paths` and `weights`)."""
    out: dict[str, np.ndarray] = {}
    for group in manifest:
        blob = b''.join((folder / p).read_bytes() for p in group['paths'])
        offset = 0
        for spec in group['weights']:
            shape = [int(d) for d in spec['shape']]
            count = int(np.prod(shape)) if shape else 1
            q = spec.get('quantization')
            if q:
                dtype = _QUANT[q['dtype']]
                raw = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
                if q['dtype'] == 'float16':
                    values = raw.astype(np.float32)
                else:
                    # tfjs computes q * scale + min in doubles, then stores float32.
                    values = (raw.astype(np.float64) * q['scale'] + q['min']).astype(np.float32)
                size = count * np.dtype(dtype).itemsize
            else:
                if spec['dtype'] not in _PLAIN:
                    raise ValueError(f'weight {spec["name"]} has unsupported dtype {spec["dtype"]}')
                dtype = _PLAIN[spec['dtype']]
                values = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
                size = count * np.dtype(dtype).itemsize
            out[spec['name']] = values.reshape(shape).astype(_PLAIN.get(spec['dtype'], np.float32))
            offset += size
        if offset != len(blob):
            raise ValueError(f'weights {group["paths"]} hold {len(blob)} bytes, manifest describes {offset}')
    return out
