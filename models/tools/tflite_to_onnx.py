"""TFLite flatbuffer -> ONNX for the plain MediaPipe face models (detector, 468-point mesh).

Covers exactly the builtin ops those models use; anything else is a clear error naming the op,
rather than a silently wrong graph. fp16 constants (DEQUANTIZE) are folded to float32.
"""
from __future__ import annotations

import numpy as np
from tensorflow.lite.python import schema_py_generated as S

from .onnx_builder import NhwcGraph, same_pads

_OP_NAMES = {v: k for k, v in vars(S.BuiltinOperator).items() if not k.startswith('_')}
_DTYPES = {S.TensorType.FLOAT32: np.float32, S.TensorType.FLOAT16: np.float16, S.TensorType.INT32: np.int32, S.TensorType.INT64: np.int64}
_ACTIVATIONS = {S.ActivationFunctionType.NONE: None, S.ActivationFunctionType.RELU: 'relu', S.ActivationFunctionType.RELU6: 'relu6'}
SUPPORTED_OPS = ('DEQUANTIZE', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'ADD', 'MUL', 'RELU', 'PRELU', 'MAX_POOL_2D', 'PAD', 'RESHAPE', 'CONCATENATION')


class UnsupportedTflite(ValueError):
    pass


def _activation(code: int) -> str | None:
    if code not in _ACTIVATIONS:
        raise UnsupportedTflite(f'fused activation {code} is not supported')
    return _ACTIVATIONS[code]


def _options(op, cls):
    table = op.BuiltinOptions()
    opts = cls()
    if table is not None:
        opts.Init(table.Bytes, table.Pos)
    return opts if table is not None else None


