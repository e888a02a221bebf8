package dev.kalm.data.filter;

/**
 * What hard-negative mining does with the negatives an example already has.
 */
public enum ExistingNegatives {
  /**
   * KaLM's way (KaLM-Embedding {@code train/hn_mine.py}): the example's own negatives come first (those
   * that are not blank, not the query or a positive and not repeated, at most {@code negatives}), mined
   * ones fill the rest. The default.
   */
  KEEP_FIRST,
  /**
   * FlagEmbedding's way ({@code FlagEmbedding/scripts/hn_mine.py}): the example's own negatives are
   * dropped and every negative is mined (then padded from the pool).
   */
  REPLACE
}
