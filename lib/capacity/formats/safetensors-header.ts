// Parses and validates a safetensors header: 8-byte length, JSON tensor table, __metadata__.

import { CapacityError } from '../errors.ts';

/** Element types of the safetensors format. */
export type SafetensorsDtype =
  | 'BOOL'
  | 'U8'
  | 'I8'
  | 'F8_E5M2'
  | 'F8_E4M3'
  | 'F8_E8M0'
  | 'F4'
  | 'F6_E2M3'
  | 'F6_E3M2'
  | 'I16'
  | 'U16'
  | 'F16'
  | 'BF16'
  | 'I32'
  | 'U32'
  | 'F32'
  | 'C64'
  | 'F64'
  | 'I64'
  | 'U64';

/** Bits per element of each dtype (sub-byte types pack; a tensor must fill whole bytes). */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

/** Largest header the reference implementation accepts (100,000,000 bytes). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** One tensor of the header. `dataOffsets` are relative to the end of the header. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  dataOffsets: [number, number];
}

/** A parsed header. */
export interface SafetensorsHeader {
  /** N, the JSON header's length; the data starts at byte 8 + N. */
  headerBytes: number;
  /** Bytes of tensor data the header describes (the largest end offset). */
  dataBytes: number;
  tensors: SafetensorsEntry[];
  /** The string-to-string `__metadata__` map, or null when absent. */
  metadata: Record<string, string> | null;
  /** The file's size in bytes, when the reader knew it (to spot a cut-short download). */
  fileBytes?: number;
  /** The file's path or URL, when the reader knew it (for messages). */
  ref?: string;
}

function fileError(message: string, field: string, expected: string): CapacityError {
  return new CapacityError('invalid_file', message, { field, expected });
}

/**
 * Reads N, the header length, from the first 8 bytes (unsigned 64-bit little-endian). Throws
 * `invalid_file` when fewer than 8 bytes are given, when N exceeds 100 MB, or when 8 + N runs
 * past `fileBytes` (the file's size, when known).
 */
export function readSafetensorsHeaderLength(prefix: Uint8Array, fileBytes?: number): number {
  if (prefix.length < 8) {
    throw fileError(
      `safetensors file is truncated: ${String(prefix.length)} of 8 length bytes`,
      'header length',
      'an 8-byte little-endian header length',
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) {
    throw fileError(
      `safetensors header length ${length.toString()} exceeds the limit`,
      'header length',
      `at most ${String(SAFETENSORS_MAX_HEADER_BYTES)} bytes`,
    );
  }
  const headerBytes = Number(length);
  if (fileBytes !== undefined && 8 + headerBytes > fileBytes) {
    throw fileError(
      `safetensors header length ${String(headerBytes)} runs past the end of a ` +
        `${String(fileBytes)}-byte file`,
      'header length',
      `at most ${String(fileBytes - 8)} bytes`,
    );
  }
  return headerBytes;
}

/** Exact bytes of a tensor of `dtype` and `shape`; sub-byte types must fill whole bytes. */
export function safetensorsTensorBytes(dtype: SafetensorsDtype, shape: readonly number[]): number {
  let elements = 1;
  for (const dim of shape) elements *= dim;
  const bits = elements * SAFETENSORS_DTYPE_BITS[dtype];
  if (bits % 8 !== 0) {
    throw fileError(
      `${dtype} tensor of ${String(elements)} values is not whole bytes`,
      'shape',
      'whole bytes',
    );
  }
  return bits / 8;
}

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && value in SAFETENSORS_DTYPE_BITS;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseEntry(name: string, raw: unknown): SafetensorsEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw fileError(`tensor ${name} is not an object`, name, '{dtype, shape, data_offsets}');
  }
  const record = raw as Record<string, unknown>;
  const { dtype, shape, data_offsets: offsets } = record;
  if (!isDtype(dtype)) {
    throw fileError(
      `tensor ${name} has unknown dtype ${String(dtype)}`,
      `${name}.dtype`,
      Object.keys(SAFETENSORS_DTYPE_BITS).join(', '),
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw fileError(
      `tensor ${name} has a bad shape`,
      `${name}.shape`,
      'an array of non-negative integers',
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw fileError(`tensor ${name} has bad data_offsets`, `${name}.data_offsets`, '[begin, end]');
  }
  const [begin, end] = offsets as [number, number];
  const bytes = safetensorsTensorBytes(dtype, shape as number[]);
  if (end < begin || end - begin !== bytes) {
    throw fileError(
      `tensor ${name}: ${dtype} ${JSON.stringify(shape)} needs ${String(bytes)} bytes, ` +
        `data_offsets span ${String(end - begin)}`,
      `${name}.data_offsets`,
      `an end ${String(bytes)} bytes after the begin`,
    );
  }
  return { name, dtype, shape: shape as number[], dataOffsets: [begin, end] };
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw fileError('__metadata__ is not an object', '__metadata__', 'a string-to-string map');
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') {
      throw fileError(`__metadata__.${key} is not a string`, `__metadata__.${key}`, 'a string');
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Checks that the tensors tile the data buffer from 0 without gaps or overlaps. */
function checkContiguous(tensors: SafetensorsEntry[]): number {
  const sorted = [...tensors].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0]);
  let expected = 0;
  for (const entry of sorted) {
    if (entry.dataOffsets[0] !== expected) {
      throw fileError(
        `tensor ${entry.name} starts at ${String(entry.dataOffsets[0])}, ` +
          `expected ${String(expected)}`,
        `${entry.name}.data_offsets`,
        'tensors that tile the data buffer without gaps or overlaps',
      );
    }
    expected = entry.dataOffsets[1];
  }
  return expected;
}

/**
 * Parses the header at the start of a safetensors file. `bytes` must hold at least the first
 * 8 + N bytes (the tensor data may be absent: header-only files are accepted). Validates the
 * length, the UTF-8 JSON, every dtype, shape and data_offsets (span = elements x dtype size),
 * that the tensors tile the data buffer, and `__metadata__`. Errors are CapacityError
 * `invalid_file` (or `invalid_json`) naming the offending tensor or field.
 */
export function parseSafetensorsHeader(
  bytes: Uint8Array,
  options: { fileBytes?: number } = {},
): SafetensorsHeader {
  const headerBytes = readSafetensorsHeaderLength(bytes, options.fileBytes);
  if (bytes.length < 8 + headerBytes) {
    throw fileError(
      `safetensors header is truncated: ${String(bytes.length - 8)} of ` +
        `${String(headerBytes)} bytes`,
      'header',
      `${String(headerBytes)} bytes of JSON`,
    );
  }
  let parsed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(
      bytes.subarray(8, 8 + headerBytes),
    );
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CapacityError('invalid_json', `safetensors header is not JSON: ${String(error)}`, {
      field: 'header',
      expected: 'a UTF-8 JSON object',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CapacityError('invalid_json', 'safetensors header is not a JSON object', {
      field: 'header',
      expected: 'a JSON object of tensors',
    });
  }

  let metadata: Record<string, string> | null = null;
  const tensors: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') metadata = parseMetadata(raw);
    else tensors.push(parseEntry(name, raw));
  }
  const dataBytes = checkContiguous(tensors);
  const size = options.fileBytes === undefined ? {} : { fileBytes: options.fileBytes };
  return { headerBytes, dataBytes, tensors, metadata, ...size };
}
