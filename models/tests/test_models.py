"""The committed ONNX models against the original runtimes (TFLite interpreter, tfjs) on the astronaut."""
import hashlib
import json
import shutil

import numpy as np
import onnx
import pytest

from tools import convert, face_pipeline as fp, sources as src
from tools.build_all import SUMS, sums_text
from tools.onnx_builder import serialise
from tools.reference import ASTRONAUT, CROP_FACEAPI, CROP_MINIXCEPTION, REFERENCE, build_reference, classifier_inputs, load_rgb, run_tfjs
from tools.runners import onnx_runner, tflite_runner

TOL = 1e-3
REQUIRED_META = ['moodroom.name', 'moodroom.source_package', 'moodroom.source_version', 'moodroom.source_file', 'moodroom.licence',
                 'moodroom.input_layout', 'moodroom.input_range', 'moodroom.normalisation', 'moodroom.batch', 'moodroom.outputs',
                 'moodroom.source_sha256']
CONTRACT = {
    'blazeface-short-range.onnx': ([('input', [1, 128, 128, 3])], [('regressors', [1, 896, 16]), ('classificators', [1, 896, 1])], 'Apache-2.0'),
    'face-landmark-468.onnx': ([('input', [1, 192, 192, 3])], [('landmarks', [1, 1404]), ('presence', [1, 1])], 'Apache-2.0'),
    'expression-faceapi.onnx': ([('input', ['N', 112, 112, 3])], [('probs', ['N', 7])], 'MIT'),
    'expression-minixception.onnx': ([('input', ['N', 64, 64, 1])], [('probs', ['N', 7])], 'MIT'),
}


def model_path(name):
    path = src.MODELS_DIR / name
    assert path.exists(), f'{path} missing: run `npm run build -w models`'
    return path


def dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


@pytest.fixture(scope='module')
def astronaut():
    return load_rgb(ASTRONAUT)


@pytest.fixture(scope='module')
def onnx_models():
    return {name: onnx_runner(str(model_path(name))) for name in CONTRACT}


@pytest.mark.parametrize('name', list(CONTRACT))
def test_contract_tensor_names_shapes_and_metadata(name):
    model = onnx.load(str(model_path(name)))
    inputs, outputs, licence = CONTRACT[name]
    assert [(i.name, dims(i)) for i in model.graph.input] == inputs
    assert [(o.name, dims(o)) for o in model.graph.output] == outputs
    assert all(i.type.tensor_type.elem_type == onnx.TensorProto.FLOAT for i in [*model.graph.input, *model.graph.output])
    meta = {p.key: p.value for p in model.metadata_props}
    missing = [k for k in REQUIRED_META if not meta.get(k)]
    assert not missing, f'{name} lacks metadata {missing}'
    assert meta['moodroom.licence'] == licence
    assert meta['moodroom.source_version'] == src.package_version(meta['moodroom.source_package'])
    assert len(json.loads(meta['moodroom.input_range'])) == 2
    assert set(json.loads(meta['moodroom.outputs'])) == {n for n, _ in outputs}
    assert meta['moodroom.batch'].startswith('dynamic' if inputs[0][1][0] == 'N' else 'fixed 1')
    hashes = json.loads(meta['moodroom.source_sha256'])
    assert hashes and all(len(h) == 64 for h in hashes.values())
    if name.startswith('expression-'):
        labels = json.loads(meta['moodroom.labels'])
        assert len(labels) == 7 and 'happy' in labels


def test_sha256sums_match_the_files():
    listed = dict(line.split('  ')[::-1] for line in SUMS.read_text().splitlines())
    assert set(listed) >= {*CONTRACT, 'expression-window-baseline.onnx'}, 'SHA256SUMS must list every model'
    for rel, digest in listed.items():
        assert hashlib.sha256((src.MODELS_DIR / rel).read_bytes()).hexdigest() == digest, f'{rel} changed since SHA256SUMS: run npm run build -w models'
    assert SUMS.read_text() == sums_text()


@pytest.mark.parametrize('key', list(convert.CONVERTERS))
def test_converters_are_deterministic_and_match_the_committed_file(key):
    spec = next(m for m in src.ALL if m.key == key)
    first, second = serialise(convert.CONVERTERS[key]()), serialise(convert.CONVERTERS[key]())
    assert first == second, f'{key}: two conversions differ'
    assert first == model_path(spec.file).read_bytes(), f'{spec.file} is stale: run npm run build -w models'


def test_detector_matches_tflite_on_the_astronaut(astronaut, onnx_models):
    x, _ = fp.detector_input(astronaut)
    ref_reg, ref_logit = tflite_runner(convert.detector_tflite())(x)
    reg, logit = onnx_models['blazeface-short-range.onnx'](x)
    score_diff = np.abs(fp.sigmoid(logit.astype(np.float64)) - fp.sigmoid(ref_logit.astype(np.float64))).max()
    reg_diff = np.abs(reg - ref_reg).max()
    print(f'detector: max |score diff| {score_diff:.2e}, max |regressor diff| {reg_diff:.2e} (128-px units)')
    assert score_diff <= TOL and reg_diff <= TOL
    assert fp.sigmoid(ref_logit).max() > 0.9, 'the original detector should be confident on the astronaut'


