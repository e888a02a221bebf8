package dev.kalm.data.sampler;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The settings of the built-in {@link BatchSamplers}. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * BatchSampler sampler = BatchSamplers.semiHomogeneous(
 *     SamplerConfig.builder().batchSize(48).homogeneousRatio(0.8).dropLast(true).build());
 * }</pre>
 *
 * @param batchSize examples per batch, at least 1
 * @param homogeneousRatio the share of each task batch that stays with its task, in [0, 1]; read by
 *     {@link BatchSamplers#semiHomogeneous} only (1: one task per batch, 0: fully mixed)
 * @param dropLast leave the {@code n mod batchSize} remainder out of each epoch
 */
public record SamplerConfig(int batchSize, double homogeneousRatio, boolean dropLast) {
  /** The default batch size. */
  public static final int DEFAULT_BATCH_SIZE = 16;
  /** The default homogeneous ratio: KaLM-Embedding's 0.5. */
  public static final double DEFAULT_HOMOGENEOUS_RATIO = 0.5;

  /** @throws IllegalArgumentException naming the bad value */
  public SamplerConfig {
    checkArgument(batchSize >= 1, "batchSize must be >= 1, got %s", batchSize);
    checkArgument(homogeneousRatio >= 0 && homogeneousRatio <= 1, "homogeneousRatio must be in [0, 1], got %s",
        homogeneousRatio);
  }

  /** Batch size {@value #DEFAULT_BATCH_SIZE}, ratio {@value #DEFAULT_HOMOGENEOUS_RATIO}, remainder kept. */
  public static SamplerConfig defaults() {
    return builder().build();
  }

  /** A builder holding the {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return builder().batchSize(batchSize).homogeneousRatio(homogeneousRatio).dropLast(dropLast);
  }

  /** Builder for {@link SamplerConfig}; every setter is optional. Not thread-safe. */
  public static final class Builder {
    private int batchSize = DEFAULT_BATCH_SIZE;
    private double homogeneousRatio = DEFAULT_HOMOGENEOUS_RATIO;
    private boolean dropLast;

    private Builder() {}

    /** Examples per batch (default {@value SamplerConfig#DEFAULT_BATCH_SIZE}). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** The semi-homogeneous sampler's ratio (default {@value SamplerConfig#DEFAULT_HOMOGENEOUS_RATIO}). */
    public Builder homogeneousRatio(double ratio) {
      this.homogeneousRatio = ratio;
      return this;
    }

    /** Whether the remainder batch is left out of each epoch (default false). */
    public Builder dropLast(boolean dropLast) {
      this.dropLast = dropLast;
      return this;
    }

    /** @throws IllegalArgumentException naming the bad value */
    public SamplerConfig build() {
      return new SamplerConfig(batchSize, homogeneousRatio, dropLast);
    }
  }
}
