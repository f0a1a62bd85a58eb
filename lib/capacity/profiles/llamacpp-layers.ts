// Which device holds each layer when llama.cpp spreads one model over several GPUs.
//
// llama.cpp places whole layers on devices in both of its multi-GPU modes. llama-model.cpp
// (load_tensors, get_layer_buft_list) turns `--tensor-split` (by default each device's free
// memory, so even shares for identical GPUs) into cumulative split points and gives layer il the
// first device whose point exceeds il / (n_layer + 1): the output layer counts as one more
// layer, so with even shares layer il lands on device floor(il x devices / (n_layer + 1)). With
// `-sm row` (LLAMA_SPLIT_MODE_ROW, "split layers and KV across GPUs, use tensor parallelism if
// supported", llama.h) only the 2-D weight matrices go to a split buffer whose rows spread over
// every device; each layer's KV cache is still allocated whole on that layer's device
// (llama-kv-cache.cpp: `model.dev_layer(il)`), as is its recurrent state
// (llama-memory-recurrent.cpp), and ggml's scheduler computes the layer there.

/**
 * Device index of each of `layers` decoder layers spread over `devices` identical GPUs with
 * llama.cpp's default (even) tensor split and every layer offloaded. The output layer, counted
 * as layer `layers`, always lands on the last device.
 */
export function llamaCppLayerDevices(layers: number, devices: number): number[] {
  const slots = layers + 1;
  return Array.from({ length: layers }, (_, layer) => Math.floor((layer * devices) / slots));
}
