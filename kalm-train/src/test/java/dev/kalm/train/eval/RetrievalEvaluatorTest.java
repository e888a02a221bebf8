package dev.kalm.train.eval;

import static dev.kalm.train.eval.Beir.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import dev.kalm.core.embed.Prompt;
import dev.kalm.data.beir.BeirDataset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrievalEvaluatorTest {
  private static final double EPS = 1e-12;

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Test
  void tiesAreBrokenByDocumentIdDescendingAsTrecEval() {
    // "a" and "b" embed identically; trec_eval ranks equal scores by doc id descending: b before a.
    var data = new Beir().doc("a", "A").doc("b", "B").doc("c", "C").query("q", "Q", "a", 1).build();
    var embedder = new FakeEmbedders.Table(Map.of("A", vec(1, 0), "B", vec(1, 0), "C", vec(0, 1), "Q", vec(1, 0)), 2);
    EvaluationResult r = Evaluators.retrieval(data, EvaluationConfig.defaults()).evaluate(embedder);
    assertEquals(0.0, r.scores().get("ndcg_at_1"), EPS);
    assertEquals(1 / log2(3), r.scores().get("ndcg_at_3"), EPS);
    assertEquals(0.5, r.scores().get("mrr_at_10"), EPS);
    assertEquals(0.5, r.scores().get("map_at_10"), EPS);
    assertEquals("ndcg_at_10", r.mainScoreName());
    assertEquals(r.scores().get("ndcg_at_10"), r.mainScore(), 0);
  }

  /** Hand-made qrels: q2's only relevant document is absent from the corpus. */
  private static BeirDataset unanswerableQuery() {
    return new Beir().doc("a", "A").doc("b", "B")
        .query("q1", "Q1", "a", 1)
        .query("q2", "Q2", "missing", 1)   // relevant doc not in corpus
        .query("q3", "Q3", "b", 0)         // judged, not relevant: not evaluated (no relevant judgment)
        .build();
  }

  @Test
  void aQueryWhoseRelevantDocumentsAreMissingScoresZeroAsPytrecEval() {
    var embedder = new FakeEmbedders.Table(Map.of("A", vec(1, 0), "B", vec(0, 1), "Q1", vec(1, 0), "Q2", vec(1, 0)), 2);
    EvaluationResult r = Evaluators.retrieval(unanswerableQuery(), EvaluationConfig.defaults()).evaluate(embedder);
    assertEquals(2L, r.counts().get("queries"));
    assertEquals(1L, r.counts().get("skipped_queries"));
    assertEquals(1L, r.counts().get("queries_without_relevant_documents"));
    assertEquals(2L, r.counts().get("documents"));
    assertEquals((1.0 + 0.0) / 2, r.mainScore(), EPS); // q1 perfect, q2 zero
    assertEquals(0.5, r.scores().get("recall_at_1000"), EPS);
    assertEquals(0.5, r.scores().get("mrr_at_10"), EPS);
    assertEquals(4, embedder.embedded.get());
  }

  @Test
  void queriesWithoutARelevantDocumentInTheCorpusAreSkippedAndCounted() {
    var embedder = new FakeEmbedders.Table(Map.of("A", vec(1, 0), "B", vec(0, 1), "Q1", vec(1, 0)), 2);
    EvaluationResult r = Evaluators.retrieval(unanswerableQuery(), EvaluationConfig.builder().skipUnanswerable(true)
        .build()).evaluate(embedder);
    assertEquals(1L, r.counts().get("queries"));
    assertEquals(2L, r.counts().get("skipped_queries"));
    assertEquals(1L, r.counts().get("queries_without_relevant_documents"));
    assertEquals(2L, r.counts().get("documents"));
    assertEquals(1.0, r.mainScore(), EPS);
    assertEquals(3, embedder.embedded.get(), "skipped queries are not embedded");
  }

  @Test
  void relevantDocumentsMissingFromTheCorpusStillCountInTheIdeal() {
    // q has two relevant judgments, one absent from the corpus: recall@k <= 1/2, ideal DCG from both
    var data = new Beir().doc("a", "A").query("q", "Q", "a", 1, "gone", 1).build();
    var embedder = new FakeEmbedders.Table(Map.of("A", vec(1), "Q", vec(1)), 1);
    EvaluationResult r = Evaluators.retrieval(data, EvaluationConfig.defaults()).evaluate(embedder);
    assertEquals(0.5, r.scores().get("recall_at_10"), EPS);
    assertEquals(1 / (1 + 1 / log2(3)), r.scores().get("ndcg_at_10"), EPS);
    assertEquals(1.0, r.scores().get("ndcg_at_1"), EPS);
    assertEquals(0.5, r.scores().get("map_at_10"), EPS);
  }

  @Test
  void identicalIdsAreDroppedOnlyWhenAsked() {
    // the query "a" is also a document, the most similar one, but not relevant
    var data = new Beir().doc("a", "A").doc("b", "B").query("a", "QA", "b", 1).build();
    var embedder = new FakeEmbedders.Table(Map.of("A", vec(1, 0), "B", vec(0.6f, 0.8f), "QA", vec(1, 0)), 2);
    EvaluationResult kept = Evaluators.retrieval(data, EvaluationConfig.defaults()).evaluate(embedder);
    assertEquals(0.0, kept.scores().get("ndcg_at_1"), EPS);
    assertEquals(0.5, kept.scores().get("mrr_at_10"), EPS);
    EvaluationResult dropped = Evaluators.retrieval(data,
        EvaluationConfig.builder().ignoreIdenticalIds(true).build()).evaluate(embedder);
    assertEquals(1.0, dropped.scores().get("ndcg_at_1"), EPS);
    assertEquals(1.0, dropped.scores().get("mrr_at_10"), EPS);
  }

  @Test
  void cutoffsLargerThanTheCorpus() {
    var data = new Beir().doc("a", "A").doc("b", "B").doc("c", "C").query("q", "Q", "c", 2).build();
    var embedder = new FakeEmbedders.Table(Map.of("A", vec(1, 0), "B", vec(0.8f, 0.6f), "C", vec(0, 1), "Q", vec(1, 0)),
        2);
    EvaluationResult r = Evaluators.retrieval(data, EvaluationConfig.defaults()).evaluate(embedder);
    assertEquals(1.0, r.scores().get("recall_at_1000"), EPS);
    assertEquals(1.0, r.scores().get("recall_at_3"), EPS);
    assertEquals(0.0, r.scores().get("recall_at_1"), EPS);
    assertEquals(0.01, r.scores().get("precision_at_100"), EPS);
    assertEquals(0.001, r.scores().get("precision_at_1000"), EPS);
    assertEquals(2 / log2(4) / 2, r.scores().get("ndcg_at_1000"), EPS);
    assertEquals(1.0 / 3, r.scores().get("mrr_at_1000"), EPS);
    // topK below the corpus size truncates the ranking like MTEB's top_k
    EvaluationResult top2 = Evaluators.retrieval(data, EvaluationConfig.builder().topK(2).build()).evaluate(embedder);
    assertEquals(0.0, top2.scores().get("recall_at_1000"), EPS);
  }

  @Test
  void gradedRelevanceAndPerLanguageSubsets() {
    var data = new Beir().doc("a", "A").doc("b", "B")
        .query("q1", "Q1", ImmutableMap.of("lang", "de"), "a", 1, "b", 2)
        .query("q2", "Q2", ImmutableMap.of("lang", "fr"), "b", 1)
        .build();
    var embedder = new FakeEmbedders.Table(
        Map.of("A", vec(1, 0), "B", vec(0, 1), "Q1", vec(1, 0), "Q2", vec(0, 1)), 2);
    EvaluationResult r = Evaluators.retrieval(data, EvaluationConfig.defaults()).evaluate(embedder);
    double q1 = (1 + 2 / log2(3)) / (2 + 1 / log2(3));
    assertEquals(List.of("de", "fr"), List.copyOf(r.subsets().keySet()));
    assertEquals(q1, r.subsets().get("de").get("ndcg_at_10"), EPS);
    assertEquals(1.0, r.subsets().get("fr").get("ndcg_at_10"), EPS);
    assertEquals((q1 + 1) / 2, r.scores().get("ndcg_at_10"), EPS);
  }

  @Test
  void theQueryPromptGoesOnQueriesOnly() {
    Prompt instruction = Prompt.instruction("find it");
    var data = new Beir().doc("a", "A").doc("b", "B").query("q", "Q", "b", 1).build();
    var embedder = new FakeEmbedders.Table(Map.of("A", vec(1, 0), "B", vec(0, 1), "Q", vec(1, 0),
        instruction.apply("Q"), vec(0, 1)), 2);
    EvaluationResult plain = Evaluators.retrieval(data, EvaluationConfig.defaults()).evaluate(embedder);
    assertEquals(0.0, plain.scores().get("ndcg_at_1"), EPS);
    assertEquals(List.of(Prompt.none(), Prompt.none()), embedder.prompts);
    EvaluationResult instructed = Evaluators.retrieval(data,
        EvaluationConfig.builder().queryPrompt(instruction).build()).evaluate(embedder);
    assertEquals(1.0, instructed.scores().get("ndcg_at_1"), EPS);
    assertEquals(List.of(Prompt.none(), Prompt.none(), Prompt.none(), instruction), embedder.prompts);
  }

  @Test
  void withoutAQueryPromptTheEmbeddersConfiguredPromptIsUsedForQueries() {
    Prompt configured = Prompt.raw("query: ");
    var data = new Beir().doc("a", "A").query("q", "Q", "a", 1).build();
    var embedder = new FakeEmbedders.Table(Map.of("A", vec(1), "query: Q", vec(1)), 1, configured);
    assertEquals(1.0, Evaluators.retrieval(data, EvaluationConfig.defaults()).evaluate(embedder).mainScore(), EPS);
    assertEquals(List.of(Prompt.none(), configured), embedder.prompts);
  }

  @Test
  void progressReachesTheNumberOfDistinctTexts() {
    var data = new Beir().doc("a", "same").doc("b", "same").doc("c", "other").query("q", "Q", "a", 1).build();
    var embedder = new FakeEmbedders.Table(Map.of(), 2);
    long[] last = new long[2];
    Evaluators.retrieval(data, EvaluationConfig.defaults()).evaluate(embedder, (done, total) -> {
      assertTrue(done >= last[0], "progress must not decrease");
      last[0] = done;
      last[1] = total;
    });
    assertEquals(3, last[0]);
    assertEquals(3, last[1]);
  }
}
