"""Pads the 468-point mesh's landmarks output with zeros to the 478 points tasks-vision reads.

@mediapipe/tasks-vision's FaceLandmarker graph is built for the attention/iris mesh (468 mesh + 10
iris points) and decodes the landmarks tensor as 478 points. face_landmark.tflite's landmarks
output (`conv2d_21`, [1, 1, 1, 1404]) holds 468 x 3, which the graph took as 1404 // 478 = 2 values
a point (x/y pairs from the wrong offsets, z = 0: every point but the first garbage, seen in
Chromium with tasks-vision 1.1.0). Padded to 1434 = 478 x 3 it decodes the mesh right. This appends to the graph a constant zero tensor
[1, 1, 1, 30] and a CONCATENATION (last axis) of the original output with it; the result, [1, 1, 1,
1434], takes the old output's place (and name, `conv2d_21`), the old tensor stays as an internal one
renamed `conv2d_21/unpadded`. Nothing else moves: the first 1404 values and the presence output are
bit-identical to the original model's (tested), the last 30 are exactly 0.
"""
from __future__ import annotations

import numpy as np
from tensorflow.lite.python import schema_py_generated as S

from .tflite_metadata import TFLITE_IDENTIFIER, pack_model

TASKS_LANDMARKS = 478  # what tasks-vision 1.1.0's FaceLandmarker reads per face
UNPADDED_SUFFIX = '/unpadded'
PADDING_NAME_SUFFIX = '/zero_padding'


def _opcode_index(model: S.ModelT, builtin: int, version: int = 1) -> int:
    """Index of the operator code for `builtin` (appended when the model has none)."""
    for i, code in enumerate(model.operatorCodes):
        if max(code.builtinCode, code.deprecatedBuiltinCode) == builtin and code.customCode is None:
            return i
    code = S.OperatorCodeT()
    # Builtins below 127 are stored in both fields (the deprecated int8 one is what older readers use).
    code.deprecatedBuiltinCode = builtin if builtin < S.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES else S.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES
    code.builtinCode = builtin
    code.version = version
    model.operatorCodes.append(code)
    return len(model.operatorCodes) - 1


def pad_landmarks(model: bytes, output: int = 0, points: int = TASKS_LANDMARKS) -> bytes:
    """The TFLite model with subgraph output `output` (float32, last axis = 3 x points) zero-padded to `points` x 3."""
    if model[4:8] != TFLITE_IDENTIFIER:
        raise ValueError('not a TFLite flatbuffer (no TFL3 identifier)')
    obj = S.ModelT.InitFromObj(S.Model.GetRootAs(model, 0))
    if len(obj.subgraphs) != 1:
        raise ValueError(f'expected one subgraph, found {len(obj.subgraphs)}')
    sg = obj.subgraphs[0]
    old_index = int(sg.outputs[output])
    old = sg.tensors[old_index]
    shape = [int(d) for d in old.shape]
    if old.type != S.TensorType.FLOAT32 or old.shapeSignature is not None and list(old.shapeSignature) != shape:
        raise ValueError('the landmarks output must be a static float32 tensor')
    have, want = shape[-1], 3 * points
    if have == want:
        return model
    if have > want or have % 3 or int(np.prod(shape[:-1])) != 1:
        raise ValueError(f'landmarks output {shape} cannot be padded to {want} values')
    name = old.name.decode()

    def tensor(tensor_name: str, tensor_shape: list[int], buffer: int) -> int:
        t = S.TensorT()
        t.name = tensor_name
        t.shape = np.array(tensor_shape, dtype=np.int32)
        t.type = S.TensorType.FLOAT32
        t.buffer = buffer
        sg.tensors.append(t)
        return len(sg.tensors) - 1

    zeros = S.BufferT()
    zeros.data = np.zeros(4 * (want - have), dtype=np.uint8)
    obj.buffers.append(zeros)
    padding = tensor(name + PADDING_NAME_SUFFIX, shape[:-1] + [want - have], len(obj.buffers) - 1)
    # Tensors without constant data point at buffer 0, the empty sentinel.
    padded = tensor(name, shape[:-1] + [want], 0)
    old.name = (name + UNPADDED_SUFFIX).encode()

    options = S.ConcatenationOptionsT()
    options.axis = len(shape) - 1
    options.fusedActivationFunction = S.ActivationFunctionType.NONE
    op = S.OperatorT()
    op.opcodeIndex = _opcode_index(obj, S.BuiltinOperator.CONCATENATION)
    op.inputs = np.array([old_index, padding], dtype=np.int32)
    op.outputs = np.array([padded], dtype=np.int32)
    op.builtinOptionsType = S.BuiltinOptions.ConcatenationOptions
    op.builtinOptions = options
    sg.operators.append(op)  # after every other operator: the original output is ready by then
    outputs = np.array(sg.outputs, dtype=np.int32)  # a copy: the parsed vector is read-only
    outputs[output] = padded
    sg.outputs = outputs
    return pack_model(obj, len(model) + 4 * want)
