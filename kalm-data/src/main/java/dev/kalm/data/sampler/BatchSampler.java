package dev.kalm.data.sampler;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.kalm.data.example.TrainingExample;
import java.util.List;

/**
 * Decides which training examples go together into each contrastive batch of an epoch. This is an
 * extension point: the trainer takes any implementation; {@link BatchSamplers} has the built-in ones
 * (random, KaLM's semi-homogeneous task batching). Since the other examples of a batch are each query's
 * in-batch negatives, the sampler shapes what the model learns (e.g. same-task batches give harder
 * negatives, but also more false negatives).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Input:</b> the full training set ({@code examples}, indexed 0..n-1), a 0-based
 *       {@code epoch} and a {@code seed}. The sampler may read the examples (task, texts, lengths) but
 *       returns positions into the list, never examples.
 *   <li><b>Output:</b> the epoch's batches, in training order; each batch an array of example indices.
 *   <li><b>Each example at most once per epoch:</b> no index appears twice, in one batch or across
 *       batches. Without {@link #dropLast()} every index appears exactly once; with it, exactly
 *       {@code n mod batchSize()} examples are left out of the epoch (and never more).
 *   <li><b>Batch size:</b> every batch holds exactly {@link #batchSize()} indices, except at most one
 *       batch of {@code n mod batchSize()} (the remainder), which {@link #dropLast()} omits.
 *   <li><b>Deterministic:</b> the result is a pure function of (the examples' content and order, epoch,
 *       seed): the same arguments give the same batches in any JVM, on any thread. A different epoch
 *       should give a different order (the trainer reshuffles by passing the next epoch).
 *   <li><b>Thread safety:</b> implementations are immutable and safe for concurrent calls.
 * </ul>
 *
 * <h2>How the trainer uses it</h2>
 * At the start of epoch {@code e} the trainer calls {@code batches(examples, e, seed)} once with the run's
 * seed, and trains on the batches in list order. Its resumable position is the pair (epoch, batch
 * index): a run resumed from a checkpoint at (e, b) calls {@code batches(examples, e, seed)} again and
 * continues from batch {@code b}; determinism makes that the same batch as in the interrupted run.
 *
 * <h2>Implementing one</h2>
 * Derive every random choice from {@code (seed, epoch)} (e.g. {@code new SplittableRandom(seed * 31 + epoch)}),
 * never from a shared or time-based generator. Verify an implementation by extending the abstract
 * contract test {@code dev.kalm.data.testing.BatchSamplerContract} from kalm-data's test-jar.
 *
 * <pre>{@code
 * BatchSampler sampler = BatchSamplers.semiHomogeneous(
 *     SamplerConfig.builder().batchSize(48).homogeneousRatio(0.8).dropLast(true).build());
 * for (ImmutableIntArray batch : sampler.batches(examples, epoch, 42)) {
 *   List<TrainingExample> group = batch.stream().mapToObj(examples::get).toList();
 *   ...
 * }
 * }</pre>
 */
public interface BatchSampler {
  /** Examples per batch, at least 1. */
  int batchSize();

  /** Whether the remainder batch ({@code n mod batchSize()} examples) is left out of each epoch. */
  boolean dropLast();

  /**
   * The batches of one epoch.
   *
   * @param examples the training set; not modified
   * @param epoch 0-based epoch number
   * @param seed the run's seed
   * @return the batches in training order, each holding indices into {@code examples}
   * @throws IllegalArgumentException when {@code epoch < 0}
   */
  ImmutableList<ImmutableIntArray> batches(List<TrainingExample> examples, int epoch, long seed);
}
