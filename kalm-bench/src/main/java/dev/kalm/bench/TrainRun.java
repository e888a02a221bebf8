package dev.kalm.bench;

import dev.kalm.core.device.Backends;
import dev.kalm.core.internal.model.Autograd;
import dev.kalm.core.internal.model.ModelLoader;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.tokenize.TextTokenizer;
import dev.kalm.train.internal.AdamW;
import dev.kalm.train.internal.ContrastiveStep;
import dev.kalm.train.internal.InfoNceLoss;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One contrastive training step timed in a process of its own: queries, their positives and hard negatives as
 * token ids from a batch file, InfoNCE over every query against every passage (temperature 0.05), backward,
 * AdamW (lr 1e-5, weight decay 0.01 on all parameters), zero gradients. Reports the best step time after a warm-up
 * step and the first step's loss (equal weights and batch give the peer's loss). bench/train_peer.py runs the same
 * step in PyTorch eager on the same file.
 *
 * <pre>TrainRun write MODEL TEXTS_FOLDER BATCH_FILE QUERIES NEGATIVES MAX_LENGTH   (writes the batch file)
 * TrainRun run MODEL BATCH_FILE STEPS [CHUNK]                              (prints a RESULT line)</pre>
 *
 * CHUNK: sequences per forward pass with gradient caching (0, the default: the whole batch in one pass).
 *
 * Batch file: one line per sequence, {@code q|p|n} then its token ids, positives in query order, negatives
 * grouped by query.
 */
public final class TrainRun {
  private TrainRun() {}

  public static void main(String[] args) throws IOException {
    if (args[0].equals("write")) {
      write(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
          Integer.parseInt(args[6]));
      return;
    }
    run(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), args.length > 4 ? Integer.parseInt(args[4]) : 0);
  }

  /** Queries = NAME summaries, positives = their descriptions, negatives = the next pages' descriptions. */
  static void write(Path model, Path texts, Path batch, int queries, int negatives, int maxLength) throws IOException {
    List<String> q = BenchTexts.read(texts.resolve("queries.txt"));
    List<String> d = BenchTexts.read(texts.resolve("documents.txt"));
    List<String> lines = new ArrayList<>();
    try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
      for (int i = 0; i < queries; i++) {
        lines.add(line("q", tokenizer.encode(q.get(i)), maxLength));
      }
      for (int i = 0; i < queries; i++) {
        lines.add(line("p", tokenizer.encode(d.get(i)), maxLength));
      }
      for (int i = 0; i < queries; i++) {
        for (int j = 1; j <= negatives; j++) {
          lines.add(line("n", tokenizer.encode(d.get((i + j * queries) % d.size())), maxLength));
        }
      }
    }
    Files.write(batch, lines, StandardCharsets.UTF_8);
  }

  private static String line(String kind, long[] ids, int maxLength) {
    return kind + " " + Arrays.stream(ids).limit(maxLength).mapToObj(Long::toString).collect(Collectors.joining(" "));
  }

  static void run(Path model, Path batchFile, int steps, int chunk) throws IOException {
    List<long[]> queries = new ArrayList<>();
    List<long[]> passages = new ArrayList<>();
    long tokens = 0;
    for (String line : Files.readAllLines(batchFile, StandardCharsets.UTF_8)) {
      String[] parts = line.split(" ");
      long[] ids = Arrays.stream(parts, 1, parts.length).mapToLong(Long::parseLong).toArray();
      tokens += ids.length;
      (parts[0].equals("q") ? queries : passages).add(ids);
    }
    long start = System.nanoTime();
    try (Qwen2Model qwen = ModelLoader.load(ModelFolder.read(model), Backends.cpu())) {
      qwen.parameters().values().forEach(Autograd::requireGradient);
      ContrastiveStep step = new ContrastiveStep(qwen, Pooling.MEAN, qwen.config().attention(), InfoNceLoss.plain(0.05),
          512, chunk);
      try (AdamW adam = new AdamW(qwen.parameters(), new AdamW.Settings(0.9, 0.999, 1e-8, 0.01, true))) {
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        double best = Double.MAX_VALUE;
        double firstLoss = 0;
        double cpu = Double.MAX_VALUE;
        for (int s = 0; s <= steps; s++) { // step 0 warms up
          double cpu0 = EngineRun.cpuSeconds();
          long t0 = System.nanoTime();
          double loss = step.accumulate(queries, passages, 1.0);
          if (s == 0) {
            firstLoss = loss;
          }
          adam.update(1e-5, 1.0);
          adam.zeroGradients();
          double seconds = (System.nanoTime() - t0) / 1e9;
          if (s > 0 && seconds < best) {
            best = seconds;
            cpu = EngineRun.cpuSeconds() - cpu0;
          }
        }
        System.out.printf(Locale.ROOT, "RESULT tokens=%d seconds=%.3f load_seconds=%.2f hwm_mib=%.0f first_loss=%.7f cpu_seconds=%.3f%n",
            tokens, best, loadSeconds, EngineRun.peakResidentMib(), firstLoss, cpu);
      }
    }
  }
}
