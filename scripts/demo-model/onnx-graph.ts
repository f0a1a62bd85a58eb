// A small builder for ONNX graphs on top of onnx-proto: nodes, constants, weights, typed I/O.

import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX element type number of 32-bit floats (TensorProto.DataType.FLOAT). */
export const ONNX_FLOAT = onnx.TensorProto.DataType.FLOAT;

/** ONNX element type number of 64-bit integers (ids, positions, masks, shapes). */
export const ONNX_INT64 = onnx.TensorProto.DataType.INT64;

/** A dimension of a graph input or output: a fixed size or a symbolic name. */
export type Dim = number | string;

/** Attribute values the builder understands: int, float, ints, or a tensor. */
export type AttributeValue =
  number | { float: number } | readonly number[] | onnxProto.onnx.ITensorProto;

/** Collects nodes, initializers and I/O, then encodes one ModelProto. */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private counter = 0;

  /** Adds one node and returns the names of its `outputCount` outputs. */
  nodeN(
    opType: string,
    inputs: readonly string[],
    outputCount: number,
    attributes: Record<string, AttributeValue> = {},
  ): string[] {
    this.counter += 1;
    const base = `${opType}_${this.counter}`;
    const outputs = Array.from({ length: outputCount }, (_, index) => `${base}_out${index}`);
    this.nodes.push({
      name: base,
      opType,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  /** Adds one single-output node and returns its output name. */
  node(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}) {
    return this.nodeN(opType, inputs, 1, attributes)[0] as string;
  }

  /** Adds a node whose single output gets a chosen name (graph outputs). */
  named(opType: string, inputs: readonly string[], output: string): string {
    this.counter += 1;
    this.nodes.push({
      name: `${opType}_${this.counter}`,
      opType,
      input: [...inputs],
      output: [output],
    });
    return output;
  }

  /** A Constant node holding int64 values (shapes, axes, indices); scalar when `dims` is []. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.node('Constant', [], { value: int64Tensor(values, dims) });
  }

  /** A Constant node holding f32 values; scalar when `dims` is []. */
  float(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.node('Constant', [], { value: floatTensor('', Float32Array.from(values), dims) });
  }

  /** A named f32 initializer: a model weight. */
  weight(name: string, dims: readonly number[], values: Float32Array): string {
    this.initializers.push(floatTensor(name, values, dims));
    return name;
  }

  /** Declares a graph input. */
  input(name: string, elemType: number, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares a graph output (the node producing it must use `named`). */
  output(name: string, elemType: number, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** Encodes the model (IR 8, default-domain opset `opset`) to protobuf bytes. */
  encode(graphName: string, opset: number): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'hwledger make-demo-model',
      producerVersion: '1',
      opsetImport: [{ domain: '', version: opset }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: types.INT, i: value };
  if (Array.isArray(value)) return { name, type: types.INTS, ints: [...(value as number[])] };
  if ('float' in value) return { name, type: types.FLOAT, f: (value as { float: number }).float };
  return { name, type: types.TENSOR, t: value as onnxProto.onnx.ITensorProto };
}

function floatTensor(
  name: string,
  values: Float32Array,
  dims: readonly number[],
): onnxProto.onnx.ITensorProto {
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return { name, dims: [...dims], dataType: ONNX_FLOAT, rawData: raw };
}

function int64Tensor(values: readonly number[], dims: readonly number[]) {
  const data = BigInt64Array.from(values, (value) => BigInt(value));
  const raw = new Uint8Array(data.buffer);
  return { dims: [...dims], dataType: ONNX_INT64, rawData: raw };
}

function valueInfo(name: string, elemType: number, dims: readonly Dim[]) {
  const dim = dims.map((value) =>
    typeof value === 'number' ? { dimValue: value } : { dimParam: value },
  );
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}
