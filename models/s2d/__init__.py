"""S2D (Chen et al., "From Static to Dynamic", arXiv 2312.05447) in PyTorch, exportable to ONNX.

Module and parameter names follow the official code (github MSA-LMC/S2D, Apache-2.0) so official
checkpoints load with strict=True; see README.md.
"""