def convert_tflite(data: bytes, input_name: str, outputs: list[tuple[str, list[int] | None]], graph_name: str, metadata: dict):
    """`outputs`: (name, shape) per TFLite output in order; a shape reshapes it (e.g. [1,1,1,1404] -> [1,1404])."""
    model = S.Model.GetRootAsModel(data, 0)
    if model.SubgraphsLength() != 1:
        raise UnsupportedTflite(f'expected one subgraph, found {model.SubgraphsLength()}')
    sg = model.Subgraphs(0)
    shapes = {i: [int(v) for v in sg.Tensors(i).ShapeAsNumpy()] for i in range(sg.TensorsLength())}

    consts: dict[int, np.ndarray] = {}
    for i in range(sg.TensorsLength()):
        t = sg.Tensors(i)
        buf = model.Buffers(t.Buffer()).DataAsNumpy()
        if isinstance(buf, np.ndarray) and buf.size:
            if t.Type() not in _DTYPES:
                raise UnsupportedTflite(f'tensor {t.Name().decode()} has unsupported type {t.Type()}')
            consts[i] = np.frombuffer(buf.tobytes(), dtype=_DTYPES[t.Type()]).reshape(shapes[i])

    g = NhwcGraph(graph_name)
    names: dict[int, str] = {}
    graph_in = sg.Inputs(0)
    names[graph_in] = input_name
    graph_outs = [sg.Outputs(j) for j in range(sg.OutputsLength())]
    if len(graph_outs) != len(outputs):
        raise UnsupportedTflite(f'model has {len(graph_outs)} outputs, {len(outputs)} names given')

    def value(i: int) -> str:
        if i not in names:
            if i not in consts:
                raise UnsupportedTflite(f'tensor {sg.Tensors(i).Name().decode()} is used before it is produced')
            names[i] = g.const(consts[i].astype(np.float32), 'c')
        return names[i]

    for oi in range(sg.OperatorsLength()):
        op = sg.Operators(oi)
        code = model.OperatorCodes(op.OpcodeIndex())
        kind = _OP_NAMES.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), 'CUSTOM')
        ins = [op.Inputs(j) for j in range(op.InputsLength())]
        out = op.Outputs(0)
        if kind == 'DEQUANTIZE':
            consts[out] = consts[ins[0]].astype(np.float32)
            continue
        if kind in ('CONV_2D', 'DEPTHWISE_CONV_2D'):
            opts = _options(op, S.Conv2DOptions if kind == 'CONV_2D' else S.DepthwiseConv2DOptions)
            if opts.DilationHFactor() != 1 or opts.DilationWFactor() != 1:
                raise UnsupportedTflite('dilated convolutions are not supported')
            w = consts[ins[1]].astype(np.float32)
            # TFLite conv: [O, kh, kw, I]; depthwise: [1, kh, kw, C*mult] -> ONNX [O, I/group, kh, kw].
            weight = w.transpose(0, 3, 1, 2) if kind == 'CONV_2D' else w.transpose(3, 0, 1, 2)
            group = 1 if kind == 'CONV_2D' else shapes[ins[0]][3]
            bias = consts[ins[2]] if len(ins) > 2 and ins[2] >= 0 else None
            strides = (opts.StrideH(), opts.StrideW())
            pads = same_pads(tuple(shapes[ins[0]][1:3]), weight.shape[2:], strides) if opts.Padding() == S.Padding.SAME else [0, 0, 0, 0]
            names[out] = g.conv(value(ins[0]), weight, bias, strides, pads, group, _activation(opts.FusedActivationFunction()))
        elif kind == 'MAX_POOL_2D':
            opts = _options(op, S.Pool2DOptions)
            kernel, strides = (opts.FilterHeight(), opts.FilterWidth()), (opts.StrideH(), opts.StrideW())
            pads = same_pads(tuple(shapes[ins[0]][1:3]), kernel, strides) if opts.Padding() == S.Padding.SAME else [0, 0, 0, 0]
            names[out] = g.max_pool(value(ins[0]), kernel, strides, pads, _activation(opts.FusedActivationFunction()))
        elif kind in ('ADD', 'MUL'):
            opts = _options(op, S.AddOptions if kind == 'ADD' else S.MulOptions)
            act = _activation(opts.FusedActivationFunction()) if opts else None
            y = g.node('Add' if kind == 'ADD' else 'Mul', [value(i) for i in ins])
            names[out] = g.activation(y, act)
        elif kind == 'RELU':
            names[out] = g.node('Relu', [value(ins[0])])
        elif kind == 'PRELU':
            names[out] = g.prelu(value(ins[0]), value(ins[1]))
        elif kind == 'PAD':
            p = consts[ins[1]].astype(np.int64)
            names[out] = g.node('Pad', [value(ins[0]), g.const(np.concatenate([p[:, 0], p[:, 1]]), 'pads')])
        elif kind == 'RESHAPE':
            names[out] = g.node('Reshape', [value(ins[0]), g.const(np.array(shapes[out], np.int64), 'shape')])
        elif kind == 'CONCATENATION':
            opts = _options(op, S.ConcatenationOptions)
            act = _activation(opts.FusedActivationFunction())
            y = g.node('Concat', [value(i) for i in ins], axis=opts.Axis())
            names[out] = g.activation(y, act)
        else:
            raise UnsupportedTflite(f'TFLite op {kind} is not supported (supported: {", ".join(SUPPORTED_OPS)})')

    declared = []
    for i, (name, shape) in zip(graph_outs, outputs):
        if shape is None:
            g.node('Identity', [value(i)], name)
        else:
            if int(np.prod(shape)) != int(np.prod(shapes[i])):
                raise UnsupportedTflite(f'cannot reshape output {name} {shapes[i]} to {shape}')
            g.node('Reshape', [value(i), g.const(np.array(shape, np.int64), 'shape')], name)
        declared.append((name, shape or shapes[i]))
    return g.model([(input_name, shapes[graph_in])], declared, metadata)


def tflite_output_shapes(data: bytes) -> list[tuple[str, list[int]]]:
    sg = S.Model.GetRootAsModel(data, 0).Subgraphs(0)
    return [(sg.Tensors(i).Name().decode(), [int(v) for v in sg.Tensors(i).ShapeAsNumpy()]) for i in (sg.Outputs(j) for j in range(sg.OutputsLength()))]
