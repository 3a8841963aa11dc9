"""face_landmarker.task: the Tasks API bundle of the MediaPipe face detector and mesh (the browser test of it
is e2e/test/framing.test.ts: FaceLandmarker loads it and finds the astronaut)."""
import io
import json
import zipfile

import numpy as np
import pytest

from tensorflow.lite.python import schema_py_generated as S

from tools import convert, face_pipeline as fp, sources as src
from tools.reference import ASTRONAUT, REFERENCE, load_rgb
from tools.runners import tflite_runner
from tools.task_bundle import DETECTOR_ENTRY, DETECTOR_INFO, FILE, LANDMARKS_ENTRY, LANDMARKS_INFO, build_bundle
from tools.tflite_metadata import ImageInput, ModelInfo, build_metadata, read_metadata, with_metadata
from tools.tflite_pad_landmarks import pad_landmarks

NORMALIZATION = 1  # ProcessUnitOptions.NormalizationOptions
RGB = 1


@pytest.fixture(scope='module')
def bundle() -> zipfile.ZipFile:
    path = src.MODELS_DIR / FILE
    assert path.exists(), f'{path} missing: run `npm run build -w models`'
    return zipfile.ZipFile(io.BytesIO(path.read_bytes()))


def test_build_reproduces_the_committed_bundle_byte_for_byte():
    assert build_bundle() == (src.MODELS_DIR / FILE).read_bytes(), 'run `npm run build -w models`'


def test_bundle_holds_the_two_models_stored_with_fixed_timestamps(bundle):
    assert bundle.namelist() == [DETECTOR_ENTRY, LANDMARKS_ENTRY]
    for info in bundle.infolist():
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert bundle.read(info)[4:8] == b'TFL3'


@pytest.mark.parametrize('entry, mean, std, input_name', [(DETECTOR_ENTRY, 127.5, 127.5, 'input'), (LANDMARKS_ENTRY, 0.0, 255.0, 'input_1')])
def test_metadata_parses_back_with_the_normalisation(bundle, entry, mean, std, input_name):
    meta = read_metadata(bundle.read(entry))
    assert meta['min_parser_version'] == '1.0.0' and meta['license'].startswith('Apache-2.0')
    (subgraph,) = meta['subgraphs']
    (inp,) = subgraph['inputs']
    assert inp['name'] == input_name and inp['color_space'] == RGB
    assert inp['process_units'] == [{'type': NORMALIZATION, 'mean': [mean], 'std': [std]}]
    assert len(subgraph['outputs']) == 2


def test_detector_with_metadata_computes_exactly_what_the_original_does(bundle):
    rng = np.random.default_rng(7)
    ours, theirs = tflite_runner(bundle.read(DETECTOR_ENTRY)), tflite_runner(convert.detector_tflite())
    x = rng.random((1, 128, 128, 3), dtype=np.float32)
    for a, b in zip(ours(x), theirs(x)):
        assert np.array_equal(a, b)


def mesh_inputs() -> list[np.ndarray]:
    """The astronaut's real mesh crop (the reference ROI) and a random one."""
    roi = json.loads(REFERENCE.read_text())['roi']
    face, _ = fp.mesh_input(load_rgb(ASTRONAUT), roi)
    return [face, np.random.default_rng(7).random((1, 192, 192, 3), dtype=np.float32)]


def test_bundled_mesh_outputs_478_points_the_first_468_exactly_the_originals_then_zeros(bundle):
    # tasks-vision's FaceLandmarker reads 478 x 3 floats: the output really holds them now.
    ours, theirs = tflite_runner(bundle.read(LANDMARKS_ENTRY)), tflite_runner(convert.landmarks_tflite())
    for x in mesh_inputs():
        (lm, presence), (ref_lm, ref_presence) = ours(x), theirs(x)
        assert ref_lm.shape == (1, 1, 1, 1404) and lm.shape == (1, 1, 1, 1434)
        assert np.array_equal(lm.reshape(-1)[:1404], ref_lm.reshape(-1))
        assert np.array_equal(lm.reshape(-1)[1404:], np.zeros(30, np.float32))
        assert np.array_equal(presence, ref_presence)
    _, presence = ours(mesh_inputs()[0])
    assert fp.sigmoid(float(presence.reshape(-1)[0])) > 0.9  # the real face is one


def test_padded_mesh_keeps_the_output_names_and_adds_one_concatenation(bundle):
    model = S.ModelT.InitFromObj(S.Model.GetRootAs(bundle.read(LANDMARKS_ENTRY), 0))
    original = S.ModelT.InitFromObj(S.Model.GetRootAs(convert.landmarks_tflite(), 0))
    (sg,), (orig,) = model.subgraphs, original.subgraphs
    names = [sg.tensors[i].name for i in sg.outputs]
    assert names == [orig.tensors[i].name for i in orig.outputs] == [b'conv2d_21', b'conv2d_31']
    assert sg.outputs[1] == orig.outputs[1]  # presence: the very same tensor
    assert list(sg.tensors[sg.outputs[0]].shape) == [1, 1, 1, 1434]
    assert len(sg.operators) == len(orig.operators) + 1
    concat = sg.operators[-1]
    code = model.operatorCodes[concat.opcodeIndex]
    assert code.builtinCode == code.deprecatedBuiltinCode == S.BuiltinOperator.CONCATENATION
    assert concat.builtinOptions.axis == 3 and list(concat.outputs) == [sg.outputs[0]]
    unpadded, padding = (sg.tensors[i] for i in concat.inputs)
    assert unpadded.name == b'conv2d_21/unpadded' and list(unpadded.shape) == [1, 1, 1, 1404]
    assert list(padding.shape) == [1, 1, 1, 30] and not model.buffers[padding.buffer].data.any()


def test_padding_is_deterministic_and_idempotent():
    once = pad_landmarks(convert.landmarks_tflite())
    assert pad_landmarks(convert.landmarks_tflite()) == once
    assert pad_landmarks(once) == once


def test_with_metadata_replaces_an_earlier_metadata_entry():
    model = with_metadata(convert.detector_tflite(), build_metadata(DETECTOR_INFO))
    other = ModelInfo('renamed', 'd', 'Apache-2.0', ImageInput('input', 'd', mean=1.0, std=2.0), DETECTOR_INFO.outputs)
    again = read_metadata(with_metadata(model, build_metadata(other)))
    assert again['name'] == 'renamed'
    assert again['subgraphs'][0]['inputs'][0]['process_units'][0]['mean'] == [1.0]


def test_refuses_bytes_that_are_not_flatbuffers_of_the_right_kind():
    metadata = build_metadata(LANDMARKS_INFO)
    with pytest.raises(ValueError, match='TFL3'):
        with_metadata(metadata, metadata)
    with pytest.raises(ValueError, match='M001'):
        with_metadata(convert.landmarks_tflite(), convert.landmarks_tflite())
    with pytest.raises(ValueError, match='no TFLITE_METADATA'):
        read_metadata(convert.landmarks_tflite())
