/**
 * Reads ModelProto.metadata_props (field 14: repeated StringStringEntryProto { key = 1; value = 2 })
 * straight from the ONNX protobuf bytes: onnxruntime-node exposes input/output shapes but not the
 * custom metadata where the label order and input range live.
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const decoder = new TextDecoder();
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (pos >= bytes.length) throw new RangeError('truncated ONNX protobuf');
      const b = bytes[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  };
  const skip = (wire: number): void => {
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 2) {
      const len = varint(); // read first: `pos += varint()` would add to the stale pos
      pos += len;
    }
    else if (wire === 5) pos += 4;
    else throw new RangeError(`unsupported protobuf wire type ${wire} in ONNX file`);
  };
  while (pos < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 14 && wire === 2) {
      const len = varint();
      const end = pos + len;
      let key = '';
      let value = '';
      while (pos < end) {
        const t = varint();
        if ((t & 7) === 2 && (t >> 3 === 1 || t >> 3 === 2)) {
          const l = varint();
          const s = decoder.decode(bytes.subarray(pos, pos + l));
          pos += l;
          if (t >> 3 === 1) key = s; else value = s;
        } else skip(t & 7);
      }
      out[key] = value;
    } else skip(wire);
  }
  return out;
}
