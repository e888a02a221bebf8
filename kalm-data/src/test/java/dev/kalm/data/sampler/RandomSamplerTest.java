package dev.kalm.data.sampler;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RandomSamplerTest extends BatchSamplerContract {
  @Override
  protected BatchSampler sampler(int batchSize, boolean dropLast) {
    return BatchSamplers.random(batchSize, dropLast);
  }

  @Test
  void rejectsBadBatchSize() {
    assertThrows(IllegalArgumentException.class, () -> BatchSamplers.random(0, false));
  }
}
