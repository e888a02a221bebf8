package dev.kalm.train;

import com.google.common.primitives.ImmutableIntArray;
import dev.kalm.core.embed.Prompt;
import dev.kalm.core.tokenize.TextTokenizer;
import dev.kalm.data.example.TrainingExample;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a batch of example indices into token ids: queries (with their instruction), then passages in the
 * loss's layout (each query's positive in query order, then hard negatives). Which positive and which
 * negatives an example contributes is drawn from (seed, epoch, example index), so it is reproducible and
 * independent of batch composition.
 */
final class ExampleBatches {
  private final List<TrainingExample> examples;
  private final TrainerConfig config;
  private final TextTokenizer tokenizer;

  ExampleBatches(List<TrainingExample> examples, TrainerConfig config, TextTokenizer tokenizer) {
    this.examples = examples;
    this.config = config;
    this.tokenizer = tokenizer;
  }

  /** Token ids of one batch. */
  record Tokens(List<long[]> queries, List<long[]> passages, long tokenCount) {}

  Tokens tokens(ImmutableIntArray batch, int epoch) {
    List<String> queries = new ArrayList<>(batch.length());
    List<String> positives = new ArrayList<>(batch.length());
    List<String> negatives = new ArrayList<>();
    for (int i = 0; i < batch.length(); i++) {
      int index = batch.get(i);
      TrainingExample example = examples.get(index);
      SplittableRandom random = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + epoch * 1_000_003L + index);
      queries.add(queryText(example));
      positives.add(example.positives().get(random.nextInt(example.positives().size())));
      List<String> pool = new ArrayList<>(example.negatives());
      int take = Math.min(config.hardNegatives(), pool.size());
      for (int k = 0; k < take; k++) {
        int pick = k + random.nextInt(pool.size() - k);
        String chosen = pool.get(pick);
        pool.set(pick, pool.get(k));
        pool.set(k, chosen);
        negatives.add(chosen);
      }
    }
    List<String> passages = new ArrayList<>(positives);
    passages.addAll(negatives);
    // truncated as at inference: the text is cut, the tokenizer's post-processor tokens (e.g. an EOS) are kept
    List<long[]> q = List.of(tokenizer.encode(queries, config.maxLength()));
    List<long[]> p = List.of(tokenizer.encode(passages, config.maxLength()));
    long count = 0;
    for (long[] ids : q) {
      count += ids.length;
    }
    for (long[] ids : p) {
      count += ids.length;
    }
    return new Tokens(q, p, count);
  }

  /** The query with its instruction: the example's, else its task's, else the default; none if already templated. */
  String queryText(TrainingExample example) {
    String query = example.query();
    if (query.startsWith("Instruct: ")) {
      return query;
    }
    String instruction = example.instruction() != null ? example.instruction()
        : config.taskInstructions().getOrDefault(example.task(), config.queryInstruction());
    return instruction == null || instruction.isEmpty() ? query : Prompt.instruction(instruction).apply(query);
  }
}
