"""Builds models/fixtures/astronaut.reference.json from the ORIGINAL runtimes.

Detector and 468-point mesh: the TFLite interpreter on the .tflite files from @mediapipe/face_mesh.
Classifiers: tfjs 4.22 (pure-JS cpu backend, in Node) on the tfjs weights (tools/tfjs_reference.mjs),
fed the eye-levelled face crops saved next to the reference (astronaut-face-112.png, -64.png).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from . import face_pipeline as fp
from . import sources as src
from .convert import detector_tflite, landmarks_tflite
from .runners import tflite_runner

ASTRONAUT = src.REPO_ROOT / 'fixtures' / 'faces' / 'astronaut.png'
FIXTURES = src.MODELS_DIR / 'fixtures'
REFERENCE = FIXTURES / 'astronaut.reference.json'
CROP_FACEAPI = FIXTURES / 'astronaut-face-112.png'
CROP_MINIXCEPTION = FIXTURES / 'astronaut-face-64.png'
SCHEMA_VERSION = 1


def load_rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert('RGB'))


def save_png(path: Path, rgb: np.ndarray) -> None:
    # No timestamps or other chunks that vary between runs: the same pixels give the same bytes.
    if path.exists() and np.array_equal(load_rgb(path), rgb):
        return
    Image.fromarray(rgb).save(path, format='PNG', optimize=False, compress_level=9)


def face_crops(image: np.ndarray, lm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    crops = []
    for size in (112, 64):
        crops.append(np.clip(np.rint(fp.warp_affine(image, fp.face_crop_matrix(lm, size), size, size)), 0, 255).astype(np.uint8))
    return crops[0], crops[1]


def classifier_inputs(crop112: np.ndarray, crop64: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return crop112.astype(np.float32)[None], fp.grey_input(crop64)


def run_tfjs(faceapi_x: np.ndarray, minixception_x: np.ndarray, bench: int = 0) -> dict:
    """Probabilities from the original tfjs weights in Node (tools/tfjs_reference.mjs); `bench` > 0 also times that many runs."""
    node = shutil.which('node')
    if not node:
        raise RuntimeError('node is not on PATH; the classifier references run the original tfjs weights in Node 20')
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        faceapi_x.astype('<f4').tofile(t / 'faceapi.f32')
        minixception_x.astype('<f4').tofile(t / 'minixception.f32')
        (t / 'request.json').write_text(json.dumps({
            'faceapi': {'input': str(t / 'faceapi.f32'), 'shape': list(faceapi_x.shape)},
            'minixception': {'input': str(t / 'minixception.f32'), 'shape': list(minixception_x.shape)},
            'bench': bench,
        }))
        proc = subprocess.run([node, str(Path(__file__).with_name('tfjs_reference.mjs')), str(t / 'request.json'), str(t / 'result.json')],
                              cwd=src.MODELS_DIR, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f'tfjs reference run failed (is @tensorflow/tfjs-core installed? run npm install):\n{proc.stderr[-2000:]}')
        return json.loads((t / 'result.json').read_text())


def _r(v: float, digits: int = 6) -> float:
    return round(float(v), digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def build_reference(save_crops: bool = True) -> dict:
    """The reference dict; `save_crops` (re)writes the classifier crops next to it when their pixels changed."""
    image = load_rgb(ASTRONAUT)
    faces, raw_det = fp.detect(image, tflite_runner(detector_tflite()))
    if len(faces) != 1:
        raise RuntimeError(f'expected one face in {ASTRONAUT}, the original detector found {len(faces)}')
    face = faces[0]
    roi = fp.detection_roi(face)
    lm, presence, _ = fp.landmarks(image, roi, tflite_runner(landmarks_tflite()))
    _, detector_m = fp.detector_input(image)
    _, mesh_m = fp.mesh_input(image, roi)
    crop112, crop64 = face_crops(image, lm)
    if save_crops:
        save_png(CROP_FACEAPI, crop112)
        save_png(CROP_MINIXCEPTION, crop64)
    fa_x, mx_x = classifier_inputs(crop112, crop64)
    tfjs = run_tfjs(fa_x, mx_x)
    scores = fp.sigmoid(raw_det['logits'].reshape(-1).astype(np.float64))
    return {
        'schema_version': SCHEMA_VERSION,
        'image': 'fixtures/faces/astronaut.png',
        'image_size': {'width': int(image.shape[1]), 'height': int(image.shape[0])},
        'coordinates': 'image pixels, pixel centres at integer coordinates (OpenCV/MediaPipe); z in the same pixel scale',
        'runtimes': {
            'detector': 'TFLite interpreter (tensorflow-cpu) on face_detection_short_range.tflite',
            'landmarks': 'TFLite interpreter (tensorflow-cpu) on face_landmark.tflite',
            'classifiers': f'tfjs-core {tfjs["tfjs_version"]} {tfjs["backend"]} backend in Node on the original tfjs weights',
        },
        'sources': {m.key: {'package': m.package, 'version': src.package_version(m.package), 'file': m.source_file} for m in src.ALL},
        'detection': {
            'box': {k: _r(v, 4) for k, v in face['box'].items()},
            'keypoints': [[_r(x, 4), _r(y, 4)] for x, y in face['keypoints']],
            'keypoint_names': ['right_eye', 'left_eye', 'nose_tip', 'mouth', 'right_ear_tragion', 'left_ear_tragion'],
            'score': _r(face['score']),
            'anchors_above_threshold': int((scores >= fp.MIN_SCORE).sum()),
        },
        'detector_input': {'size': fp.DETECTOR_SIZE, 'fit': 'letterbox: scaled to fit, centred, zero border; bilinear',
                           'crop_to_image': [[_r(v) for v in row] for row in detector_m]},
        'roi': {**{k: _r(v, 4) for k, v in roi.items()}, 'crop_size': fp.MESH_SIZE,
                'crop_to_image': [[_r(v) for v in row] for row in mesh_m]},
        'landmarks': [[_r(x, 4), _r(y, 4), _r(z, 4)] for x, y, z in lm],
        'presence': _r(presence),
        'expressions': {
            'crops': {'faceapi': 'models/fixtures/astronaut-face-112.png (RGB, input as 0..255)',
                      'minixception': 'models/fixtures/astronaut-face-64.png (RGB; input grey as in the model card)',
                      'how': 'square crop around the mesh bounding box x1.1, rotated so landmarks 33 and 263 are level, bilinear'},
            'faceapi': {'labels': src.FACEAPI_LABELS, 'probs': [_r(p, 7) for p in tfjs['faceapi'][0]]},
            'minixception': {'labels': src.MINIXCEPTION_LABELS, 'probs': [_r(p, 7) for p in tfjs['minixception'][0]]},
        },
    }


def write_reference() -> bool:
    """Writes the reference (and its crops, inside build_reference); True when the JSON changed."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build_reference(), indent=1) + '\n'
    if REFERENCE.exists() and REFERENCE.read_text() == text:
        return False
    REFERENCE.write_text(text)
    return True
