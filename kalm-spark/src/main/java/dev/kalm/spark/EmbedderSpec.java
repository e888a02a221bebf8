package dev.kalm.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.model.Prompt;
import java.io.Serializable;

/**
 * Everything an executor needs to open the same {@link dev.kalm.core.embed.Embedder} as the driver: where
 * the model is ({@link ModelSource} text) and the embedder settings as plain values, so it can travel in
 * a Spark closure. Two equal specs share one embedder per executor JVM. Immutable.
 *
 * @param modelSource the model's location in one of the forms of {@link ModelSource}, read by
 *     {@link ModelSource#localFolder}
 * @param dimension Matryoshka dimension, 0 for the full hidden size
 * @param maxLength tokens kept per text
 * @param batchTokens token budget of one embedding batch
 * @param pooling {@code mean | last | first}, or empty for the model folder's
 * @param normalize L2-normalise
 * @param instruction KaLM query instruction, or empty for none
 * @param promptName a prompt named in the folder's sentence-transformers config, or empty
 * @param attention {@code causal | bidirectional}, or empty for the folder's
 * @param device {@code auto | cpu | gpu}
 */
record EmbedderSpec(
    String modelSource,
    int dimension,
    int maxLength,
    int batchTokens,
    String pooling,
    boolean normalize,
    String instruction,
    String promptName,
    String attention,
    String device) implements Serializable {

  EmbedderSpec {
    checkArgument(modelSource != null && !modelSource.isEmpty(), "modelPath must be set, got '%s'", modelSource);
    checkNotNull(pooling, "pooling");
    checkNotNull(instruction, "instruction");
    checkNotNull(promptName, "promptName");
    checkNotNull(attention, "attention");
    checkNotNull(device, "device");
  }

  /** The embedder config these values mean. @throws IllegalArgumentException naming a bad value */
  EmbedderConfig config() {
    checkArgument(instruction.isEmpty() || promptName.isEmpty(),
        "set at most one of instruction and promptName, got instruction='%s' promptName='%s'", instruction, promptName);
    EmbedderConfig.Builder b = EmbedderConfig.builder()
        .dimension(dimension)
        .maxLength(maxLength)
        .batchTokens(batchTokens)
        .normalize(normalize)
        .device(DeviceChoice.parse(device));
    if (!pooling.isEmpty()) {
      b.pooling(Pooling.parse(pooling));
    }
    if (!attention.isEmpty()) {
      b.attention(Attention.parse(attention));
    }
    if (!instruction.isEmpty()) {
      b.prompt(Prompt.instruction(instruction));
    }
    if (!promptName.isEmpty()) {
      b.promptName(promptName);
    }
    return b.build();
  }
}
