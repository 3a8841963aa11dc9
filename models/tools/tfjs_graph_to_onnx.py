"""tfjs graph model (model.json + .bin) -> ONNX for small NHWC CNNs such as human-models' emotion.json.

Handles the ops those graphs use; any other op is a clear error naming it.
"""
from __future__ import annotations

import base64

import numpy as np

from .onnx_builder import NhwcGraph, same_pads

SUPPORTED_OPS = ('Placeholder', 'Const', 'Identity', '_FusedConv2D', 'Conv2D', 'DepthwiseConv2dNative', 'MaxPool', 'AddV2', 'Add', 'Relu', 'Mean', 'Softmax')


class UnsupportedTfjs(ValueError):
    pass


def _attr_list(node: dict, key: str) -> list[int]:
    return [int(v) for v in node.get('attr', {}).get(key, {}).get('list', {}).get('i', [])]


def _attr_str(node: dict, key: str) -> str:
    raw = node.get('attr', {}).get(key, {}).get('s')
    return base64.b64decode(raw).decode() if raw else ''


def _fused_ops(node: dict) -> list[str]:
    return [base64.b64decode(s).decode() for s in node.get('attr', {}).get('fused_ops', {}).get('list', {}).get('s', [])]


def convert_tfjs_graph(model_json: dict, weights: dict[str, np.ndarray], input_name: str, output_name: str, metadata: dict, graph_name: str):
    nodes = model_json['modelTopology']['node']
    placeholders = [n for n in nodes if n['op'] == 'Placeholder']
    if len(placeholders) != 1:
        raise UnsupportedTfjs(f'expected one input placeholder, found {len(placeholders)}')
    dims = [int(d.get('size', -1)) for d in placeholders[0]['attr']['shape']['shape']['dim']]
    in_shape = ['N' if d < 0 else d for d in dims]

    g = NhwcGraph(graph_name)
    names: dict[str, str] = {placeholders[0]['name']: input_name}
    hw: dict[str, tuple[int, int]] = {placeholders[0]['name']: (dims[1], dims[2])}
    consumed = {i.split(':')[0] for n in nodes for i in n.get('input', [])}

    def src(i: str) -> str:
        key = i.split(':')[0]
        if key in names:
            return names[key]
        if key in weights:
            names[key] = g.const(weights[key].astype(np.float32), 'c')
            return names[key]
        raise UnsupportedTfjs(f'input {i} is neither a produced tensor nor a weight')

    def pads_for(node: dict, inp: str, kernel, strides) -> list[int]:
        padding = _attr_str(node, 'padding')
        if padding == 'SAME':
            return same_pads(hw[inp], kernel, strides)
        if padding == 'VALID':
            return [0, 0, 0, 0]
        raise UnsupportedTfjs(f'{node["name"]}: padding {padding!r} is not supported')

    def out_hw(size, kernel, strides, pads):
        return tuple((s + pads[i] + pads[i + 2] - k) // st + 1 for i, (s, k, st) in enumerate(zip(size, kernel, strides)))

    output_node = None
    for n in nodes:
        op, name, ins = n['op'], n['name'], [i.split(':')[0] for i in n.get('input', [])]
        if op in ('Placeholder', 'Const'):
            continue
        if _attr_str(n, 'data_format') not in ('', 'NHWC'):
            raise UnsupportedTfjs(f'{name}: only NHWC is supported')
        if op in ('_FusedConv2D', 'Conv2D', 'DepthwiseConv2dNative'):
            w = weights[ins[1]].astype(np.float32)
            strides = tuple(_attr_list(n, 'strides')[1:3])
            if any(d != 1 for d in _attr_list(n, 'dilations')):
                raise UnsupportedTfjs(f'{name}: dilations are not supported')
            kernel = w.shape[:2]
            pads = pads_for(n, ins[0], kernel, strides)
            bias, act = None, None
            if op == '_FusedConv2D':
                fused = _fused_ops(n)
                if fused[:1] != ['BiasAdd'] or fused[1:] not in ([], ['Relu']):
                    raise UnsupportedTfjs(f'{name}: fused ops {fused} are not supported')
                bias = weights[ins[2]]
                act = 'relu' if fused[1:] == ['Relu'] else None
            if op == 'DepthwiseConv2dNative':
                if w.shape[3] != 1:
                    raise UnsupportedTfjs(f'{name}: depth multiplier {w.shape[3]} is not supported')
                names[name] = g.conv(src(ins[0]), w.transpose(2, 3, 0, 1), bias, strides, pads, group=w.shape[2], activation=act)
            else:
                names[name] = g.conv(src(ins[0]), w.transpose(3, 2, 0, 1), bias, strides, pads, activation=act)
            hw[name] = out_hw(hw[ins[0]], kernel, strides, pads)
        elif op == 'MaxPool':
            kernel, strides = tuple(_attr_list(n, 'ksize')[1:3]), tuple(_attr_list(n, 'strides')[1:3])
            pads = pads_for(n, ins[0], kernel, strides)
            names[name] = g.max_pool(src(ins[0]), kernel, strides, pads)
            hw[name] = out_hw(hw[ins[0]], kernel, strides, pads)
        elif op in ('AddV2', 'Add'):
            names[name] = g.node('Add', [src(i) for i in ins])
            hw[name] = hw[ins[0]]
        elif op == 'Relu':
            names[name] = g.node('Relu', [src(ins[0])])
            hw[name] = hw[ins[0]]
        elif op == 'Mean':
            axes = [int(a) for a in np.atleast_1d(weights[ins[1]])]
            keep = bool(n.get('attr', {}).get('keep_dims', {}).get('b', False))
            names[name] = g.node('ReduceMean', [src(ins[0])], axes=axes, keepdims=int(keep))
        elif op == 'Softmax':
            names[name] = g.node('Softmax', [src(ins[0])], axis=-1)
        elif op == 'Identity':
            names[name] = src(ins[0])
        else:
            raise UnsupportedTfjs(f'tfjs op {op} ({name}) is not supported (supported: {", ".join(SUPPORTED_OPS)})')
        if name not in consumed:
            output_node = name
    if output_node is None:
        raise UnsupportedTfjs('no output node found')
    g.node('Identity', [names[output_node]], output_name)
    classes = int(weights[[n for n in nodes if n['op'] == '_FusedConv2D'][-1]['input'][1]].shape[-1])
    return g.model([(input_name, in_shape)], [(output_name, ['N', classes])], metadata)
