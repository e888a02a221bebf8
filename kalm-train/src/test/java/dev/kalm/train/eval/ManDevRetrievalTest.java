package dev.kalm.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.testing.Fixtures;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** End to end on real data (the shared man-dev BEIR set) with a hashed bag-of-words embedder; no model needed. */
class ManDevRetrievalTest {

  static Path shared(String relative) {
    return Fixtures.shared(relative);
  }

  @Test
  void hashedBagOfWordsOnManDev() {
    Path folder = shared("data/man-dev");
    long start = System.nanoTime();
    Evaluator evaluator = Evaluators.retrieval(folder, "test", EvaluationConfig.defaults());
    double loadSeconds = (System.nanoTime() - start) / 1e9;
    EvaluationResult r = evaluator.evaluate(new FakeEmbedders.HashedBagOfWords(512));
    System.err.printf(Locale.ROOT, "man-dev hashed-BoW(512): ndcg@10 %.4f, mrr@10 %.4f, recall@100 %.4f; "
            + "%d queries x %d docs; load %.2f s, evaluate %.2f s%n", r.scores().get("ndcg_at_10"),
        r.scores().get("mrr_at_10"), r.scores().get("recall_at_100"), r.counts().get("queries"),
        r.counts().get("documents"), loadSeconds, r.evaluationSeconds());
    assertEquals(2705L, r.counts().get("queries"));
    assertEquals(0L, r.counts().get("skipped_queries"));
    // lexical overlap between a page's NAME line and its DESCRIPTION finds many pages
    assertTrue(r.mainScore() > 0.2 && r.mainScore() < 1, "ndcg@10 " + r.mainScore());
  }

  @Test
  void crossLingualQueriesGetPerLanguageSubsets() {
    Path folder = shared("data/man-xling-dev");
    EvaluationResult r = Evaluators.retrieval(folder, "test", EvaluationConfig.defaults())
        .evaluate(new FakeEmbedders.HashedBagOfWords(512));
    System.err.printf(Locale.ROOT, "man-xling-dev hashed-BoW(512): ndcg@10 %.4f, subsets %s%n", r.mainScore(),
        r.subsets().keySet());
    assertTrue(r.subsets().containsKey("de"));
    r.scores().values().forEach(v -> assertTrue(v >= 0 && v <= 1));
  }
}
