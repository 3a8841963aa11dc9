"""face_landmarker.task: MediaPipe's face detector and 468-point mesh as a Tasks API model bundle.

@mediapipe/tasks-vision's FaceLandmarker (the dashboard's in-browser camera check) loads a ZIP
with `face_detector.tflite` and `face_landmarks_detector.tflite` at its root, the layout of
Google's official face_landmarker.task. Both models come from @mediapipe/face_mesh (the same
bytes the ONNX exports are converted from) with the TFLite metadata the Tasks API insists on; the
mesh's landmarks output is zero-padded from 468 to the 478 points the Tasks graph reads
(tflite_pad_landmarks.py), so the runtime never reads past the tensor.
"""
from __future__ import annotations

import io
import zipfile

from . import convert
from .tflite_metadata import ImageInput, ModelInfo, build_metadata, with_metadata
from .tflite_pad_landmarks import pad_landmarks

FILE = 'face_landmarker.task'
DETECTOR_ENTRY = 'face_detector.tflite'
LANDMARKS_ENTRY = 'face_landmarks_detector.tflite'
# A fixed timestamp (ZIP's epoch) and mode so the same inputs always give the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o644

LICENCE = 'Apache-2.0 (Google MediaPipe)'
# The normalisations are the models' own (see blazeface-short-range.md / face-landmark-468.md):
# the detector takes RGB in [-1, 1] = (v - 127.5) / 127.5, the mesh RGB in [0, 1] = (v - 0) / 255.
DETECTOR_INFO = ModelInfo(
    name='face_detection_short_range', licence=LICENCE,
    description='BlazeFace short range from @mediapipe/face_mesh: faces within ~2 m, 896 SSD anchors.',
    image_input=ImageInput('input', '128x128 RGB letterboxed frame', mean=127.5, std=127.5),
    outputs=[('regressors', 'box and 6 keypoints per anchor'), ('classificators', 'score logit per anchor')],
)
LANDMARKS_INFO = ModelInfo(
    name='face_landmark', licence=LICENCE,
    description='MediaPipe Face Mesh (without attention) from @mediapipe/face_mesh: 468 3-D landmarks, '
                'zero-padded to the 478 the Tasks API reads.',
    image_input=ImageInput('input_1', '192x192 RGB face crop', mean=0.0, std=255.0),
    outputs=[('landmarks', '468 x (x, y, z) in crop pixels, then 10 x (0, 0, 0) padding'), ('presence', 'face presence logit')],
)


def entries() -> dict[str, bytes]:
    """Bundle entry name -> bytes, in the order they are written."""
    return {
        DETECTOR_ENTRY: with_metadata(convert.detector_tflite(), build_metadata(DETECTOR_INFO)),
        LANDMARKS_ENTRY: with_metadata(pad_landmarks(convert.landmarks_tflite()), build_metadata(LANDMARKS_INFO)),
    }


def build_bundle() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w') as z:
        for name, data in entries().items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            # Stored, not deflated: the Tasks runtime maps the models straight out of the archive.
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = ZIP_MODE << 16
            z.writestr(info, data)
    return out.getvalue()

