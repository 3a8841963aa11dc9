"""Builds every model in models/ from the original weights in node_modules, then the reference fixture
and SHA256SUMS.  Run with `npm run build -w models` (= .venv/bin/python -m tools.build_all).

Idempotent and deterministic: the same packages give byte-identical files; unchanged files are not
rewritten.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time

from tqdm import tqdm

from . import sources as src
from .convert import CONVERTERS
from .onnx_builder import serialise

SUMS = src.MODELS_DIR / 'SHA256SUMS'


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_if_changed(path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    tmp = path.with_suffix(path.suffix + '.tmp')
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def sums_text() -> str:
    from baseline.build import OUT_PATH as BASELINE_PATH
    from .reference import CROP_FACEAPI, CROP_MINIXCEPTION, REFERENCE
    # The baseline is committed and loaded by the product like the converted models, so it is checksummed too.
    from .task_bundle import FILE as TASK_FILE
    files = [src.MODELS_DIR / m.file for m in src.ALL] + [BASELINE_PATH, src.MODELS_DIR / TASK_FILE, REFERENCE, CROP_FACEAPI, CROP_MINIXCEPTION]
    return ''.join(f'{sha256(f)}  {f.relative_to(src.MODELS_DIR).as_posix()}\n' for f in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--skip-reference', action='store_true', help='convert the models only (no TFLite/tfjs reference run)')
    args = parser.parse_args(argv)
    try:
        steps = tqdm(src.ALL, desc="models", unit="model", file=sys.stderr, disable=not sys.stderr.isatty())
        for spec in steps:
            steps.set_postfix_str(spec.file)
            t0 = time.perf_counter()
            changed = write_if_changed(src.MODELS_DIR / spec.file, serialise(CONVERTERS[spec.key]()))
            tqdm.write(f'[models] {spec.file}: {"written" if changed else "unchanged"} ({time.perf_counter() - t0:.1f} s)', file=sys.stderr)
        # The windowed baseline embeds expression-faceapi.onnx (and records its sha), so it is
        # rebuilt after the classifiers; write_if_changed keeps it byte-identical when nothing moved.
        from baseline.build import OUT_PATH as BASELINE_PATH, build_from_file
        changed = write_if_changed(BASELINE_PATH, serialise(build_from_file()))
        tqdm.write(f'[models] {BASELINE_PATH.name}: {"written" if changed else "unchanged"}', file=sys.stderr)
        # The dashboard's in-browser camera check (@mediapipe/tasks-vision) loads the same two
        # MediaPipe models as a .task bundle, with the TFLite metadata the Tasks API requires.
        from .task_bundle import FILE as TASK_FILE, build_bundle
        changed = write_if_changed(src.MODELS_DIR / TASK_FILE, build_bundle())
        tqdm.write(f'[models] {TASK_FILE}: {"written" if changed else "unchanged"}', file=sys.stderr)
        if not args.skip_reference:
            from .reference import write_reference
            print('[models] reference: running the original TFLite and tfjs models on the astronaut', file=sys.stderr)
            from .reference import REFERENCE
            state = 'written' if write_reference() else 'unchanged'
            print(f'[models] {REFERENCE.relative_to(src.REPO_ROOT)}: {state}', file=sys.stderr)
        changed = write_if_changed(SUMS, sums_text().encode())
        print(f'[models] SHA256SUMS {"written" if changed else "unchanged"}', file=sys.stderr)
    except (FileNotFoundError, KeyError, RuntimeError, ValueError) as err:
        print(f'[models] error: {err}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
