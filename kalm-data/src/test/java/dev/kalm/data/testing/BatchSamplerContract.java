package dev.kalm.data.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.kalm.data.example.Texts;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.sampler.BatchSampler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The {@link BatchSampler} contract as reusable tests: extend this class in your test sources (it is
 * in kalm-data's test-jar, {@code <type>test-jar</type>}) and implement {@link #sampler}. Checked with
 * jqwik properties over random data sets, batch sizes, epochs and seeds:
 * <ul>
 *   <li>every example at most once per epoch; exactly once without drop-last, and with drop-last exactly
 *       the {@code n mod batchSize} remainder left out;
 *   <li>every batch full except at most one remainder batch;
 *   <li>same (examples, epoch, seed) give the same batches; another epoch gives another order;
 *   <li>no two examples of a batch share a normalised query or positive (override
 *       {@link #separatesDuplicateTexts()} to skip, if your sampler does not promise it);
 *   <li>negative epochs are rejected; an empty data set gives no batch.
 * </ul>
 *
 * <pre>{@code
 * class MySamplerTest extends BatchSamplerContract {
 *   protected BatchSampler sampler(int batchSize, boolean dropLast) {
 *     return new MySampler(batchSize, dropLast);
 *   }
 * }
 * }</pre>
 */
public abstract class BatchSamplerContract {

  /** The sampler under test with the given batch size and drop-last setting. */
  protected abstract BatchSampler sampler(int batchSize, boolean dropLast);

  /** Whether the sampler promises no duplicate texts inside a batch (default true). */
  protected boolean separatesDuplicateTexts() {
    return true;
  }

  /** Whether the order changes with the epoch and the seed (default true; false for an in-order sampler). */
  protected boolean shuffles() {
    return true;
  }

  /**
   * A data set of {@code n} examples over {@code tasks} tasks, deterministic in {@code seed}. Each
   * positive text is shared by exactly two examples (spelled differently), so a sampler has to keep
   * pairs apart; queries are unique.
   */
  protected static List<TrainingExample> examples(int n, int tasks, long seed) {
    Random random = new Random(seed);
    List<Integer> docIds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      docIds.add(i / 2);
    }
    java.util.Collections.shuffle(docIds, random);
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String doc = "document " + docIds.get(i);
      out.add(TrainingExample.builder()
          .query("query " + i + " " + "x".repeat(random.nextInt(20)))
          .positive(random.nextBoolean() ? doc : " DOCUMENT  " + docIds.get(i))
          .task("task" + random.nextInt(Math.max(1, tasks)))
          .build());
    }
    return out;
  }

  @Property(tries = 80)
  public void everyExampleAtMostOncePerEpoch(
      @ForAll @IntRange(max = 120) int n,
      @ForAll @IntRange(min = 1, max = 12) int batchSize,
      @ForAll boolean dropLast,
      @ForAll @IntRange(max = 3) int epoch,
      @ForAll long seed) {
    List<TrainingExample> examples = examples(n, 3, seed);
    BatchSampler sampler = sampler(batchSize, dropLast);
    assertEquals(batchSize, sampler.batchSize());
    assertEquals(dropLast, sampler.dropLast());
    ImmutableList<ImmutableIntArray> batches = sampler.batches(examples, epoch, seed);
    Set<Integer> seen = new HashSet<>();
    int partial = 0;
    for (ImmutableIntArray batch : batches) {
      batch.forEach(i -> {
        assertTrue(i >= 0 && i < n, "index " + i + " out of range");
        assertTrue(seen.add(i), "index " + i + " twice");
      });
      if (batch.length() != batchSize) {
        partial++;
        assertEquals(n % batchSize, batch.length(), "only the remainder batch may be short");
        assertTrue(!dropLast, "drop-last keeps no short batch");
      }
    }
    assertTrue(partial <= 1, partial + " short batches");
    assertEquals(dropLast ? n - n % batchSize : n, seen.size(), "examples covered");
  }

  @Property(tries = 40)
  public void sameArgumentsGiveSameBatches(
      @ForAll @IntRange(max = 80) int n,
      @ForAll @IntRange(min = 1, max = 10) int batchSize,
      @ForAll @IntRange(max = 5) int epoch,
      @ForAll long seed) {
    List<TrainingExample> examples = examples(n, 2, seed);
    assertEquals(sampler(batchSize, false).batches(examples, epoch, seed),
        sampler(batchSize, false).batches(List.copyOf(examples(n, 2, seed)), epoch, seed));
  }

  @Property(tries = 20)
  public void anotherEpochGivesAnotherOrder(@ForAll long seed) {
    List<TrainingExample> examples = examples(96, 3, seed);
    BatchSampler sampler = sampler(8, true);
    if (!shuffles()) {
      assertEquals(sampler.batches(examples, 0, seed), sampler.batches(examples, 1, seed + 1));
      return;
    }
    assertNotEquals(sampler.batches(examples, 0, seed), sampler.batches(examples, 1, seed));
    assertNotEquals(sampler.batches(examples, 0, seed), sampler.batches(examples, 0, seed + 1));
  }

  @Property(tries = 60)
  public void noDuplicateTextsInABatch(
      @ForAll @IntRange(min = 1, max = 8) int batchSize,
      @ForAll @IntRange(min = 4, max = 12) int batches,
      @ForAll boolean dropLast,
      @ForAll long seed) {
    if (!separatesDuplicateTexts()) {
      return;
    }
    List<TrainingExample> examples = examples(batchSize * batches + (int) Math.floorMod(seed, batchSize), 3, seed);
    for (ImmutableIntArray batch : sampler(batchSize, dropLast).batches(examples, 0, seed)) {
      Set<String> texts = new HashSet<>();
      batch.forEach(i -> {
        TrainingExample e = examples.get(i);
        Set<String> own = new HashSet<>();
        own.add(Texts.normalize(e.query()));
        e.positives().forEach(p -> own.add(Texts.normalize(p)));
        own.forEach(t -> assertTrue(texts.add(t), "'" + t + "' twice in batch " + batch));
      });
    }
  }

  @Test
  public void rejectsNegativeEpochAndHandlesEmptyInput() {
    BatchSampler sampler = sampler(4, false);
    assertThrows(IllegalArgumentException.class, () -> sampler.batches(examples(8, 1, 0), -1, 0));
    assertEquals(List.of(), sampler.batches(List.of(), 0, 0));
  }
}
