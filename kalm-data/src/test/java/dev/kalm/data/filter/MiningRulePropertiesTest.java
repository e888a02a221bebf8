package dev.kalm.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.kalm.data.search.TopHits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** {@link MiningRule}: the per-example keep/sample rule on random pools, lists and examples. */
class MiningRulePropertiesTest {

  /** A random case: keys from a small range (collisions with the query and positives are common). */
  private record Case(MiningRule.Example example, TopHits ranked, MiningRule.Pool pool, MiningConfig config) {
    static Case random(long seed) {
      Random random = new Random(seed);
      int keyRange = 2 + random.nextInt(20);
      long[] poolKeys = new long[1 + random.nextInt(40)];
      for (int i = 0; i < poolKeys.length; i++) {
        poolKeys[i] = key(random, keyRange);
      }
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < poolKeys.length; i++) {
        ids.add(i);
      }
      java.util.Collections.shuffle(ids, random);
      int depth = Math.min(poolKeys.length, 1 + random.nextInt(30));
      float[] scores = new float[depth];
      for (int r = 0; r < depth; r++) {
        scores[r] = random.nextInt(6) / 5f;
      }
      Arrays.sort(scores);
      List<int[]> hits = new ArrayList<>(); // (id, score index) sorted best first, ties by lower id
      for (int r = 0; r < depth; r++) {
        hits.add(new int[] {ids.get(r), depth - 1 - r});
      }
      hits.sort((a, b) -> scores[a[1]] != scores[b[1]] ? Float.compare(scores[b[1]], scores[a[1]]) : Integer.compare(a[0], b[0]));
      int[] rankedIds = hits.stream().mapToInt(h -> h[0]).toArray();
      float[] rankedScores = new float[depth];
      for (int r = 0; r < depth; r++) {
        rankedScores[r] = scores[hits.get(r)[1]];
      }
      ImmutableLongArray.Builder positives = ImmutableLongArray.builder();
      for (int i = 1 + random.nextInt(3); i > 0; i--) {
        positives.add(key(random, keyRange));
      }
      ImmutableLongArray.Builder negatives = ImmutableLongArray.builder();
      for (int i = random.nextInt(6); i > 0; i--) {
        negatives.add(key(random, keyRange));
      }
      int rangeMin = random.nextInt(10);
      MiningConfig config = MiningConfig.builder()
          .filter(random.nextInt(4) > 0).mine(true).filterTopK(random.nextInt(12))
          .range(rangeMin, rangeMin + 1 + random.nextInt(15)).negatives(random.nextInt(9))
          .existingNegatives(random.nextBoolean() ? ExistingNegatives.KEEP_FIRST : ExistingNegatives.REPLACE)
          .build();
      MiningRule.Example example = new MiningRule.Example(key(random, keyRange), positives.build(),
          random.nextInt(6) / 5f, negatives.build());
      return new Case(example, new TopHits(rankedIds, rankedScores), MiningRule.Pool.ofKeys(poolKeys), config);
    }

    /** Keys 1..range, and the blank key now and then. */
    private static long key(Random random, int range) {
      return random.nextInt(8) == 0 ? MiningRule.BLANK_KEY : 1 + random.nextInt(range);
    }

    MiningRule.Decision decide(long seed) {
      return MiningRule.of(config).decide(example, ranked, pool, seed);
    }

    List<Long> chosenKeys(MiningRule.Decision d) {
      List<Long> keys = new ArrayList<>();
      d.existing().forEach(i -> keys.add(example.negativeKeys().get(i)));
      d.mined().forEach(id -> keys.add(pool.key(id)));
      d.padded().forEach(id -> keys.add(pool.key(id)));
      return keys;
    }

