package dev.kalm.core.model;

import dev.kalm.core.device.Backends;
import dev.kalm.core.testing.Fixtures;

/** Loads the qwen2-tiny fixture model (it has no tokenizer, so weights are read directly). */
final class ModelFolderReader {
  private ModelFolderReader() {}

  static Qwen2Model tiny() {
    return folder().loadModel(Backends.cpu());
  }

  /** The same weights in the inference layout (fused projections). */
  static Qwen2Model tinyForInference() {
    ModelFolder folder = folder();
    return folder.loadInferenceModel(Backends.cpu(), folder.config());
  }

  private static ModelFolder folder() {
    java.nio.file.Path dir = Fixtures.qwen2Tiny();
    Qwen2Config config = Qwen2Config.read(dir.resolve("config.json"));
    return new ModelFolder(dir, config, dir.resolve("tokenizer.json"), null,
        com.google.common.collect.ImmutableMap.of(), null);
  }
}
