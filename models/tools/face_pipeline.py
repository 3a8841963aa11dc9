"""The MediaPipe face pipeline around the two models, in numpy, for reference fixtures and tests.

Detector: BlazeFace short range, 896 SSD anchors (strides 8, 16, 16, 16; 2 per cell; centre offset
0.5; unit size), box and keypoint offsets / 128 relative to the anchor centre, sigmoid scores,
weighted NMS (IoU 0.3). ROI: detection box centre, rotated so the eyes (keypoints 0, 1) are level,
squared on the long side, scaled 1.5. Landmarks: the 192x192 crop's points mapped back to image
pixels; z scaled by ROI width / 192.

Sampling follows MediaPipe's CPU ImageToTensor (cv::warpAffine, INTER_LINEAR): output pixel (u, v)
reads the image at M . (u, v) with integer coordinates at pixel centres, and M maps crop corners to
ROI corners; landmarks map back through the same M. (A half-pixel-centred resampler shifts the
4x-decimated detector input enough to move BlazeFace keypoints by ~5 px on the astronaut.) Models are passed in as callables so the same code runs the TFLite
originals and the ONNX exports.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

Runner = Callable[[np.ndarray], list[np.ndarray]]

DETECTOR_SIZE = 128
MESH_SIZE = 192
MIN_SCORE = 0.5
NMS_IOU = 0.3
ROI_SCALE = 1.5
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263


def ssd_anchors(size: int = DETECTOR_SIZE, strides=(8, 16, 16, 16), per_cell: int = 2) -> np.ndarray:
    """[896, 2] anchor centres (x, y) normalised to 0..1 (MediaPipe SsdAnchorsCalculator, fixed size 1)."""
    out = []
    layer = 0
    while layer < len(strides):
        # Consecutive layers with the same stride share one grid.
        count = 0
        stride = strides[layer]
        while layer < len(strides) and strides[layer] == stride:
            count += per_cell
            layer += 1
        cells = math.ceil(size / stride)
        for y in range(cells):
            for x in range(cells):
                out.extend([((x + 0.5) / cells, (y + 0.5) / cells)] * count)
    return np.array(out, np.float64)


def warp_affine(image: np.ndarray, src_from_dst: np.ndarray, width: int, height: int, border: str = 'replicate') -> np.ndarray:
    """Bilinear sample of image (H, W, C) at src = M @ (u, v) for integer output pixels, as cv::warpAffine; float64 (height, width, C)."""
    h, w = image.shape[:2]
    u, v = np.meshgrid(np.arange(width, dtype=np.float64), np.arange(height, dtype=np.float64))
    sx = src_from_dst[0, 0] * u + src_from_dst[0, 1] * v + src_from_dst[0, 2]
    sy = src_from_dst[1, 0] * u + src_from_dst[1, 1] * v + src_from_dst[1, 2]
    x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
    fx, fy = (sx - x0)[..., None], (sy - y0)[..., None]
    img = image.astype(np.float64)

    def at(yy, xx):
        inside = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
        px = img[np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
        return px if border == 'replicate' else px * inside[..., None]

    return (at(y0, x0) * (1 - fx) * (1 - fy) + at(y0, x0 + 1) * fx * (1 - fy)
            + at(y0 + 1, x0) * (1 - fx) * fy + at(y0 + 1, x0 + 1) * fx * fy)


def rect_to_crop_matrix(xc: float, yc: float, width: float, height: float, rotation: float, cw: int, ch: int) -> np.ndarray:
    """2x3 matrix from crop pixels to image pixels for a rotated rectangle."""
    c, s = math.cos(rotation), math.sin(rotation)
    sx, sy = width / cw, height / ch
    a, b, d, e = c * sx, -s * sy, s * sx, c * sy
    return np.array([[a, b, xc - a * cw / 2 - b * ch / 2], [d, e, yc - d * cw / 2 - e * ch / 2]])


def detector_input(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Letterboxed 128x128 RGB in [-1, 1] and the matrix from detector pixels to image pixels."""
    h, w = image.shape[:2]
    s = min(DETECTOR_SIZE / w, DETECTOR_SIZE / h)
    pad_x, pad_y = (DETECTOR_SIZE - w * s) / 2, (DETECTOR_SIZE - h * s) / 2
    m = np.array([[1 / s, 0, -pad_x / s], [0, 1 / s, -pad_y / s]])
    x = warp_affine(image, m, DETECTOR_SIZE, DETECTOR_SIZE, 'zero') / 127.5 - 1.0
    return x[None].astype(np.float32), m


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, np.float64), -100, 100)))


