"""Extracts the .tflite files from @mediapipe/face_mesh's Emscripten packed-assets file.

The byte ranges are read from the package's own loader JS (`loadPackage({"files": [...]})`),
so a different package version with other offsets still extracts correctly.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

LOADER = 'face_mesh_solution_packed_assets_loader.js'
DATA = 'face_mesh_solution_packed_assets.data'


def packed_file_table(package_dir: Path) -> dict[str, tuple[int, int]]:
    """Maps each packed file's base name to its [start, end) byte range."""
    loader = (package_dir / LOADER).read_text()
    match = re.search(r'loadPackage\((\{"files":.*?\})\);?\s*\}', loader, re.S) or re.search(r'"files":\s*(\[.*?\])', loader, re.S)
    if not match:
        raise ValueError(f'no loadPackage file table in {package_dir / LOADER}; is this @mediapipe/face_mesh?')
    text = match.group(1)
    files = json.loads(text)['files'] if text.startswith('{') else json.loads(text)
    return {Path(f['filename']).name: (int(f['start']), int(f['end'])) for f in files}


def extract(package_dir: Path, name: str) -> bytes:
    table = packed_file_table(package_dir)
    if name not in table:
        raise KeyError(f'{name} not in {package_dir / DATA} (has {", ".join(sorted(table))})')
    start, end = table[name]
    with open(package_dir / DATA, 'rb') as f:
        f.seek(start)
        data = f.read(end - start)
    if len(data) != end - start or data[4:8] != b'TFL3':
        raise ValueError(f'{name} at [{start}, {end}) of {package_dir / DATA} is not a TFLite flatbuffer')
    return data
