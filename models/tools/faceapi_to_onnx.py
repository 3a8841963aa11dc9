"""face-api's FaceExpressionNet (tfjs weights) -> ONNX, rebuilt from its source.

Mirrors @vladmandic/face-api src: FaceFeatureExtractor.forwardInput (subtract mean RGB, /255,
four denseBlock4s, avgPool 7x7/2 'valid'), FaceProcessor.runNet (fully connected) and
FaceExpressionNet.forwardInput (softmax). The normalisation is in the graph, so the input is plain
0..255 RGB, and the batch is dynamic.
"""
from __future__ import annotations

import numpy as np

from .onnx_builder import NhwcGraph, same_pads

MEAN_RGB = (122.782, 117.001, 104.298)
INPUT_SIZE = 112


def _sep_conv(g: NhwcGraph, x: str, w: dict, prefix: str, stride: int, size: int, relu: bool) -> str:
    """tf.separableConv2d(x, depthwise, pointwise, stride, 'same') + bias."""
    dw = w[f'{prefix}/depthwise_filter']  # [kh, kw, C, 1]
    pw = w[f'{prefix}/pointwise_filter']  # [1, 1, C, O]
    channels = dw.shape[2]
    pads = same_pads((size, size), dw.shape[:2], (stride, stride))
    y = g.conv(x, dw.transpose(2, 3, 0, 1), None, (stride, stride), pads, group=channels)
    return g.conv(y, pw.transpose(3, 2, 0, 1), w[f'{prefix}/bias'], (1, 1), (0, 0, 0, 0), activation='relu' if relu else None)


def _dense_block4(g: NhwcGraph, x: str, w: dict, block: str, size: int, first: bool) -> tuple[str, int]:
    if first:
        f = w[f'{block}/conv0/filters']  # [kh, kw, I, O]
        out1 = g.conv(x, f.transpose(3, 2, 0, 1), w[f'{block}/conv0/bias'], (2, 2), same_pads((size, size), f.shape[:2], (2, 2)), activation='relu')
    else:
        out1 = _sep_conv(g, x, w, f'{block}/conv0', 2, size, relu=True)
    size = -(-size // 2)
    out2 = _sep_conv(g, out1, w, f'{block}/conv1', 1, size, relu=False)
    in3 = g.node('Relu', [g.node('Add', [out1, out2])])
    out3 = _sep_conv(g, in3, w, f'{block}/conv2', 1, size, relu=False)
    in4 = g.node('Relu', [g.node('Add', [out1, g.node('Add', [out2, out3])])])
    out4 = _sep_conv(g, in4, w, f'{block}/conv3', 1, size, relu=False)
    return g.node('Relu', [g.node('Add', [out1, g.node('Add', [out2, g.node('Add', [out3, out4])])])]), size


def convert_faceapi_expression(weights: dict[str, np.ndarray], metadata: dict, input_name: str = 'input', output_name: str = 'probs'):
    g = NhwcGraph('faceapi_expression')
    x = g.node('Sub', [input_name, g.const(np.array(MEAN_RGB, np.float32).reshape(1, 1, 1, 3), 'mean_rgb')])
    x = g.node('Div', [x, g.const(np.float32(255), 'div')])
    size = INPUT_SIZE
    for i in range(4):
        x, size = _dense_block4(g, x, weights, f'dense{i}', size, first=i == 0)
    x = g.avg_pool(x, (7, 7), (2, 2), (0, 0, 0, 0))
    channels = weights['fc/weights'].shape[0]
    x = g.node('Reshape', [x, g.const(np.array([-1, channels], np.int64), 'shape')])
    logits = g.node('Add', [g.node('MatMul', [x, g.const(weights['fc/weights'], 'fc_w')]), g.const(weights['fc/bias'], 'fc_b')])
    g.node('Softmax', [logits], output_name, axis=1)
    classes = weights['fc/bias'].shape[0]
    return g.model([(input_name, ['N', INPUT_SIZE, INPUT_SIZE, 3])], [(output_name, ['N', classes])], metadata)
