package dev.kalm.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.data.beir.BeirDataset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RetrievalPropertiesTest {

  /** A random data set whose vectors have components in {-1, 0, 1}, so equal scores are common. */
  private record Case(List<String> docIds, Map<String, float[]> vectors, List<String> queryIds,
      Map<String, Map<String, Integer>> qrels) {}

  private static Case randomCase(long seed, int docs, int queries) {
    Random random = new Random(seed);
    List<String> docIds = new ArrayList<>();
    Map<String, float[]> vectors = new HashMap<>();
    for (int d = 0; d < docs; d++) {
      String id = Integer.toString(random.nextInt(1000), 36) + "-" + d;
      docIds.add(id);
      vectors.put("doc " + id, new float[] {random.nextInt(3) - 1, random.nextInt(3) - 1, random.nextInt(3) - 1});
    }
    List<String> queryIds = new ArrayList<>();
    Map<String, Map<String, Integer>> qrels = new HashMap<>();
    for (int q = 0; q < queries; q++) {
      String id = "q" + q;
      queryIds.add(id);
      vectors.put("query " + id, new float[] {random.nextInt(3) - 1, random.nextInt(3) - 1, random.nextInt(3) - 1});
      Map<String, Integer> judged = new HashMap<>();
      for (int j = 0; j < 3; j++) {
        judged.put(docIds.get(random.nextInt(docs)), random.nextInt(3));
      }
      judged.put(docIds.get(random.nextInt(docs)), 1 + random.nextInt(2)); // at least one relevant
      qrels.put(id, judged);
    }
    return new Case(docIds, vectors, queryIds, qrels);
  }

  private static BeirDataset dataset(Case c, List<String> docOrder) {
    Beir b = new Beir();
    docOrder.forEach(id -> b.doc(id, "doc " + id));
    for (String q : c.queryIds()) {
      List<Object> judged = new ArrayList<>();
      c.qrels().get(q).forEach((d, g) -> {
        judged.add(d);
        judged.add(g);
      });
      b.query(q, "query " + q, judged.toArray());
    }
    return b.build();
  }

  @Property(tries = 60)
  void permutingDocumentsChangesNoScore(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int docs,
      @ForAll @IntRange(min = 1, max = 6) int queries) {
    Case c = randomCase(seed, docs, queries);
    List<String> shuffled = new ArrayList<>(c.docIds());
    Collections.shuffle(shuffled, new Random(seed + 1));
    var embedder = new FakeEmbedders.Table(c.vectors(), 3);
    EvaluationResult a = Evaluators.retrieval(dataset(c, c.docIds()), EvaluationConfig.defaults()).evaluate(embedder);
    EvaluationResult b = Evaluators.retrieval(dataset(c, shuffled), EvaluationConfig.defaults()).evaluate(embedder);
    assertEquals(a.scores(), b.scores());
  }

  @Property(tries = 60)
  void metricsStayWithinZeroAndOne(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int docs,
      @ForAll @IntRange(min = 1, max = 6) int queries, @ForAll @IntRange(min = 1, max = 50) int topK) {
    Case c = randomCase(seed, docs, queries);
    var embedder = new FakeEmbedders.Table(c.vectors(), 3);
    EvaluationResult r = Evaluators.retrieval(dataset(c, c.docIds()),
        EvaluationConfig.builder().topK(topK).build()).evaluate(embedder);
    r.scores().forEach((name, value) -> assertTrue(value >= 0 && value <= 1 + 1e-12, name + " = " + value));
  }

  @Property(tries = 40)
  void aPerfectEmbedderScoresOne(@ForAll @IntRange(min = 1, max = 30) int pairs,
      @ForAll @IntRange(min = 0, max = 20) int distractors) {
    // query i and document i share one-hot vector e_i; distractor documents embed to zero
    Beir b = new Beir();
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < pairs; i++) {
      b.doc("d" + i, "doc " + i);
      index.put("doc " + i, i);
      index.put("query " + i, i);
    }
    for (int i = 0; i < distractors; i++) {
      b.doc("x" + i, "distractor " + i);
    }
    for (int i = 0; i < pairs; i++) {
      b.query("q" + i, "query " + i, "d" + i, 1);
    }
    EvaluationResult r = Evaluators.retrieval(b.build(), EvaluationConfig.defaults())
        .evaluate(FakeEmbedders.oneHot(index, pairs));
    for (int k : RetrievalMetrics.K_VALUES) {
      assertEquals(1.0, r.scores().get("ndcg_at_" + k), 1e-12);
      assertEquals(1.0, r.scores().get("map_at_" + k), 1e-12);
      assertEquals(1.0, r.scores().get("recall_at_" + k), 1e-12);
      assertEquals(1.0, r.scores().get("mrr_at_" + k), 1e-12);
      assertEquals(1.0 / k, r.scores().get("precision_at_" + k), 1e-12);
    }
  }
}