def decode(regressors: np.ndarray, logits: np.ndarray) -> list[dict]:
    """Raw outputs -> detections in normalised detector coordinates (score >= MIN_SCORE)."""
    anchors = ssd_anchors()
    reg = regressors.reshape(-1, 16).astype(np.float64) / DETECTOR_SIZE
    scores = sigmoid(logits.reshape(-1).astype(np.float64))
    out = []
    for i in np.nonzero(scores >= MIN_SCORE)[0]:
        ax, ay = anchors[i]
        xc, yc, bw, bh = reg[i, 0] + ax, reg[i, 1] + ay, reg[i, 2], reg[i, 3]
        kps = reg[i, 4:].reshape(6, 2) + anchors[i]
        out.append({'box': np.array([xc - bw / 2, yc - bh / 2, xc + bw / 2, yc + bh / 2]), 'keypoints': kps, 'score': float(scores[i])})
    return out


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def weighted_nms(dets: list[dict], iou: float = NMS_IOU) -> list[dict]:
    """MediaPipe's WEIGHTED non-max suppression: overlapping boxes are score-weighted averages; the best score is kept."""
    rest = sorted(dets, key=lambda d: -d['score'])
    out = []
    while rest:
        top = rest[0]
        group = [d for d in rest if _iou(top['box'], d['box']) > iou]
        rest = [d for d in rest if _iou(top['box'], d['box']) <= iou]
        wts = np.array([d['score'] for d in group])
        out.append({'box': sum(d['box'] * s for d, s in zip(group, wts)) / wts.sum(),
                    'keypoints': sum(d['keypoints'] * s for d, s in zip(group, wts)) / wts.sum(),
                    'score': top['score']})
    return out


def detect(image: np.ndarray, detector: Runner) -> tuple[list[dict], dict]:
    """Faces in image pixels, best first, plus the raw detector outputs."""
    x, m = detector_input(image)
    regressors, logits = detector(x)
    faces = []
    for d in weighted_nms(decode(regressors, logits)):
        to_image = lambda pts: (pts * DETECTOR_SIZE) @ m[:, :2].T + m[:, 2]
        corners = to_image(d['box'].reshape(2, 2))
        faces.append({'box': {'xMin': corners[0, 0], 'yMin': corners[0, 1], 'width': corners[1, 0] - corners[0, 0], 'height': corners[1, 1] - corners[0, 1]},
                      'keypoints': to_image(d['keypoints']), 'score': d['score']})
    return faces, {'input': x, 'regressors': regressors, 'logits': logits}


def detection_roi(face: dict) -> dict:
    (rx, ry), (lx, ly) = face['keypoints'][0], face['keypoints'][1]
    rotation = -math.atan2(-(ly - ry), lx - rx)
    rotation = rotation - 2 * math.pi * math.floor((rotation + math.pi) / (2 * math.pi))
    b = face['box']
    side = max(b['width'], b['height']) * ROI_SCALE
    return {'xCenter': b['xMin'] + b['width'] / 2, 'yCenter': b['yMin'] + b['height'] / 2, 'width': side, 'height': side, 'rotation': rotation}


def mesh_input(image: np.ndarray, roi: dict) -> tuple[np.ndarray, np.ndarray]:
    m = rect_to_crop_matrix(roi['xCenter'], roi['yCenter'], roi['width'], roi['height'], roi['rotation'], MESH_SIZE, MESH_SIZE)
    return (warp_affine(image, m, MESH_SIZE, MESH_SIZE) / 255.0)[None].astype(np.float32), m


def landmarks(image: np.ndarray, roi: dict, mesh: Runner) -> tuple[np.ndarray, float, dict]:
    """[468, 3] landmarks in image pixels, presence probability, raw outputs."""
    x, m = mesh_input(image, roi)
    pts, presence_logit = mesh(x)
    p = pts.reshape(468, 3).astype(np.float64)
    xy = p[:, :2] @ m[:, :2].T + m[:, 2]
    z = p[:, 2] * roi['width'] / MESH_SIZE
    return np.column_stack([xy, z]), float(sigmoid(float(np.ravel(presence_logit)[0]))), {'input': x, 'landmarks': pts, 'presence': presence_logit}


def face_crop_matrix(lm: np.ndarray, size: int, margin: float = 1.1) -> np.ndarray:
    """Square, eye-levelled crop around the mesh's bounding box (for the classifiers' reference crops)."""
    lo, hi = lm[:, :2].min(0), lm[:, :2].max(0)
    (rx, ry), (lx, ly) = lm[RIGHT_EYE_OUTER, :2], lm[LEFT_EYE_OUTER, :2]
    rotation = math.atan2(ly - ry, lx - rx)
    side = float((hi - lo).max()) * margin
    centre = (lo + hi) / 2
    return rect_to_crop_matrix(centre[0], centre[1], side, side, rotation, size, size)


def grey_input(rgb_u8: np.ndarray) -> np.ndarray:
    """mini-Xception input: BT.601 luma on 0..1, then (g - 0.5) * 2; [1, H, W, 1] float32."""
    rgb = rgb_u8.astype(np.float32) / 255.0
    g = rgb[..., 0] * np.float32(0.2989) + rgb[..., 1] * np.float32(0.587) + rgb[..., 2] * np.float32(0.114)
    return ((g - np.float32(0.5)) * np.float32(2))[None, ..., None].astype(np.float32)
