package dev.kalm.train.eval;

import com.google.common.collect.ImmutableMap;
import dev.kalm.data.beir.BeirDataset;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds small in-memory BEIR data sets for tests. */
final class Beir {
  private final Map<String, String> corpus = new LinkedHashMap<>();
  private final Map<String, String> queries = new LinkedHashMap<>();
  private final Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
  private final Map<String, ImmutableMap<String, String>> extras = new LinkedHashMap<>();

  Beir doc(String id, String text) {
    corpus.put(id, text);
    return this;
  }

  Beir query(String id, String text, Object... docAndGrade) {
    return query(id, text, ImmutableMap.of(), docAndGrade);
  }

  Beir query(String id, String text, ImmutableMap<String, String> extra, Object... docAndGrade) {
    queries.put(id, text);
    extras.put(id, extra);
    Map<String, Integer> judged = qrels.computeIfAbsent(id, k -> new LinkedHashMap<>());
    for (int i = 0; i < docAndGrade.length; i += 2) {
      judged.put((String) docAndGrade[i], (Integer) docAndGrade[i + 1]);
    }
    return this;
  }

  BeirDataset build() {
    ImmutableMap.Builder<String, ImmutableMap<String, Integer>> q = ImmutableMap.builder();
    qrels.forEach((k, v) -> q.put(k, ImmutableMap.copyOf(v)));
    return new BeirDataset(Path.of("mem"), "test", ImmutableMap.copyOf(corpus), ImmutableMap.copyOf(queries),
        q.buildOrThrow(), ImmutableMap.copyOf(extras));
  }

  static float[] vec(float... v) {
    return v;
  }
}
