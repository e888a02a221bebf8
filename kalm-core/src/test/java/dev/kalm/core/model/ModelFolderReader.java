package dev.kalm.core.model;

import dev.kalm.core.device.Backends;
import dev.kalm.core.internal.model.ModelLoader;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.testing.Fixtures;

/** Loads the qwen2-tiny fixture model (it has no tokenizer, so weights are read directly). */
final class ModelFolderReader {
  private ModelFolderReader() {}

  static Qwen2Model tiny() {
    java.nio.file.Path dir = Fixtures.qwen2Tiny();
    Qwen2Config config = Qwen2Config.read(dir.resolve("config.json"));
    return ModelLoader.load(new ModelFolder(dir, config, dir.resolve("tokenizer.json"), null,
        com.google.common.collect.ImmutableMap.of(), null), Backends.cpu());
  }
}
