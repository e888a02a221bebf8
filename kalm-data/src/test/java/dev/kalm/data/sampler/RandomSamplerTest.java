package dev.kalm.data.sampler;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kalm.data.testing.BatchSamplerContract;
import org.junit.jupiter.api.Test;

class RandomSamplerTest extends BatchSamplerContract {
  @Override
  protected BatchSampler sampler(int batchSize, boolean dropLast) {
    return BatchSamplers.random(SamplerConfig.builder().batchSize(batchSize).dropLast(dropLast).build());
  }

  @Test
  void rejectsBadBatchSize() {
    assertThrows(IllegalArgumentException.class, () -> SamplerConfig.builder().batchSize(0).build());
  }
}