def test_landmarks_match_tflite_in_image_pixels(astronaut, onnx_models, reference):
    roi = reference['roi']
    ref_lm, ref_presence, _ = fp.landmarks(astronaut, roi, tflite_runner(convert.landmarks_tflite()))
    lm, presence, _ = fp.landmarks(astronaut, roi, onnx_models['face-landmark-468.onnx'])
    diff = np.abs(lm - ref_lm).max()
    print(f'landmarks: max |diff| {diff:.2e} px, presence diff {abs(presence - ref_presence):.2e}')
    assert diff <= TOL and abs(presence - ref_presence) <= TOL
    assert presence > 0.9


def test_onnx_pipeline_reproduces_the_reference_fixture(astronaut, onnx_models, reference):
    faces, _ = fp.detect(astronaut, onnx_models['blazeface-short-range.onnx'])
    assert len(faces) == 1
    det = reference['detection']
    assert abs(faces[0]['score'] - det['score']) <= TOL
    assert np.abs(np.array([faces[0]['box'][k] for k in ('xMin', 'yMin', 'width', 'height')]) - [det['box'][k] for k in ('xMin', 'yMin', 'width', 'height')]).max() <= TOL
    assert np.abs(faces[0]['keypoints'] - np.array(det['keypoints'])).max() <= TOL
    roi = fp.detection_roi(faces[0])
    assert np.abs(np.array([roi[k] for k in ('xCenter', 'yCenter', 'width', 'height', 'rotation')])
                  - [reference['roi'][k] for k in ('xCenter', 'yCenter', 'width', 'height', 'rotation')]).max() <= TOL
    assert np.abs(fp.mesh_input(astronaut, roi)[1] - np.array(reference['roi']['crop_to_image'])).max() <= TOL
    assert np.abs(fp.detector_input(astronaut)[1] - np.array(reference['detector_input']['crop_to_image'])).max() <= 1e-6
    lm, presence, _ = fp.landmarks(astronaut, roi, onnx_models['face-landmark-468.onnx'])
    assert np.abs(lm - np.array(reference['landmarks'])).max() <= TOL
    assert abs(presence - reference['presence']) <= TOL


def classifier_cases(reference):
    fa_x, mx_x = classifier_inputs(load_rgb(CROP_FACEAPI), load_rgb(CROP_MINIXCEPTION))
    return {'expression-faceapi.onnx': (fa_x, reference['expressions']['faceapi']),
            'expression-minixception.onnx': (mx_x, reference['expressions']['minixception'])}


@pytest.mark.parametrize('name', ['expression-faceapi.onnx', 'expression-minixception.onnx'])
def test_classifiers_match_tfjs_and_say_happy(name, onnx_models, reference):
    x, ref = classifier_cases(reference)[name]
    probs = onnx_models[name](x)[0][0]
    diff = np.abs(probs - np.array(ref['probs'])).max()
    print(f'{name}: max |prob diff| vs tfjs {diff:.2e}')
    assert diff <= TOL
    assert abs(probs.sum() - 1) < 1e-5
    assert ref['labels'][int(np.argmax(probs))] == 'happy'
    assert probs[ref['labels'].index('happy')] > 0.9


@pytest.mark.parametrize('name', ['expression-faceapi.onnx', 'expression-minixception.onnx'])
def test_classifiers_take_a_dynamic_batch(name, onnx_models, reference):
    x, _ = classifier_cases(reference)[name]
    batch = np.concatenate([x, x[:, :, ::-1], np.zeros_like(x)])
    together = onnx_models[name](batch)[0]
    one_by_one = np.concatenate([onnx_models[name](batch[i:i + 1])[0] for i in range(3)])
    assert together.shape == (3, 7)
    assert np.abs(together - one_by_one).max() < 1e-5


@pytest.mark.skipif(shutil.which('node') is None, reason='node not on PATH')
def test_stored_classifier_reference_is_what_tfjs_computes_now(reference):
    fa_x, mx_x = classifier_inputs(load_rgb(CROP_FACEAPI), load_rgb(CROP_MINIXCEPTION))
    live = run_tfjs(fa_x, mx_x)
    assert np.abs(np.array(live['faceapi'][0]) - reference['expressions']['faceapi']['probs']).max() < 1e-6
    assert np.abs(np.array(live['minixception'][0]) - reference['expressions']['minixception']['probs']).max() < 1e-6


