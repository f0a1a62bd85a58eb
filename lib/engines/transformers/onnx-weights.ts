// Reads the initializer (weight) sizes of an ONNX model straight from its protobuf bytes.

/** Bytes per element of each ONNX TensorProto.DataType; 4-bit types count half a byte. */
const ELEMENT_BYTES: Readonly<Record<number, number>> = {
  1: 4, // FLOAT
  2: 1, // UINT8
  3: 1, // INT8
  4: 2, // UINT16
  5: 2, // INT16
  6: 4, // INT32
  7: 8, // INT64
  9: 1, // BOOL
  10: 2, // FLOAT16
  11: 8, // DOUBLE
  12: 4, // UINT32
  13: 8, // UINT64
  14: 8, // COMPLEX64
  15: 16, // COMPLEX128
  16: 2, // BFLOAT16
  17: 1, // FLOAT8E4M3FN
  18: 1, // FLOAT8E4M3FNUZ
  19: 1, // FLOAT8E5M2
  20: 1, // FLOAT8E5M2FNUZ
  21: 0.5, // UINT4
  22: 0.5, // INT4
};

/** One initializer: its name, shape, ONNX element type and exact bytes. */
export interface OnnxInitializer {
  name: string;
  dims: number[];
  dataType: number;
  bytes: number;
}

/** Sum and list of a model's initializers. */
export interface OnnxWeights {
  /** Exact bytes of all initializers: product of dims x element size, whole bytes per tensor. */
  weightsBytes: number;
  initializers: OnnxInitializer[];
}

/** Thrown for bytes that are not a well-formed ONNX ModelProto. */
export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

class Reader {
  offset: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.offset = start;
  }

  done(): boolean {
    return this.offset >= this.end;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let index = 0; index < 10; index += 1) {
      if (this.offset >= this.end) throw new OnnxFormatError('the ONNX file ends inside a number');
      const byte = this.bytes[this.offset] as number;
      this.offset += 1;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new OnnxFormatError('the ONNX file holds a malformed number');
  }

  /** Reads a field key; returns [field number, wire type]. */
  key(): [number, number] {
    const key = this.varint();
    return [Math.floor(key / 8), key % 8];
  }

  /** Returns [start, end] of a length-delimited field's payload and moves past it. */
  span(): [number, number] {
    const length = this.varint();
    const start = this.offset;
    const end = start + length;
    if (end > this.end) throw new OnnxFormatError('the ONNX file is truncated or corrupt');
    this.offset = end;
    return [start, end];
  }

  passOver(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.advance(8);
    else if (wireType === 2) this.span();
    else if (wireType === 5) this.advance(4);
    else throw new OnnxFormatError(`the ONNX file uses an unknown wire type ${wireType}`);
  }

  private advance(count: number): void {
    if (this.offset + count > this.end) {
      throw new OnnxFormatError('the ONNX file is truncated or corrupt');
    }
    this.offset += count;
  }
}

function readTensor(bytes: Uint8Array, start: number, end: number): OnnxInitializer {
  const reader = new Reader(bytes, start, end);
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  while (!reader.done()) {
    const [field, wire] = reader.key();
    if (field === 1 && wire === 0) {
      dims.push(reader.varint());
    } else if (field === 1 && wire === 2) {
      const [from, to] = reader.span();
      const packed = new Reader(bytes, from, to);
      while (!packed.done()) dims.push(packed.varint());
    } else if (field === 2 && wire === 0) {
      dataType = reader.varint();
    } else if (field === 8 && wire === 2) {
      const [from, to] = reader.span();
      name = new TextDecoder().decode(bytes.subarray(from, to));
    } else {
      reader.passOver(wire);
    }
  }
  const elementBytes = ELEMENT_BYTES[dataType];
  if (elementBytes === undefined) {
    throw new OnnxFormatError(`initializer "${name}" has unsupported element type ${dataType}`);
  }
  const elements = dims.reduce((product, dim) => product * dim, 1);
  return { name, dims, dataType, bytes: Math.ceil(elements * elementBytes) };
}

/**
 * Sizes every initializer of an ONNX model (the graph's stored weights; external-data tensors
 * are sized from their dims too). Throws OnnxFormatError for bytes that are not an ONNX model.
 */
export function onnxWeights(bytes: Uint8Array): OnnxWeights {
  const model = new Reader(bytes, 0, bytes.length);
  let graph: [number, number] | null = null;
  while (!model.done()) {
    const [field, wire] = model.key();
    if (field === 7 && wire === 2) graph = model.span();
    else model.passOver(wire);
  }
  if (!graph) throw new OnnxFormatError('the file has no ONNX graph');

  const initializers: OnnxInitializer[] = [];
  const reader = new Reader(bytes, graph[0], graph[1]);
  while (!reader.done()) {
    const [field, wire] = reader.key();
    if (field === 5 && wire === 2) {
      const [start, end] = reader.span();
      initializers.push(readTensor(bytes, start, end));
    } else {
      reader.passOver(wire);
    }
  }
  const weightsBytes = initializers.reduce((sum, tensor) => sum + tensor.bytes, 0);
  return { weightsBytes, initializers };
}
