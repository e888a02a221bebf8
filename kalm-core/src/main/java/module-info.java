/**
 * kalm-core: loads and runs Qwen2/Qwen3 embedding models on DJL's PyTorch engine, reads and writes model
 * folders, safetensors and JSON Lines, and chooses the device.
 *
 * <p>Programs use the unqualified exports. The {@code internal} packages (the transformer on DJL arrays, the
 * Qwen2 embedder and pooling, DJL devices, the native runtime settings, the strict JSON reader and the report
 * writer) are exported only to the kalm modules that
 * build on them and may change without notice. Guava types appear in the exported API (immutable collections
 * in records), so Guava is read transitively; Gson types do not (only the internal JSON reader and report writer use them). The bundled tokenizer and {@code version.properties} are
 * resources read by this module's own classes, so no package is opened.
 */
// "module": the targets of the qualified exports are compiled after this module (javac: module not found).
@SuppressWarnings("module")
module dev.kalm.core {
  requires transitive com.google.common;
  requires com.google.gson;
  requires ai.djl.api;
  requires ai.djl.pytorch_engine;
  requires ai.djl.tokenizers;
  requires com.sun.jna;
  requires org.slf4j;
  requires static org.jspecify;

  exports dev.kalm.core;
  exports dev.kalm.core.device;
  exports dev.kalm.core.embed;
  exports dev.kalm.core.io;
  exports dev.kalm.core.jsonl;
  exports dev.kalm.core.model;
  exports dev.kalm.core.progress;
  exports dev.kalm.core.report;
  exports dev.kalm.core.safetensors;
  exports dev.kalm.core.stop;
  exports dev.kalm.core.tokenize;

  exports dev.kalm.core.internal.device to dev.kalm.data, dev.kalm.train, dev.kalm.examples;
  exports dev.kalm.core.internal.embed to dev.kalm.train;
  exports dev.kalm.core.internal.json to dev.kalm.data, dev.kalm.train, dev.kalm.examples;
  exports dev.kalm.core.internal.model to dev.kalm.train;
  exports dev.kalm.core.internal.runtime to dev.kalm.examples;
}
