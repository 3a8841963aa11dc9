"""Writes (and reads back) the TFLite model metadata that MediaPipe's Tasks API requires.

The Tasks API (e.g. @mediapipe/tasks-vision FaceLandmarker) refuses a float image model unless
its input tensor carries NormalizationOptions in the TFLite metadata: a flatbuffer (schema
`metadata_schema.fbs` of tensorflow_lite_support, file identifier "M001") stored in one of the
model's buffers and named "TFLITE_METADATA" in the model's `metadata` list. The
`tflite_support` package that normally writes it is not on the offline index, so the few tables
needed are written here with the plain `flatbuffers` builder; field slots follow the schema.
"""
from __future__ import annotations

from dataclasses import dataclass

import flatbuffers
import numpy as np
from flatbuffers import table as fb_table
from tensorflow.lite.python import schema_py_generated as S

METADATA_NAME = 'TFLITE_METADATA'
METADATA_IDENTIFIER = b'M001'
TFLITE_IDENTIFIER = b'TFL3'
# Every table and union used below exists since metadata schema 1.0.0; a reader checks it can parse them.
MIN_PARSER_VERSION = '1.0.0'

# metadata_schema.fbs unions and enums (their numeric tags).
_PROCESS_UNIT_NORMALIZATION = 1  # ProcessUnitOptions.NormalizationOptions
_CONTENT_IMAGE_PROPERTIES = 2    # ContentProperties.ImageProperties
_COLOR_SPACE_RGB = 1             # ColorSpaceType.RGB

# Field slots (declaration order; a union takes two: its type, then its value).
_MODEL = {'name': 0, 'description': 1, 'subgraph_metadata': 3, 'license': 5, 'min_parser_version': 7, 'fields': 8}
_SUBGRAPH = {'name': 0, 'input_tensor_metadata': 2, 'output_tensor_metadata': 3, 'fields': 10}
_TENSOR = {'name': 0, 'description': 1, 'content': 3, 'process_units': 4, 'fields': 8}
_CONTENT = {'content_properties_type': 0, 'content_properties': 1, 'fields': 3}
_IMAGE_PROPERTIES = {'color_space': 0, 'fields': 2}
_PROCESS_UNIT = {'options_type': 0, 'options': 1, 'fields': 2}
_NORMALIZATION = {'mean': 0, 'std': 1, 'fields': 2}
# TFLite's Buffer.data is declared `(force_align: 16)`; the object API's numpy path does not honour it.
_BUFFER_ALIGN = 16


@dataclass(frozen=True)
class ImageInput:
    """An RGB image input tensor, normalised as (pixel - mean) / std before it enters the model."""
    name: str
    description: str
    mean: float
    std: float


@dataclass(frozen=True)
class ModelInfo:
    name: str
    description: str
    licence: str
    image_input: ImageInput
    outputs: list[tuple[str, str]]  # (name, description) in the subgraph's output order


def _string(b: flatbuffers.Builder, s: str) -> int:
    return b.CreateString(s)


def _offsets_vector(b: flatbuffers.Builder, offsets: list[int]) -> int:
    b.StartVector(4, len(offsets), 4)
    for off in reversed(offsets):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def _floats_vector(b: flatbuffers.Builder, values: list[float]) -> int:
    b.StartVector(4, len(values), 4)
    for v in reversed(values):
        b.PrependFloat32(v)
    return b.EndVector()


def _table(b: flatbuffers.Builder, layout: dict, offsets: dict[str, int] | None = None, bytes_: dict[str, int] | None = None) -> int:
    b.StartObject(layout['fields'])
    for field, off in (offsets or {}).items():
        b.PrependUOffsetTRelativeSlot(layout[field], off, 0)
    for field, value in (bytes_ or {}).items():
        b.PrependUint8Slot(layout[field], value, 0)
    return b.EndObject()


def _tensor(b: flatbuffers.Builder, name: str, description: str, content: int | None = None, process_units: int | None = None) -> int:
    offsets = {'name': _string(b, name), 'description': _string(b, description)}
    if content is not None:
        offsets['content'] = content
    if process_units is not None:
        offsets['process_units'] = process_units
    return _table(b, _TENSOR, offsets)


def build_metadata(info: ModelInfo) -> bytes:
    """The ModelMetadata flatbuffer (identifier M001) for one single-subgraph image model."""
    b = flatbuffers.Builder(1024)
    inp = info.image_input
    norm = _table(b, _NORMALIZATION, {'mean': _floats_vector(b, [inp.mean]), 'std': _floats_vector(b, [inp.std])})
    unit = _table(b, _PROCESS_UNIT, {'options': norm}, {'options_type': _PROCESS_UNIT_NORMALIZATION})
    image = _table(b, _IMAGE_PROPERTIES, bytes_={'color_space': _COLOR_SPACE_RGB})
    content = _table(b, _CONTENT, {'content_properties': image}, {'content_properties_type': _CONTENT_IMAGE_PROPERTIES})
    input_tensor = _tensor(b, inp.name, inp.description, content, _offsets_vector(b, [unit]))
    outputs = [_tensor(b, name, description) for name, description in info.outputs]
    subgraph = _table(b, _SUBGRAPH, {'input_tensor_metadata': _offsets_vector(b, [input_tensor]),
                                     'output_tensor_metadata': _offsets_vector(b, outputs)})
    root = _table(b, _MODEL, {'name': _string(b, info.name), 'description': _string(b, info.description),
                              'subgraph_metadata': _offsets_vector(b, [subgraph]), 'license': _string(b, info.licence),
                              'min_parser_version': _string(b, MIN_PARSER_VERSION)})
    b.Finish(root, file_identifier=METADATA_IDENTIFIER)
    return bytes(b.Output())


