// Entry point of the model sources: load a ModelSpec from files, folders, URLs and hub ids.

export type { ByteSource, HttpOptions } from './byte-source.ts';
export { openFileSource, openHttpSource } from './byte-source.ts';
export type { SourceErrorCode } from './errors.ts';
export { SourceError } from './errors.ts';
export type { GgufHeader } from './header-readers.ts';
export { readGgufHeader, readSafetensorsHeader } from './header-readers.ts';
export type { LoadModelOptions, LoadProgress } from './load-model-spec.ts';
export { loadModelSpec } from './load-model-spec.ts';