def varied_classifier_inputs(astronaut):
    """The face crop plus inputs that do not saturate the softmax (so parity is checked where the probabilities move)."""
    crop112, crop64 = load_rgb(CROP_FACEAPI), load_rgb(CROP_MINIXCEPTION)
    def variants(crop):
        size = crop.shape[0]
        background = astronaut[:size, -size:]                               # top-right corner: no face
        low_contrast = (crop.astype(np.float32) * 0.3 + 90).round().astype(np.uint8)
        mouth_covered = crop.copy()
        mouth_covered[int(size * 0.6):] = 128
        return np.stack([crop, crop[:, ::-1], background, low_contrast, mouth_covered])
    fa = variants(crop112).astype(np.float32)
    mx = np.concatenate([fp.grey_input(v) for v in variants(crop64)])
    return fa, mx


@pytest.mark.skipif(shutil.which('node') is None, reason='node not on PATH')
def test_classifiers_match_live_tfjs_on_unsaturated_inputs(astronaut, onnx_models):
    fa_x, mx_x = varied_classifier_inputs(astronaut)
    live = run_tfjs(fa_x, mx_x)
    for name, x, ref in [('expression-faceapi.onnx', fa_x, live['faceapi']), ('expression-minixception.onnx', mx_x, live['minixception'])]:
        ref = np.array(ref)
        probs = onnx_models[name](x)[0]
        diff = np.abs(probs - ref).max()
        print(f'{name}: max |prob diff| vs live tfjs over {len(x)} varied inputs {diff:.2e}; top prob per input {np.round(ref.max(1), 3).tolist()}')
        assert diff <= TOL
        assert (ref.max(1) < 0.9).any(), 'at least one input should leave the softmax unsaturated'


def rotated(image, degrees):
    h, w = image.shape[:2]
    m = fp.rect_to_crop_matrix(w / 2, h / 2, w, h, np.deg2rad(degrees), w, h)
    return np.clip(np.rint(fp.warp_affine(image, m, w, h)), 0, 255).astype(np.uint8)


@pytest.mark.parametrize('transform', ['mirrored', 'rotated 25 degrees'])
def test_detector_and_mesh_match_tflite_on_transformed_faces(astronaut, onnx_models, transform):
    image = astronaut[:, ::-1].copy() if transform == 'mirrored' else rotated(astronaut, 25)
    tfl_det, tfl_mesh = tflite_runner(convert.detector_tflite()), tflite_runner(convert.landmarks_tflite())
    ref_faces, ref_raw = fp.detect(image, tfl_det)
    faces, raw = fp.detect(image, onnx_models['blazeface-short-range.onnx'])
    assert len(ref_faces) == len(faces) == 1
    assert np.abs(raw['regressors'] - ref_raw['regressors']).max() <= TOL
    assert np.abs(fp.sigmoid(raw['logits']) - fp.sigmoid(ref_raw['logits'])).max() <= TOL
    roi = fp.detection_roi(ref_faces[0])
    ref_lm, ref_presence, _ = fp.landmarks(image, roi, tfl_mesh)
    lm, presence, _ = fp.landmarks(image, roi, onnx_models['face-landmark-468.onnx'])
    print(f'{transform}: roi rotation {np.rad2deg(roi["rotation"]):.1f} deg, max landmark diff {np.abs(lm - ref_lm).max():.2e} px')
    assert np.abs(lm - ref_lm).max() <= TOL and abs(presence - ref_presence) <= TOL


@pytest.mark.skipif(shutil.which('node') is None, reason='node not on PATH')
def test_reference_fixture_is_reproduced_exactly_by_the_original_runtimes():
    """The build's reference step is deterministic: rerunning TFLite + tfjs gives the committed JSON."""
    assert build_reference(save_crops=False) == json.loads(REFERENCE.read_text()), \
        f'{REFERENCE.name} is stale: run npm run build -w models'


def test_reference_fixture_schema(reference):
    """The shape of the JSON other runtimes' tests read (documented in models/README.md)."""
    assert reference['schema_version'] == 1
    assert (src.REPO_ROOT / reference['image']).exists()
    det = reference['detection']
    assert set(det['box']) == {'xMin', 'yMin', 'width', 'height'}
    assert len(det['keypoints']) == len(det['keypoint_names']) == 6 and all(len(p) == 2 for p in det['keypoints'])
    assert 0.5 <= det['score'] <= 1
    assert {'xCenter', 'yCenter', 'width', 'height', 'rotation', 'crop_size', 'crop_to_image'} <= set(reference['roi'])
    assert np.array(reference['roi']['crop_to_image']).shape == (2, 3)
    assert np.array(reference['landmarks']).shape == (468, 3)
    assert 0 <= reference['presence'] <= 1
    for key, spec in [('faceapi', src.FACEAPI), ('minixception', src.MINIXCEPTION)]:
        assert reference['expressions'][key]['labels'] == spec.labels
        assert len(reference['expressions'][key]['probs']) == 7
