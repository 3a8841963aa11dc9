"""Unit tests of the conversion tooling's pieces."""
import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from tools import face_pipeline as fp, sources as src
from tools.mediapipe_assets import extract, packed_file_table
from tools.onnx_builder import same_pads, serialise
from tools.tfjs_graph_to_onnx import UnsupportedTfjs, convert_tfjs_graph
from tools.tfjs_weights import read_weights


def test_same_pads_put_the_odd_pixel_bottom_right_like_tensorflow():
    assert same_pads((112, 112), (3, 3), (2, 2)) == [0, 0, 1, 1]
    assert same_pads((56, 56), (3, 3), (1, 1)) == [1, 1, 1, 1]
    assert same_pads((7, 7), (1, 1), (1, 1)) == [0, 0, 0, 0]
    assert same_pads((64, 64), (3, 3), (2, 2)) == [0, 0, 1, 1]


def test_blazeface_anchor_grid():
    a = fp.ssd_anchors()
    assert a.shape == (896, 2)
    assert np.allclose(a[0], [0.5 / 16, 0.5 / 16]) and np.allclose(a[1], a[0])
    assert np.allclose(a[512], [0.5 / 8, 0.5 / 8]) and np.allclose(a[512:518], a[512])


def test_weighted_nms_averages_overlapping_boxes_by_score():
    d = lambda x0, s: {'box': np.array([x0, 0, x0 + 1, 1.0]), 'keypoints': np.full((6, 2), x0), 'score': s}
    out = fp.weighted_nms([d(0.0, 0.9), d(0.1, 0.6), d(5.0, 0.7)])
    assert [o['score'] for o in out] == [0.9, 0.7]
    assert np.isclose(out[0]['box'][0], 0.1 * 0.6 / 1.5)


def test_packed_assets_table_comes_from_the_loader_js():
    pkg = src.package_dir(src.FACE_MESH_PKG)
    table = packed_file_table(pkg)
    assert {'face_landmark.tflite', 'face_detection_short_range.tflite'} <= set(table)
    assert extract(pkg, 'face_detection_short_range.tflite')[4:8] == b'TFL3'
    with pytest.raises(KeyError, match='face_landmark.tflite'):
        extract(pkg, 'nope.tflite')


def test_tfjs_uint8_weights_are_dequantised_with_min_and_scale(tmp_path):
    (tmp_path / 'w.bin').write_bytes(bytes([0, 1, 255]) + np.array([1.5], '<f4').tobytes())
    manifest = [{'paths': ['w.bin'], 'weights': [
        {'name': 'q', 'shape': [3], 'dtype': 'float32', 'quantization': {'dtype': 'uint8', 'scale': 0.5, 'min': -1.0}},
        {'name': 'f', 'shape': [1], 'dtype': 'float32'}]}]
    w = read_weights(manifest, tmp_path)
    assert w['q'].tolist() == [-1.0, -0.5, 126.5] and w['f'].tolist() == [1.5]
    manifest[0]['weights'].append({'name': 'extra', 'shape': [1], 'dtype': 'float32'})
    with pytest.raises(ValueError):
        read_weights(manifest, tmp_path)


def _tiny_graph(op='Relu'):
    nodes = [
        {'name': 'x', 'op': 'Placeholder', 'attr': {'shape': {'shape': {'dim': [{'size': '-1'}, {'size': '4'}, {'size': '4'}, {'size': '1'}]}}}},
        {'name': 'w', 'op': 'Const'}, {'name': 'b', 'op': 'Const'}, {'name': 'axes', 'op': 'Const'},
        {'name': 'conv', 'op': '_FusedConv2D', 'input': ['x', 'w', 'b'], 'attr': {
            'fused_ops': {'list': {'s': ['Qmlhc0FkZA==']}}, 'padding': {'s': 'U0FNRQ=='}, 'strides': {'list': {'i': ['1', '1', '1', '1']}}}},
        {'name': 'act', 'op': op, 'input': ['conv']},
        {'name': 'mean', 'op': 'Mean', 'input': ['act', 'axes'], 'attr': {'keep_dims': {'b': False}}},
        {'name': 'out', 'op': 'Softmax', 'input': ['mean']},
    ]
    rng = np.random.RandomState(1)
    weights = {'w': rng.randn(3, 3, 1, 2).astype(np.float32), 'b': np.array([0.1, -0.2], np.float32), 'axes': np.array([1, 2], np.int32)}
    return {'modelTopology': {'node': nodes}}, weights


def test_tfjs_graph_converter_computes_what_tensorflow_does():
    import tensorflow as tf
    model_json, w = _tiny_graph()
    m = convert_tfjs_graph(model_json, w, 'input', 'probs', {'moodroom.name': 'tiny'}, 'tiny')
    x = np.random.RandomState(2).randn(2, 4, 4, 1).astype(np.float32)
    got = ort.InferenceSession(serialise(m)).run(None, {'input': x})[0]
    y = tf.nn.relu(tf.nn.conv2d(x, w['w'], 1, 'SAME') + w['b'])
    want = tf.nn.softmax(tf.reduce_mean(y, [1, 2])).numpy()
    assert np.abs(got - want).max() < 1e-6


def test_tfjs_graph_converter_names_an_unsupported_op():
    model_json, w = _tiny_graph('Sigmoid')
    with pytest.raises(UnsupportedTfjs, match='Sigmoid'):
        convert_tfjs_graph(model_json, w, 'input', 'probs', {}, 'tiny')


def test_grey_input_uses_bt601_luma_scaled_to_minus_one_one():
    rgb = np.array([[[255, 255, 255], [0, 0, 0], [255, 0, 0]]], np.uint8)
    g = fp.grey_input(rgb)
    assert g.shape == (1, 1, 3, 1)
    assert np.allclose(g.ravel(), [(0.2989 + 0.587 + 0.114 - 0.5) * 2, -1, (0.2989 - 0.5) * 2], atol=1e-6)


def test_prelu_decomposition_is_bit_identical_to_onnx_prelu():
    from onnx import TensorProto, helper
    from tools.onnx_builder import NhwcGraph
    rng = np.random.RandomState(3)
    x = rng.randn(2, 5, 5, 4).astype(np.float32) * 10
    slope = rng.randn(1, 1, 4).astype(np.float32)
    g = NhwcGraph('prelu')
    g.prelu('input', g.const(slope, 'slope'), 'out')
    got = ort.InferenceSession(serialise(g.model([('input', [2, 5, 5, 4])], [('out', [2, 5, 5, 4])], {}))).run(None, {'input': x})[0]
    ref_graph = helper.make_graph([helper.make_node('PRelu', ['input', 'slope'], ['out'])], 'ref',
                                  [helper.make_tensor_value_info('input', TensorProto.FLOAT, [2, 5, 5, 4])],
                                  [helper.make_tensor_value_info('out', TensorProto.FLOAT, [2, 5, 5, 4])],
                                  [onnx.numpy_helper.from_array(slope, 'slope')])
    ref_model = helper.make_model(ref_graph, opset_imports=[helper.make_opsetid('', 13)])
    ref_model.ir_version = 8
    ref = ort.InferenceSession(ref_model.SerializeToString()).run(None, {'input': x})[0]
    assert np.array_equal(got, ref)
    assert np.array_equal(got, np.where(x > 0, x, x * slope))
