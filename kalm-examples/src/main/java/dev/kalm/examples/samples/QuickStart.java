package dev.kalm.examples.samples;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.embed.Prompt;
import dev.kalm.data.example.ExampleReader;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.filter.DataFilters;
import dev.kalm.data.filter.FilterResult;
import dev.kalm.data.filter.MiningConfig;
import dev.kalm.data.sampler.BatchSamplers;
import dev.kalm.train.Trainer;
import dev.kalm.train.TrainerConfig;
import dev.kalm.train.Trainers;
import dev.kalm.train.TrainingListener;
import dev.kalm.train.TrainingResult;
import java.nio.file.Path;
import java.util.List;

/** Embed, clean and mine, train: the README's library example (run by a test, so it cannot rot). */
public final class QuickStart {
  public static void main(String[] args) {
    Path model = Path.of(args.length > 0 ? args[0] : "tiny-model");           // ./kalm init --preset tiny --output tiny-model
    Path data = Path.of(args.length > 1 ? args[1] : "demo-data/train.jsonl");  // ./kalm demo-data --output demo-data
    Path output = Path.of(args.length > 2 ? args[2] : "tuned-model");

    // Embedder: texts -> vectors. Thread-safe, AutoCloseable. Loads any Qwen2 or Qwen3 folder, e.g. a KaLM
    // checkpoint or Qwen3-Embedding.
    try (Embedder embedder = Embedders.load(model, EmbedderConfig.builder().maxLength(128).build())) {
      float[][] docs = embedder.embed(List.of("ls lists directory contents", "cp copies files"));  // documents: no prompt
      float[] query = embedder.embed(List.of("how do I list files?"),
          Prompt.instruction("Given a query, retrieve documents that answer the query."))[0];
      System.out.printf("dimension %d, cosine to the first document %.3f%n", query.length, dot(query, docs[0]));

      // DataFilter: dedup, then KaLM's ranking-consistency filter + hard-negative mining with a teacher model
      // (here the same model; KaLM mines with its previous model).
      List<TrainingExample> examples = ExampleReader.strict().readAll(data);
      FilterResult cleaned = DataFilters.chain(
          DataFilters.dedupExamples(),
          DataFilters.rankingConsistency(embedder, MiningConfig.builder().negatives(3).build()))
          .filter(examples);
      System.out.print(cleaned.report().summary());

      // Trainer: InfoNCE with in-batch + hard negatives, semi-homogeneous task batches, Matryoshka loss.
      TrainerConfig config = TrainerConfig.builder()
          .steps(10).learningRate(1e-4).hardNegatives(3).maxLength(128)
          .sampler(BatchSamplers.semiHomogeneous(8, 0.5, false))
          .matryoshka(List.of(embedder.dimension(), embedder.dimension() / 2), List.of(1.0, 0.5))
          .build();
      try (Trainer trainer = Trainers.contrastive(model, config)) {
        TrainingResult result = trainer.train(cleaned.examples(), output, TrainingListener.NONE);
        System.out.printf("loss %.3f -> %.3f, model in %s%n", result.firstLoss(), result.lastLoss(), result.output());
      }
    }
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
