package dev.kalm.examples.samplers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.sampler.BatchSampler;
import dev.kalm.data.sampler.SamplerConfig;
import dev.kalm.data.testing.BatchSamplerContract;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared {@link BatchSampler} contract, run against the custom sampler. */
class LengthBucketSamplerTest extends BatchSamplerContract {
  @Override
  protected BatchSampler sampler(int batchSize, boolean dropLast) {
    return new LengthBucketSampler(SamplerConfig.builder().batchSize(batchSize).dropLast(dropLast).build(), 4);
  }

  @Override
  protected boolean separatesDuplicateTexts() {
    return false;
  }

  @Test
  void batchesHoldSimilarLengths() {
    List<TrainingExample> examples = examples(400, 1, 3);
    List<ImmutableIntArray> batches = new LengthBucketSampler(SamplerConfig.builder().batchSize(8).dropLast(true).build(), 50).batches(examples, 0, 1);
    long spreadSum = 0;
    for (ImmutableIntArray b : batches) {
      int min = Integer.MAX_VALUE;
      int max = 0;
      for (int i = 0; i < b.length(); i++) {
        int len = examples.get(b.get(i)).query().length() + examples.get(b.get(i)).firstPositive().length();
        min = Math.min(min, len);
        max = Math.max(max, len);
      }
      spreadSum += max - min;
    }
    // Lengths vary over about 20 characters; sorted buckets keep each batch within a few.
    assertTrue(spreadSum / (double) batches.size() < 3, "mean spread " + spreadSum / (double) batches.size());
  }
}
