package dev.kalm.data.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.hash.Hashing;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.kalm.data.example.Texts;
import dev.kalm.data.search.TopHits;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * KaLM's per-example keep/sample rule of ranking-consistency filtering and hard-negative mining, as one
 * pure function ({@link #decide}) that the single-machine filter ({@link DataFilters#rankingConsistency})
 * and the Spark miner both call, so the two cannot drift. Everything the rule needs is passed in as ids,
 * keys and scores; it sees no text, no model and no index. Immutable, thread-safe and
 * {@link Serializable} (ship it to executors).
 *
 * <p>Terms: the <em>pool</em> is the candidate texts numbered {@code 0 .. size-1} (first occurrence
 * order); the <em>ranked list</em> of a query is its search result over the pool ({@link TopHits}, best
 * first, {@code min(retrievalDepth, poolSize)} long); a text's <em>key</em> is {@link #textKey}: two texts
 * are "the same" for the rule iff their keys are equal (same {@link Texts#normalize} form).
 *
 * <p>The rule, for {@link MiningConfig} {@code c}:
 * <ol>
 *   <li><b>Filter</b> (when {@code c.filter()}): drop with {@link #INCONSISTENT_RANKING} iff the list holds
 *       more than {@code c.filterTopK()} hits and the best positive's score is below the score at 0-based
 *       rank {@code filterTopK} (ties keep).
 *   <li><b>Mine</b> (when {@code c.mine()}; otherwise the negatives stay as they are): up to
 *       {@code c.negatives()} negatives: with {@link ExistingNegatives#KEEP_FIRST} the example's own
 *       eligible negatives first, in order; then pool ids drawn uniformly without replacement from ranks
 *       {@code [rangeMin, rangeMax)} of the list; then, if still short, pool ids padded at random
 *       (a few random probes, then a scan from a random start). A text is eligible iff its key is not
 *       {@link #BLANK_KEY}, not the query's, not a positive's and not already chosen.
 * </ol>
 * All randomness comes from {@code seed} ({@link #exampleSeed} of the run's seed and the example's
 * stable index), so the decision is a function of the arguments.
 *
 * <pre>{@code
 * MiningRule rule = MiningRule.of(config);
 * MiningRule.Decision d = rule.decide(example, ranked, pool, MiningRule.exampleSeed(config.seed(), index));
 * if (d.kept()) { ... d.existing() indexes the example's negatives, d.mined() and d.padded() are pool ids ... }
 * }</pre>
 */
public final class MiningRule implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Drop reason: the best positive scored below the text at rank {@code filterTopK}. */
  public static final String INCONSISTENT_RANKING = "inconsistent-ranking";
  /** The key of a text that is blank once normalised: never eligible as a negative. */
  public static final long BLANK_KEY = 0L;

  private final boolean filter;
  private final boolean mine;
  private final int filterTopK;
  private final int rangeMin;
  private final int rangeMax;
  private final int negatives;
  private final ExistingNegatives existingNegatives;

  private MiningRule(MiningConfig config) {
    this.filter = config.filter();
    this.mine = config.mine();
    this.filterTopK = config.filterTopK();
    this.rangeMin = config.rangeMin();
    this.rangeMax = config.rangeMax();
    this.negatives = config.negatives();
    this.existingNegatives = config.existingNegatives();
  }

  /** The rule with {@code config}'s filter and mining settings (the pool, prompts and search do not matter to it). */
  public static MiningRule of(MiningConfig config) {
    return new MiningRule(checkNotNull(config, "config"));
  }

  /**
   * The key the rule compares texts by: the low 64 bits of MurmurHash3-128 of the UTF-8 of
   * {@link Texts#normalize}{@code (text)}; {@link #BLANK_KEY} for a text that normalises to nothing
   * (a hash equal to it is moved to 1). Two different normalised texts share a key with probability
   * about {@code n^2 / 2^65} for {@code n} distinct texts (3e-4 for 10^8 texts): the only effect is one
   * text treated as equal to another. Pure.
   */
  public static long textKey(String text) {
    String normalized = Texts.normalize(checkNotNull(text, "text"));
    if (normalized.isEmpty()) {
      return BLANK_KEY;
    }
    long hash = Hashing.murmur3_128().hashString(normalized, StandardCharsets.UTF_8).asLong();
    return hash == BLANK_KEY ? 1L : hash;
  }

  /**
   * The sampling seed of the example at {@code exampleIndex} (its 0-based position in the input of one
   * pool, stable across runs and machines): SplitMix64 of {@code (seed, exampleIndex)}, an independent
   * stream per example.
   */
  public static long exampleSeed(long seed, long exampleIndex) {
    long z = seed + (exampleIndex + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * The keep/sample decision for one example. Pure: the same arguments give the same decision.
   *
   * @param example the example's keys and its best positive score
   * @param ranked the example's query's ranked list over {@code pool} (ids in {@code [0, pool.size())})
   * @param pool the keys of the pool's texts
   * @param seed the example's sampling seed, normally {@link #exampleSeed}
   * @throws IllegalArgumentException when a ranked id is outside the pool, or filtering needs the best
   *     positive score and it is NaN
   */
  public Decision decide(Example example, TopHits ranked, Pool pool, long seed) {
    checkNotNull(example, "example");
    checkNotNull(ranked, "ranked");
    checkNotNull(pool, "pool");
    for (int r = 0; r < ranked.size(); r++) {
      checkArgument(ranked.id(r) >= 0 && ranked.id(r) < pool.size(), "ranked id %s at rank %s is outside the pool [0, %s)",
          ranked.id(r), r, pool.size());
    }
    if (filter && ranked.size() > filterTopK) {
      checkArgument(!Float.isNaN(example.bestPositiveScore()), "bestPositiveScore must not be NaN when filtering");
      if (example.bestPositiveScore() < ranked.score(filterTopK)) {
        return Decision.drop(INCONSISTENT_RANKING);
      }
    }
    if (!mine) {
      return new Decision(null, range(example.negativeKeys().length()), ImmutableIntArray.of(), ImmutableIntArray.of());
    }
    Set<Long> excluded = new HashSet<>();
    excluded.add(example.queryKey());
    example.positiveKeys().forEach(excluded::add);
    Set<Long> chosen = new HashSet<>();
    int taken = 0;

    ImmutableIntArray.Builder existing = ImmutableIntArray.builder();
    if (existingNegatives == ExistingNegatives.KEEP_FIRST) {
      for (int i = 0; i < example.negativeKeys().length() && taken < negatives; i++) {
        if (eligible(example.negativeKeys().get(i), excluded, chosen)) {
          existing.add(i);
          taken++;
        }
      }
    }

    SplittableRandom random = new SplittableRandom(seed);
    ImmutableIntArray.Builder mined = ImmutableIntArray.builder();
    if (taken < negatives) {
      int from = Math.min(rangeMin, ranked.size());
      int to = Math.min(rangeMax, ranked.size());
      int[] candidates = new int[to - from];
      for (int r = from; r < to; r++) {
        candidates[r - from] = ranked.id(r);
      }
      // Partial Fisher-Yates: uniform without replacement among the eligible candidates.
      for (int left = candidates.length; left > 0 && taken < negatives; left--) {
        int j = random.nextInt(left);
        int id = candidates[j];
        candidates[j] = candidates[left - 1];
        if (eligible(pool.key(id), excluded, chosen)) {
          mined.add(id);
          taken++;
        }
      }
    }

    ImmutableIntArray.Builder padded = ImmutableIntArray.builder();
    int poolSize = pool.size();
    if (taken < negatives && poolSize > 0) {
      for (int probe = 0; taken < negatives && probe < 4 * negatives + 16; probe++) {
        int id = random.nextInt(poolSize);
        if (eligible(pool.key(id), excluded, chosen)) {
          padded.add(id);
          taken++;
        }
      }
      int startAt = random.nextInt(poolSize);
      for (int k = 0; k < poolSize && taken < negatives; k++) {
        int id = (startAt + k) % poolSize;
        if (eligible(pool.key(id), excluded, chosen)) {
          padded.add(id);
          taken++;
        }
      }
    }
    return new Decision(null, existing.build(), mined.build(), padded.build());
  }

  private static boolean eligible(long key, Set<Long> excluded, Set<Long> chosen) {
    return key != BLANK_KEY && !excluded.contains(key) && chosen.add(key);
  }

  private static ImmutableIntArray range(int n) {
    ImmutableIntArray.Builder b = ImmutableIntArray.builder(n);
    for (int i = 0; i < n; i++) {
      b.add(i);
    }
    return b.build();
  }

  @Override
  public String toString() {
    return "MiningRule[filter=" + filter + ", mine=" + mine + ", filterTopK=" + filterTopK + ", range=[" + rangeMin
        + ", " + rangeMax + "), negatives=" + negatives + ", existing=" + existingNegatives + "]";
  }

  /**
   * What the rule knows of one example. Immutable.
   *
   * @param queryKey {@link #textKey} of the query text
   * @param positiveKeys {@link #textKey} of each positive
   * @param bestPositiveScore the teacher's highest score among the positives, as the search scores them
   *     (the ranked list's score where a positive is in the list); may be NaN when not filtering
   * @param negativeKeys {@link #textKey} of each of the example's own negatives, in order
   */
  public record Example(long queryKey, ImmutableLongArray positiveKeys, float bestPositiveScore,
      ImmutableLongArray negativeKeys) implements Serializable {
    /** Validates. */
    public Example {
      checkNotNull(positiveKeys, "positiveKeys");
      checkNotNull(negativeKeys, "negativeKeys");
    }

    /** The keys of an example's texts, computed with {@link #textKey}. */
    public static Example of(String query, List<String> positives, float bestPositiveScore, List<String> negatives) {
      return new Example(textKey(query), keys(positives), bestPositiveScore, keys(negatives));
    }

    private static ImmutableLongArray keys(List<String> texts) {
      ImmutableLongArray.Builder b = ImmutableLongArray.builder(texts.size());
      texts.forEach(t -> b.add(textKey(t)));
      return b.build();
    }
  }

  /** The keys of a pool's texts by id. Immutable; build once and share (e.g. a Spark broadcast). */
  public static final class Pool implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long[] keys;

    private Pool(long[] keys) {
      this.keys = keys;
    }

    /** A pool with these keys (copied): id {@code i} has key {@code keys[i]}. */
    public static Pool ofKeys(long[] keys) {
      return new Pool(checkNotNull(keys, "keys").clone());
    }

    /** The pool of these texts, keys computed with {@link #textKey}. */
    public static Pool of(List<String> texts) {
      long[] keys = new long[texts.size()];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = textKey(texts.get(i));
      }
      return new Pool(keys);
    }

    /** Number of texts. */
    public int size() {
      return keys.length;
    }

    /** The key of text {@code id}. */
    public long key(int id) {
      checkElementIndex(id, keys.length, "id");
      return keys[id];
    }
  }

  /**
   * The rule's verdict on one example. Immutable.
   *
   * @param dropReason why the example is dropped ({@link #INCONSISTENT_RANKING}), or null when kept
   * @param existing indices into the example's own negatives that stay, in order (all of them when not
   *     mining)
   * @param mined pool ids sampled from the rank range, in sampling order
   * @param padded pool ids padded at random, in order
   */
  public record Decision(@Nullable String dropReason, ImmutableIntArray existing, ImmutableIntArray mined,
      ImmutableIntArray padded) implements Serializable {
    /** Validates: a dropped example has no negatives. */
    public Decision {
      checkNotNull(existing, "existing");
      checkNotNull(mined, "mined");
      checkNotNull(padded, "padded");
      checkArgument(dropReason == null || existing.isEmpty() && mined.isEmpty() && padded.isEmpty(),
          "a dropped example has no negatives");
    }

    static Decision drop(String reason) {
      return new Decision(reason, ImmutableIntArray.of(), ImmutableIntArray.of(), ImmutableIntArray.of());
    }

    /** Whether the example is kept. */
    public boolean kept() {
      return dropReason == null;
    }

    /** Number of negatives the kept example ends with. */
    public int negativeCount() {
      return existing.length() + mined.length() + padded.length();
    }
  }
}
