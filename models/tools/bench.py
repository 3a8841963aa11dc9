"""Latency of each ONNX model (onnxruntime, CPU) next to its original runtime, on the astronaut inputs.

    .venv/bin/python -m tools.bench [--runs 200] [--threads 1]

Prints median milliseconds per single-image run: ONNX (onnxruntime, Python binding; onnxruntime-node
runs the same kernels) against the TFLite interpreter for the MediaPipe models and tfjs 4.22's
pure-JS cpu backend in Node for the classifiers. A measurement, not a test: numbers vary with the
machine and its load.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from . import convert, face_pipeline as fp, sources as src
from .reference import ASTRONAUT, CROP_FACEAPI, CROP_MINIXCEPTION, classifier_inputs, load_rgb, run_tfjs
from .runners import onnx_runner, tflite_runner


def median_ms(run, x: np.ndarray, runs: int) -> float:
    for _ in range(min(20, runs)):
        run(x)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run(x)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--runs', type=int, default=200, help='timed runs per model (after 20 warm-up runs)')
    parser.add_argument('--threads', type=int, default=1, help='intra-op threads for onnxruntime and TFLite')
    args = parser.parse_args(argv)

    image = load_rgb(ASTRONAUT)
    det_x, _ = fp.detector_input(image)
    faces, _ = fp.detect(image, tflite_runner(convert.detector_tflite()))
    mesh_x, _ = fp.mesh_input(image, fp.detection_roi(faces[0]))
    fa_x, mx_x = classifier_inputs(load_rgb(CROP_FACEAPI), load_rgb(CROP_MINIXCEPTION))

    rows = []
    for spec, x, tflite in [(src.DETECTOR, det_x, convert.detector_tflite()), (src.LANDMARKS, mesh_x, convert.landmarks_tflite())]:
        print(f'[bench] {spec.file} ...', file=sys.stderr)
        onnx_ms = median_ms(onnx_runner(str(src.MODELS_DIR / spec.file), args.threads), x, args.runs)
        # Both sides return their outputs as numpy arrays, so both pay one copy.
        rows.append((spec.file, onnx_ms, 'TFLite interpreter (XNNPACK)', median_ms(tflite_runner(tflite, args.threads), x, args.runs)))

    print('[bench] classifiers (tfjs runs in Node) ...', file=sys.stderr)
    tfjs = run_tfjs(fa_x, mx_x, bench=max(10, args.runs // 10))
    for spec, x, key in [(src.FACEAPI, fa_x, 'faceapi'), (src.MINIXCEPTION, mx_x, 'minixception')]:
        onnx_ms = median_ms(onnx_runner(str(src.MODELS_DIR / spec.file), args.threads), x, args.runs)
        rows.append((spec.file, onnx_ms, f'tfjs {tfjs["tfjs_version"]} cpu backend (Node)', tfjs['bench_ms'][key]))

    print(f'\nmedian ms per image, {args.threads} thread(s), {args.runs} runs (tfjs: {max(10, args.runs // 10)} runs, its own thread model)')
    print(f'{"model":32} {"onnxruntime":>12}   {"original runtime":36} {"ms":>8}')
    for name, onnx_ms, alt, alt_ms in rows:
        print(f'{name:32} {onnx_ms:12.3f}   {alt:36} {alt_ms:8.3f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
