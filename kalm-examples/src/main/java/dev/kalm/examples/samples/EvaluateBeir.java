package dev.kalm.examples.samples;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.model.Prompt;
import dev.kalm.train.eval.EvaluationConfig;
import dev.kalm.train.eval.EvaluationResult;
import dev.kalm.train.eval.Evaluators;
import java.nio.file.Path;

/**
 * Sample: MTEB-style retrieval scores of a model on a BEIR folder ({@code corpus.jsonl}, {@code queries.jsonl},
 * {@code qrels/test.tsv}).
 *
 * <pre>{@code java -cp ... dev.kalm.examples.samples.EvaluateBeir <model> ../shared/data/man-dev}</pre>
 */
public final class EvaluateBeir {
  private EvaluateBeir() {}

  public static void main(String[] args) {
    EvaluationResult r = evaluate(Path.of(args[0]), Path.of(args[1]));
    System.out.printf("nDCG@10 %.4f  MRR@10 %.4f  recall@100 %.4f%n", r.scores().get("ndcg_at_10"),
        r.scores().get("mrr_at_10"), r.scores().get("recall_at_100"));
  }

  /** Evaluates with KaLM's retrieval instruction on the queries. */
  public static EvaluationResult evaluate(Path model, Path beirFolder) {
    EvaluationConfig config = EvaluationConfig.builder()
        .queryPrompt(Prompt.instruction(Prompt.DEFAULT_RETRIEVAL_TASK)).build();
    try (Embedder embedder = Embedders.load(model, EmbedderConfig.builder().maxLength(256).build())) {
      return Evaluators.retrieval(beirFolder, "test", config).evaluate(embedder);
    }
  }
}
