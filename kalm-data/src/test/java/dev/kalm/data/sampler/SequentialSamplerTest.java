package dev.kalm.data.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.primitives.ImmutableIntArray;
import dev.kalm.data.testing.BatchSamplerContract;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequentialSamplerTest extends BatchSamplerContract {
  @Override
  protected BatchSampler sampler(int batchSize, boolean dropLast) {
    return BatchSamplers.sequential(SamplerConfig.builder().batchSize(batchSize).dropLast(dropLast).build());
  }

  @Override
  protected boolean separatesDuplicateTexts() {
    return false;
  }

  @Override
  protected boolean shuffles() {
    return false;
  }

  @Test
  void keepsInputOrderInEveryEpoch() {
    var batches = BatchSamplers.sequential(SamplerConfig.builder().batchSize(3).build()).batches(examples(7, 2, 1), 5, 9);
    assertEquals(List.of(ImmutableIntArray.of(0, 1, 2), ImmutableIntArray.of(3, 4, 5), ImmutableIntArray.of(6)), batches);
  }
}