class _AlignedBufferT(S.BufferT):
    def Pack(self, builder):
        data = None
        if self.data is not None and len(self.data):
            raw = np.asarray(self.data, dtype=np.uint8).tobytes()
            builder.StartVector(1, len(raw), _BUFFER_ALIGN)
            builder.head -= len(raw)
            builder.Bytes[builder.head:builder.head + len(raw)] = raw
            builder.vectorNumElems = len(raw)
            data = builder.EndVector()
        S.BufferStart(builder)
        if data is not None:
            S.BufferAddData(builder, data)
        S.BufferAddOffset(builder, self.offset)
        S.BufferAddSize(builder, self.size)
        return S.BufferEnd(builder)


def with_metadata(model: bytes, metadata: bytes) -> bytes:
    """The TFLite flatbuffer with `metadata` stored as TFLITE_METADATA (replacing any earlier one)."""
    if model[4:8] != TFLITE_IDENTIFIER:
        raise ValueError('not a TFLite flatbuffer (no TFL3 identifier)')
    if metadata[4:8] != METADATA_IDENTIFIER:
        raise ValueError('not a TFLite metadata flatbuffer (no M001 identifier)')
    obj = S.ModelT.InitFromObj(S.Model.GetRootAs(model, 0))
    obj.metadata = [m for m in (obj.metadata or []) if m.name != METADATA_NAME.encode()]
    obj.buffers.append(S.BufferT())
    obj.buffers[-1].data = np.frombuffer(metadata, dtype=np.uint8)
    entry = S.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(obj.buffers) - 1
    obj.metadata.append(entry)
    return pack_model(obj, len(model) + len(metadata))


def pack_model(obj: S.ModelT, size_hint: int = 0) -> bytes:
    """A TFLite ModelT packed as a TFL3 flatbuffer, every buffer's data 16-byte aligned."""
    for buf in obj.buffers:
        buf.__class__ = _AlignedBufferT
    b = flatbuffers.Builder(size_hint + 4096)
    b.Finish(obj.Pack(b), file_identifier=TFLITE_IDENTIFIER)
    return bytes(b.Output())


# ---- reading back (tests, and a check that the build wrote what it meant to) ----

class _Table:
    def __init__(self, buf: bytes, pos: int):
        self.t = fb_table.Table(bytearray(buf), pos)

    def _off(self, slot: int) -> int:
        return self.t.Offset(4 + 2 * slot)

    def string(self, slot: int) -> str | None:
        o = self._off(slot)
        return self.t.String(o + self.t.Pos).decode() if o else None

    def byte(self, slot: int) -> int:
        o = self._off(slot)
        return self.t.Get(flatbuffers.number_types.Uint8Flags, o + self.t.Pos) if o else 0

    def table(self, slot: int) -> '_Table | None':
        o = self._off(slot)
        return _Table(bytes(self.t.Bytes), self.t.Indirect(o + self.t.Pos)) if o else None

    def tables(self, slot: int) -> list['_Table']:
        o = self._off(slot)
        if not o:
            return []
        start = self.t.Vector(o)
        return [_Table(bytes(self.t.Bytes), self.t.Indirect(start + 4 * i)) for i in range(self.t.VectorLen(o))]

    def floats(self, slot: int) -> list[float]:
        o = self._off(slot)
        if not o:
            return []
        start = self.t.Vector(o)
        return [self.t.Get(flatbuffers.number_types.Float32Flags, start + 4 * i) for i in range(self.t.VectorLen(o))]


def read_metadata(model: bytes) -> dict:
    """The TFLITE_METADATA of a TFLite model as a dict (only the fields build_metadata writes)."""
    m = S.Model.GetRootAs(model, 0)
    entries = [m.Metadata(i) for i in range(m.MetadataLength())]
    entry = next((e for e in entries if e.Name() == METADATA_NAME.encode()), None)
    if entry is None:
        raise ValueError(f'no {METADATA_NAME} in the model')
    data = m.Buffers(entry.Buffer()).DataAsNumpy().tobytes()
    if data[4:8] != METADATA_IDENTIFIER:
        raise ValueError(f'{METADATA_NAME} buffer has no M001 identifier')
    root = _Table(data, flatbuffers.encode.Get(flatbuffers.packer.uoffset, data, 0))

    def tensor(t: _Table) -> dict:
        units = []
        for u in t.tables(_TENSOR['process_units']):
            opts = u.table(_PROCESS_UNIT['options'])
            units.append({'type': u.byte(_PROCESS_UNIT['options_type']),
                          'mean': opts.floats(_NORMALIZATION['mean']) if opts else [],
                          'std': opts.floats(_NORMALIZATION['std']) if opts else []})
        content = t.table(_TENSOR['content'])
        image = content.table(_CONTENT['content_properties']) if content else None
        return {'name': t.string(_TENSOR['name']), 'process_units': units,
                'color_space': image.byte(_IMAGE_PROPERTIES['color_space']) if image else None}

    subgraphs = [{'inputs': [tensor(t) for t in sg.tables(_SUBGRAPH['input_tensor_metadata'])],
                  'outputs': [tensor(t) for t in sg.tables(_SUBGRAPH['output_tensor_metadata'])]}
                 for sg in root.tables(_MODEL['subgraph_metadata'])]
    return {'name': root.string(_MODEL['name']), 'license': root.string(_MODEL['license']),
            'min_parser_version': root.string(_MODEL['min_parser_version']), 'subgraphs': subgraphs}
