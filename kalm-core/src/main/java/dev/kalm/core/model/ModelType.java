package dev.kalm.core.model;

import java.util.Locale;

/**
 * The decoder families kalm runs, by their {@code config.json} {@code model_type}. Both are the same pre-norm
 * decoder (RMSNorm, rotary embeddings, grouped-query attention, SwiGLU MLP); they differ only in attention:
 *
 * <ul>
 *   <li>{@link #QWEN2}: q/k/v projections with bias, o_proj without (hard-coded in transformers' Qwen2);
 *       {@code head_dim} defaults to {@code hidden_size / num_attention_heads}.
 *   <li>{@link #QWEN3}: an RMSNorm over {@code head_dim} on every query and key head ({@code q_norm},
 *       {@code k_norm}) after the projection and before the rotary embedding; q/k/v/o biases only when
 *       {@code attention_bias} is true (default false); {@code head_dim} from the config, 128 when absent
 *       (transformers' {@code Qwen3Config} default).
 * </ul>
 */
public enum ModelType {
  QWEN2("qwen2", "Qwen2Model"),
  QWEN3("qwen3", "Qwen3Model");

  private final String configName;
  private final String architecture;

  ModelType(String configName, String architecture) {
    this.configName = configName;
    this.architecture = architecture;
  }

  /** The {@code model_type} value in {@code config.json}. */
  public String configName() {
    return configName;
  }

  /** The transformers class written to {@code architectures} (the encoder, without a language-model head). */
  public String architecture() {
    return architecture;
  }

  /**
   * The type named {@code model_type}, case-insensitive.
   *
   * @throws IllegalArgumentException naming the value and the supported ones
   */
  public static ModelType fromConfigName(String name) {
    for (ModelType t : values()) {
      if (t.configName.equals(name.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown model_type '" + name + "': supported are qwen2 and qwen3");
  }
}
