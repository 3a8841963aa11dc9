"""face_landmarker.task: the Tasks API bundle of the MediaPipe face detector and mesh (the browser test of it
is e2e/test/framing.test.ts: FaceLandmarker loads it and finds the astronaut)."""
import io
import zipfile

import numpy as np
import pytest

from tools import convert, sources as src
from tools.runners import tflite_runner
from tools.task_bundle import DETECTOR_ENTRY, DETECTOR_INFO, FILE, LANDMARKS_ENTRY, LANDMARKS_INFO, build_bundle
from tools.tflite_metadata import ImageInput, ModelInfo, build_metadata, read_metadata, with_metadata

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


@pytest.mark.parametrize('entry, original', [(DETECTOR_ENTRY, convert.detector_tflite), (LANDMARKS_ENTRY, convert.landmarks_tflite)])
def test_models_with_metadata_compute_exactly_what_the_originals_do(bundle, entry, original):
    rng = np.random.default_rng(7)
    ours, theirs = tflite_runner(bundle.read(entry)), tflite_runner(original())
    size = 128 if entry == DETECTOR_ENTRY else 192
    x = rng.random((1, size, size, 3), dtype=np.float32)
    for a, b in zip(ours(x), theirs(x)):
        assert np.array_equal(a, b)


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
