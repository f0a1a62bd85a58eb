// Entry point of the model sources: load a ModelSpec from files, folders, URLs and hub ids.
// Node only (local files); browsers and workers import hub.ts, which has no node: imports.

export type { ByteSource, HttpOptions } from './byte-source.ts';
export { openHttpSource } from './byte-source.ts';
export type { SourceErrorCode } from './errors.ts';
export { SourceError } from './errors.ts';
export { openFileSource } from './file-source.ts';
export type { LoadProgress } from './folder.ts';
export type { GgufHeader } from './header-readers.ts';
export { readGgufHeader } from './header-readers.ts';
export type { HubLoadOptions } from './hub.ts';
export { DEFAULT_HUB_BASE, isHubId, loadHubSpec } from './hub.ts';
export type { LoadModelOptions } from './load-model-spec.ts';
export { loadModelSpec } from './load-model-spec.ts';
export { readSafetensorsHeader } from './safetensors-reader.ts';
