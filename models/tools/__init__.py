"""Offline tooling that converts the original face and expression models to ONNX (see models/README.md)."""
import os

# TensorFlow's info banners (oneDNN, CPU features) say nothing actionable here; plain Eigen kernels
# (no oneDNN) keep TensorFlow's numbers in the converter tests the same on every CPU.
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
os.environ.setdefault('TF_ENABLE_ONEDNN_OPTS', '0')
