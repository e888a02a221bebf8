package dev.kalm.data.example;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.data.beir.BeirDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Static helpers that make and store {@link TrainingExample}s. Stateless and thread-safe. */
public final class TrainingExamples {
  private TrainingExamples() {}

  /**
   * Turns a BEIR dataset into training examples: one per query (in the queries file's order) whose
   * positives are its relevant documents (qrels score &gt; 0, in qrels order, document text as
   * {@link BeirDataset#documentText}); no negatives. Relevant ids missing from the corpus are ignored;
   * a query left without positives gives no example.
   *
   * @param taskField a query field (e.g. {@code section}) whose value, when present and not empty,
   *     becomes the task; null to ignore
   * @param defaultTask the task otherwise, typically the folder's name
   * @throws IllegalArgumentException when {@code defaultTask} is empty
   */
  public static ImmutableList<TrainingExample> fromBeir(BeirDataset beir, @Nullable String taskField, String defaultTask) {
    checkNotNull(beir, "beir");
    checkArgument(defaultTask != null && !defaultTask.isEmpty(), "defaultTask must not be empty, got '%s'", defaultTask);
    ImmutableList.Builder<TrainingExample> out = ImmutableList.builder();
    for (Map.Entry<String, String> query : beir.queries().entrySet()) {
      List<String> positives = new ArrayList<>();
      beir.qrels().getOrDefault(query.getKey(), ImmutableMap.of()).forEach((doc, score) -> {
        String text = beir.corpus().get(doc);
        if (score > 0 && text != null && !text.isBlank()) {
          positives.add(text);
        }
      });
      if (positives.isEmpty() || query.getValue().isBlank()) {
        continue;
      }
      String task = taskField == null ? null : beir.extras().get(query.getKey()).get(taskField);
      out.add(TrainingExample.builder()
          .query(query.getValue())
          .positives(positives)
          .task(task == null || task.isEmpty() ? defaultTask : task)
          .build());
    }
    return out.build();
  }

  /**
   * Writes examples to a JSON Lines file atomically (all or nothing) and returns how many were written.
   *
   * @throws java.io.UncheckedIOException when writing fails, naming the file
   */
  public static long write(Path target, Iterable<TrainingExample> examples) {
    try (ExampleWriter out = ExampleWriter.open(target)) {
      examples.forEach(out::write);
      out.commit();
      return out.count();
    }
  }

  /**
   * A retrieval set from examples: query {@code q<i>} is example i's query, document {@code d<i>} its first
   * positive, the only relevant document; the example's task is kept as the query's {@code task} field.
   */
  public static BeirDataset toRetrievalSet(String name, List<TrainingExample> examples) {
    ImmutableMap.Builder<String, String> corpus = ImmutableMap.builder();
    ImmutableMap.Builder<String, String> queries = ImmutableMap.builder();
    ImmutableMap.Builder<String, ImmutableMap<String, Integer>> qrels = ImmutableMap.builder();
    ImmutableMap.Builder<String, ImmutableMap<String, String>> extras = ImmutableMap.builder();
    for (int i = 0; i < examples.size(); i++) {
      corpus.put("d" + i, examples.get(i).firstPositive());
      queries.put("q" + i, examples.get(i).query());
      qrels.put("q" + i, ImmutableMap.of("d" + i, 1));
      extras.put("q" + i, ImmutableMap.of("task", examples.get(i).task()));
    }
    return new BeirDataset(Path.of(name), "test", corpus.buildOrThrow(), queries.buildOrThrow(), qrels.buildOrThrow(),
        extras.buildOrThrow());
  }
}