    Set<Long> excluded() {
      Set<Long> excluded = new HashSet<>();
      excluded.add(example.queryKey());
      example.positiveKeys().forEach(excluded::add);
      excluded.add(MiningRule.BLANK_KEY);
      return excluded;
    }
  }

  @Property(tries = 500)
  void dropsIffTheBestPositiveScoresBelowRankFilterTopK(@ForAll long seed) {
    Case c = Case.random(seed);
    MiningRule.Decision d = c.decide(seed);
    boolean inconsistent = c.config.filter() && c.ranked.size() > c.config.filterTopK()
        && c.example.bestPositiveScore() < c.ranked.score(c.config.filterTopK());
    assertEquals(!inconsistent, d.kept());
    if (!d.kept()) {
      assertEquals(MiningRule.INCONSISTENT_RANKING, d.dropReason());
      assertEquals(0, d.negativeCount());
    }
  }

  @Property(tries = 500)
  void neverSamplesAPositiveTheQueryABlankOrATextTwice(@ForAll long seed) {
    Case c = Case.random(seed);
    List<Long> keys = c.chosenKeys(c.decide(seed));
    Set<Long> excluded = c.excluded();
    for (long key : keys) {
      assertTrue(!excluded.contains(key), "chose excluded key " + key + " in " + keys);
    }
    assertEquals(keys.size(), new HashSet<>(keys).size(), "repeated key in " + keys);
  }

  @Property(tries = 500)
  void respectsTheRangeTheCountAndTheExistingNegativesMode(@ForAll long seed) {
    Case c = Case.random(seed);
    MiningRule.Decision d = c.decide(seed);
    if (!d.kept()) {
      return;
    }
    MiningConfig config = c.config;
    Set<Integer> inRange = new HashSet<>();
    for (int r = config.rangeMin(); r < Math.min(config.rangeMax(), c.ranked.size()); r++) {
      inRange.add(c.ranked.id(r));
    }
    d.mined().forEach(id -> assertTrue(inRange.contains(id), "mined id " + id + " outside ranks " + inRange));
    d.padded().forEach(id -> assertTrue(id >= 0 && id < c.pool.size()));

    // Existing negatives: with KEEP_FIRST the first eligible ones in order; with REPLACE none.
    Set<Long> seen = new HashSet<>(c.excluded());
    List<Integer> expectedExisting = new ArrayList<>();
    if (config.existingNegatives() == ExistingNegatives.KEEP_FIRST) {
      for (int i = 0; i < c.example.negativeKeys().length() && expectedExisting.size() < config.negatives(); i++) {
        if (seen.add(c.example.negativeKeys().get(i))) {
          expectedExisting.add(i);
        }
      }
    }
    assertEquals(expectedExisting, d.existing().asList());

    // Count: as many as asked for, or every eligible text there is.
    Set<Long> eligibleKeys = new HashSet<>();
    expectedExisting.forEach(i -> eligibleKeys.add(c.example.negativeKeys().get(i)));
    for (int id = 0; id < c.pool.size(); id++) {
      eligibleKeys.add(c.pool.key(id));
    }
    eligibleKeys.removeAll(c.excluded());
    assertEquals(Math.min(config.negatives(), eligibleKeys.size()), d.negativeCount(), "eligible " + eligibleKeys);

    // Padding only once the range has nothing eligible left.
    if (!d.padded().isEmpty()) {
      Set<Long> taken = new HashSet<>(c.excluded());
      d.existing().forEach(i -> taken.add(c.example.negativeKeys().get(i)));
      d.mined().forEach(id -> taken.add(c.pool.key(id)));
      for (int id : inRange) {
        assertTrue(taken.contains(c.pool.key(id)), "padded while range id " + id + " was still eligible");
      }
    }
  }

  @Property(tries = 300)
  void deterministicPerSeed(@ForAll long seed, @ForAll long samplingSeed) {
    Case c = Case.random(seed);
    assertEquals(c.decide(samplingSeed), Case.random(seed).decide(samplingSeed));
  }

  @Test
  void theSeedDecidesTheSample() {
    long[] keys = new long[200];
    int[] ids = new int[200];
    float[] scores = new float[200];
    for (int i = 0; i < 200; i++) {
      keys[i] = 100 + i;
      ids[i] = i;
      scores[i] = 1 - i / 1000f;
    }
    MiningRule rule = MiningRule.of(MiningConfig.builder().filter(false).range(0, 200).negatives(5).build());
    MiningRule.Example e = new MiningRule.Example(1, ImmutableLongArray.of(2), Float.NaN, ImmutableLongArray.of());
    MiningRule.Decision a = rule.decide(e, new TopHits(ids, scores), MiningRule.Pool.ofKeys(keys), MiningRule.exampleSeed(42, 0));
    MiningRule.Decision b = rule.decide(e, new TopHits(ids, scores), MiningRule.Pool.ofKeys(keys), MiningRule.exampleSeed(42, 1));
    assertNotEquals(a.mined(), b.mined());
    assertEquals(5, a.mined().length());
  }

  @Test
  void miningOffKeepsTheNegativesAsTheyAre() {
    MiningRule rule = MiningRule.of(MiningConfig.builder().mine(false).filterTopK(1).build());
    MiningRule.Example e = new MiningRule.Example(1, ImmutableLongArray.of(2), 0.5f, ImmutableLongArray.of(1, 2, 0));
    MiningRule.Decision d = rule.decide(e, new TopHits(new int[] {0, 1}, new float[] {0.9f, 0.4f}),
        MiningRule.Pool.ofKeys(new long[] {7, 8}), 1);
    assertEquals(ImmutableIntArray.of(0, 1, 2), d.existing());
    assertEquals(0, d.mined().length() + d.padded().length());
    assertThrows(IllegalArgumentException.class, () -> rule.decide(e, new TopHits(new int[] {5}, new float[] {1f}),
        MiningRule.Pool.ofKeys(new long[] {7}), 1));
  }

  @Test
  void textKeysCompareNormalisedText() {
    assertEquals(MiningRule.textKey("The  Query"), MiningRule.textKey("the query "));
    assertNotEquals(MiningRule.textKey("the query"), MiningRule.textKey("the queries"));
    assertEquals(MiningRule.BLANK_KEY, MiningRule.textKey(" \t"));
  }
}
