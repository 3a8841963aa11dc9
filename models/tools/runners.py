"""Callables running a model on one NHWC float32 tensor: the TFLite originals and the ONNX exports."""
from __future__ import annotations

import os
import warnings

import numpy as np

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')


def tflite_runner(data: bytes, threads: int = 1):
    """TFLite interpreter (tensorflow-cpu) on the original flatbuffer; outputs in the model's order."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # tf.lite.Interpreter's deprecation notice (LiteRT) is not actionable offline
        import tensorflow as tf
        interpreter = tf.lite.Interpreter(model_content=data, num_threads=threads)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]['index']
    outs = [d['index'] for d in interpreter.get_output_details()]

    def run(x: np.ndarray) -> list[np.ndarray]:
        interpreter.set_tensor(inp, np.ascontiguousarray(x, np.float32))
        interpreter.invoke()
        return [interpreter.get_tensor(i).copy() for i in outs]
    return run


def onnx_runner(model: bytes | str, threads: int = 1):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    session = ort.InferenceSession(model, opts, providers=['CPUExecutionProvider'])
    name = session.get_inputs()[0].name

    def run(x: np.ndarray) -> list[np.ndarray]:
        return session.run(None, {name: np.ascontiguousarray(x, np.float32)})
    return run
