package dev.kalm.train.eval;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The spread between kalm's evaluation options (docs/eval.md), measured with the hashed bag-of-words
 * embedder on the shared man-dev set and on a synthetic Gaussian mixture. Not a test (run by hand from the
 * repository root, after {@code mvn test-compile}):
 *
 * <pre>
 * java -cp kalm-train/target/test-classes:kalm-train/target/classes:kalm-data/target/classes:\
 * kalm-core/target/classes:$(cat cp.txt) dev.kalm.train.eval.EvalOptionsSpread ../shared/data/man-dev
 * </pre>
 */
public final class EvalOptionsSpread {
  private EvalOptionsSpread() {}

  public static void main(String[] args) throws IOException {
    Path manDev = Path.of(args.length > 0 ? args[0] : "../shared/data/man-dev");
    Path work = Files.createTempDirectory("kalm-spread");
    FakeEmbedders.HashedBagOfWords bow = new FakeEmbedders.HashedBagOfWords(512);

    // Retrieval: drop a fraction of the corpus, so some queries lose their only relevant document.
    for (double drop : new double[] {0.05, 0.10, 0.25}) {
      Path folder = work.resolve("retrieval-" + drop);
      Files.createDirectories(folder.resolve("qrels"));
      Files.copy(manDev.resolve("queries.jsonl"), folder.resolve("queries.jsonl"));
      Files.copy(manDev.resolve("qrels/test.tsv"), folder.resolve("qrels/test.tsv"));
      Random random = new Random(1);
      List<String> kept = new ArrayList<>();
      for (String line : Files.readAllLines(manDev.resolve("corpus.jsonl"), StandardCharsets.UTF_8)) {
        if (random.nextDouble() >= drop) {
          kept.add(line);
        }
      }
      Files.write(folder.resolve("corpus.jsonl"), kept, StandardCharsets.UTF_8);
      EvaluationResult zero = Evaluators.retrieval(folder, "test", EvaluationConfig.defaults()).evaluate(bow);
      EvaluationResult skip = Evaluators.retrieval(folder, "test", EvaluationConfig.builder().skipUnanswerable(true)
          .build()).evaluate(bow);
      System.out.printf(Locale.ROOT, "retrieval man-dev, %2.0f%% of corpus dropped: %d of %d queries unanswerable; "
              + "nDCG@10 zero %.4f, skip %.4f (skip - zero %.4f; mean x skipped/N predicts %.4f)%n", 100 * drop,
          zero.counts().get("queries_without_relevant_documents"), zero.counts().get("queries"), zero.mainScore(),
          skip.mainScore(), skip.mainScore() - zero.mainScore(), skip.mainScore()
              * zero.counts().get("queries_without_relevant_documents") / zero.counts().get("queries"));
    }

    // Clustering and classification on man-dev queries labelled by manual section (1 or 7).
    List<String> labelled = new ArrayList<>();
    for (String line : Files.readAllLines(manDev.resolve("queries.jsonl"), StandardCharsets.UTF_8)) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      JsonObject out = new JsonObject();
      out.addProperty("text", o.get("text").getAsString());
      out.addProperty("label", o.get("section").getAsString());
      labelled.add(out.toString());
    }
    Path clustering = work.resolve("clustering");
    Files.createDirectories(clustering);
    Files.write(clustering.resolve("test.jsonl"), labelled, StandardCharsets.UTF_8);
    clusteringSpread("man-dev queries by section (2 labels, 2705 texts)", clustering, bow);

    Path classification = work.resolve("classification");
    Files.createDirectories(classification);
    List<String> train = new ArrayList<>();
    List<String> test = new ArrayList<>();
    for (int i = 0; i < labelled.size(); i++) {
      (i % 2 == 0 ? train : test).add(labelled.get(i));
    }
    Files.write(classification.resolve("train.jsonl"), train, StandardCharsets.UTF_8);
    Files.write(classification.resolve("test.jsonl"), test, StandardCharsets.UTF_8);
    for (int perLabel : new int[] {8, 16, 32}) {
      EvaluationResult r = Evaluators.classification(classification, "test", null,
          EvaluationConfig.builder().samplesPerLabel(perLabel).build()).evaluate(bow);
      System.out.printf(Locale.ROOT, "classification man-dev section, samples_per_label %2d: accuracy %.4f, f1 %.4f%n",
          perLabel, r.mainScore(), r.scores().get("f1"));
    }

    // Synthetic: 10 Gaussian clusters in 32 dimensions, 300 texts each, overlapping.
    Map<String, float[]> vectors = new HashMap<>();
    List<String> lines = new ArrayList<>();
    Random random = new Random(3);
    float[][] centres = new float[10][32];
    for (float[] c : centres) {
      for (int j = 0; j < c.length; j++) {
        c[j] = (float) random.nextGaussian();
      }
    }
    for (int l = 0; l < 10; l++) {
      for (int i = 0; i < 300; i++) {
        float[] v = new float[32];
        for (int j = 0; j < 32; j++) {
          v[j] = centres[l][j] + 0.9f * (float) random.nextGaussian();
        }
        vectors.put("g" + l + "-" + i, v);
        lines.add("{\"text\": \"g" + l + "-" + i + "\", \"label\": " + l + "}");
      }
    }
    Path synthetic = work.resolve("synthetic");
    Files.createDirectories(synthetic);
    Files.write(synthetic.resolve("test.jsonl"), lines, StandardCharsets.UTF_8);
    clusteringSpread("Gaussian mixture (10 labels x 300, 32 dims)", synthetic, new FakeEmbedders.Table(vectors, 32));
  }

  private static void clusteringSpread(String name, Path folder, dev.kalm.core.embed.Embedder embedder) {
    for (long seed = 1; seed <= 3; seed++) {
      EvaluationResult boot = Evaluators.clustering(folder, "test", EvaluationConfig.builder().seed(seed).build())
          .evaluate(embedder);
      EvaluationResult full = Evaluators.clustering(folder, "test", EvaluationConfig.builder().seed(seed)
          .clustering(ClusteringMode.FULL_SET).build()).evaluate(embedder);
      System.out.printf(Locale.ROOT, "clustering %s, seed %d: bootstrap v_measure %.4f (std over samples %.4f, "
              + "%.1f s), full set %.4f (%.1f s), difference %.4f%n", name, seed, boot.mainScore(),
          boot.scores().get("v_measure_std"), boot.evaluationSeconds(), full.mainScore(), full.evaluationSeconds(),
          boot.mainScore() - full.mainScore());
    }
  }
}
