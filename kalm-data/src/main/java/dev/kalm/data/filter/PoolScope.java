package dev.kalm.data.filter;

/**
 * Which examples share a mining pool (and a duplicate scope) when a folder of files is filtered with
 * {@link DataFilters#apply(DataFilter, dev.kalm.data.example.ExampleReader, java.nio.file.Path, PoolScope, FilterTally)}.
 */
public enum PoolScope {
  /**
   * Each file on its own, as KaLM-Embedding's scripts mine (one {@code hn_mine.py} run per file): negatives
   * come from the same file (task), and an example is ranked only against its file's texts. The default.
   */
  PER_FILE,
  /** All files together: one pool, so more examples compete (more are dropped) and negatives cross tasks. */
  SHARED
}
