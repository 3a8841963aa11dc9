"""One function per model: original weights in node_modules -> ONNX ModelProto."""
from __future__ import annotations

import hashlib
import json

from . import sources as src
from .faceapi_to_onnx import convert_faceapi_expression
from .mediapipe_assets import extract
from .tflite_to_onnx import convert_tflite
from .tfjs_graph_to_onnx import convert_tfjs_graph
from .tfjs_weights import read_weights


def detector_tflite() -> bytes:
    return extract(src.package_dir(src.FACE_MESH_PKG), 'face_detection_short_range.tflite')


def landmarks_tflite() -> bytes:
    return extract(src.package_dir(src.FACE_MESH_PKG), 'face_landmark.tflite')


FACEAPI_MANIFEST = 'face_expression_model-weights_manifest.json'


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tfjs_file_hashes(folder, json_name: str, manifest: list[dict]) -> dict[str, str]:
    """sha256 of the tfjs JSON and every weight shard it names (provenance in the ONNX metadata)."""
    names = [json_name] + [p for group in manifest for p in group['paths']]
    return {name: sha256((folder / name).read_bytes()) for name in names}


def faceapi_weights():
    folder = src.package_dir(src.FACEAPI_PKG) / 'model'
    manifest = json.loads((folder / FACEAPI_MANIFEST).read_text())
    return read_weights(manifest, folder), tfjs_file_hashes(folder, FACEAPI_MANIFEST, manifest)


def minixception_graph():
    folder = src.package_dir(src.HUMAN_MODELS_PKG) / 'models'
    model_json = json.loads((folder / 'emotion.json').read_text())
    return model_json, read_weights(model_json['weightsManifest'], folder), tfjs_file_hashes(folder, 'emotion.json', model_json['weightsManifest'])


def convert_detector():
    data = detector_tflite()
    return convert_tflite(data, 'input', [('regressors', None), ('classificators', None)], 'blazeface_short_range',
                          src.DETECTOR.metadata({'face_detection_short_range.tflite': sha256(data)}))


def convert_landmarks():
    data = landmarks_tflite()
    return convert_tflite(data, 'input', [('landmarks', [1, 1404]), ('presence', [1, 1])], 'face_landmark_468',
                          src.LANDMARKS.metadata({'face_landmark.tflite': sha256(data)}))


def convert_faceapi():
    weights, hashes = faceapi_weights()
    return convert_faceapi_expression(weights, src.FACEAPI.metadata(hashes))


def convert_minixception():
    model_json, weights, hashes = minixception_graph()
    return convert_tfjs_graph(model_json, weights, 'input', 'probs', src.MINIXCEPTION.metadata(hashes), 'minixception_emotion')


CONVERTERS = {
    src.DETECTOR.key: convert_detector,
    src.LANDMARKS.key: convert_landmarks,
    src.FACEAPI.key: convert_faceapi,
    src.MINIXCEPTION.key: convert_minixception,
}
