package dev.kalm.examples.demo;

import com.google.common.base.Stopwatch;
import com.google.common.collect.ImmutableList;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import com.google.gson.GsonBuilder;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.io.AtomicFiles;
import dev.kalm.core.model.ModelInit;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.model.SentenceTransformerSettings;
import dev.kalm.core.stop.StoppedException;
import dev.kalm.data.beir.BeirDataset;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import dev.kalm.data.filter.DataFilters;
import dev.kalm.data.filter.FilterResult;
import dev.kalm.data.filter.MiningConfig;
import dev.kalm.data.sampler.BatchSamplers;
import dev.kalm.data.sampler.SamplerConfig;
import dev.kalm.examples.console.ProgressBar;
import dev.kalm.train.Provenance;
import dev.kalm.train.StepReport;
import dev.kalm.train.Trainer;
import dev.kalm.train.TrainerConfig;
import dev.kalm.train.Trainers;
import dev.kalm.train.TrainingListener;
import dev.kalm.train.TrainingResult;
import dev.kalm.train.eval.EvaluationConfig;
import dev.kalm.train.eval.Evaluators;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The KaLM pipeline in miniature, offline: data (manual pages), a fresh small Qwen2, evaluation, warm-up
 * training with in-batch negatives, ranking-consistency filtering and hard-negative mining with the warm
 * model as teacher, training with hard negatives + Matryoshka loss + semi-homogeneous task batches, and
 * evaluation again. Also the ablation of those data techniques. Deterministic for a given config.
 */
public final class Demo {
  /**
   * Queries get no instruction in the demo. A model trained from scratch cannot use one: KaLM's shared
   * instruction prefix outweighs a short query in mean pooling, all queries look alike, and training
   * collapses to uniform similarities (measured: nDCG@10 0.019 -> 0.017 with it, 0.069 -> 0.201 without,
   * tiny preset, 40 steps). A pretrained KaLM checkpoint is trained with instructions and should get them.
   */
  static final Prompt QUERY_PROMPT = Prompt.none();

  /** How a stopped demo's message ends: the demo always starts over, so a stopped stage is deleted. */
  private static final String STAGES_KEPT = " keeps the finished stages only (a new run starts over)";

  /** One pipeline variant of the final stage. */
  public record Variant(String name, boolean filter, boolean mine, double ratio, boolean matryoshka) {
    public static final Variant FULL = new Variant("full pipeline", true, true, 0.5, true);

    /** The ablation: the full pipeline and one technique changed at a time. */
    public static List<Variant> ablation() {
      return List.of(FULL,
          new Variant("no ranking-consistency filter", false, true, 0.5, true),
          new Variant("no mined hard negatives", true, false, 0.5, true),
          new Variant("homogeneous ratio 0", true, true, 0.0, true),
          new Variant("homogeneous ratio 1", true, true, 1.0, true),
          new Variant("no Matryoshka loss", true, true, 0.5, false));
    }
  }

  /**
   * One line of the table.
   *
   * @param ndcg nDCG@10 on the held-out split at each of {@link Report#dims()}
   * @param probeNdcg nDCG@10 at the full dimension on a probe of the training split
   * @param kept examples the final stage trained on (after filtering), -1 for the untrained model
   */
  public record Row(String name, long seed, List<Double> ndcg, double probeNdcg, long kept, double trainSeconds) {}

  /** The outcome: table rows, step timings in seconds, where the (last) trained model is. */
  public record Report(String source, List<Integer> dims, List<Row> rows, Map<String, Double> timings, Path model) {
    /** The table as text. */
    public String table() {
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-30s %5s", "model", "seed"));
      dims.forEach(d -> s.append(String.format(Locale.ROOT, " %10s", "nDCG@10/" + d)));
      s.append(String.format(Locale.ROOT, " %11s %7s %8s%n", "train-probe", "kept", "train s"));
      for (Row r : rows) {
        s.append(String.format(Locale.ROOT, "%-30s %5d", r.name(), r.seed()));
        r.ndcg().forEach(v -> s.append(String.format(Locale.ROOT, " %10.4f", v)));
        s.append(String.format(Locale.ROOT, " %11.4f %7s %8.1f%n", r.probeNdcg(), r.kept() < 0 ? "-" : r.kept(),
            r.trainSeconds()));
      }
      return s.toString();
    }
  }

  private final DemoConfig config;
  private final PrintStream log;
  private final Map<String, Double> timings = new LinkedHashMap<>();
  private DemoData data;
  private List<Integer> dims;

  private Demo(DemoConfig config, PrintStream log) {
    this.config = config;
    this.log = log;
  }

  /** Runs the main job: untrained and fully trained model, before/after table. */
  public static Report run(DemoConfig config, PrintStream log) {
    return new Demo(config, log).execute(List.of(config.seed()), List.of(Variant.FULL));
  }

  /** Runs every ablation variant for every seed, with the same data and budget. */
  public static Report ablate(DemoConfig config, List<Long> seeds, PrintStream log) {
    return new Demo(config, log).execute(seeds, Variant.ablation());
  }

  private Report execute(List<Long> seeds, List<Variant> variants) {
    Stopwatch total = Stopwatch.createStarted();
    Path root = config.output().toAbsolutePath();
    deleteRecursively(root);
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + root + ": " + e.getMessage(), e);
    }
    try {
      return pipeline(root, seeds, variants, total);
    } catch (StoppedException e) {
      throw e.getMessage().contains(STAGES_KEPT) ? e : new StoppedException(e.getMessage() + "; " + root + STAGES_KEPT);
    }
  }

  private Report pipeline(Path root, List<Long> seeds, List<Variant> variants, Stopwatch total) {
    data = timed("data", () -> DemoData.load(config));
    log.printf(Locale.ROOT, "data: %s; %d training examples, %d held-out queries%n", data.source(), data.train().size(),
        data.test().queries().size());
    List<Row> rows = new ArrayList<>();
    Path last = null;
    for (long seed : seeds) {
      DemoConfig run = config.withSeed(seed);
      Path dir = seeds.size() == 1 ? root : root.resolve("seed-" + seed);
      Path base = timed("init", () -> init(run, dir.resolve("base")));
      rows.add(timed("evaluate", () -> evaluate("untrained", seed, base, -1, 0)));
      Path warm = dir.resolve("warmup");
      double warmSeconds = timed("warm-up training", () -> train(run, base, warm, data.train(), 0, 0.5, false,
          run.warmupSteps(), "warm-up"));
      Map<String, List<TrainingExample>> mined = new HashMap<>();
      for (Variant v : variants) {
        List<TrainingExample> examples = mined.computeIfAbsent(v.filter() + "/" + v.mine(),
            k -> timed("mining", () -> mine(run, warm, v)));
        Path out = variants.size() == 1 ? dir.resolve("model") : dir.resolve(slug(v.name()));
        double seconds = timed("final training", () -> train(run, warm, out, examples, v.mine() ? run.hardNegatives() : 0,
            v.ratio(), v.matryoshka(), run.finalSteps(), v.name()));
        rows.add(timed("evaluate", () -> evaluate(v.name(), seed, out, examples.size(), warmSeconds + seconds)));
        last = out;
      }
    }
    if (!config.keepIntermediate()) {
      prune(root);
    }
    timings.put("total", total.elapsed(TimeUnit.MILLISECONDS) / 1e3);
    Report report = new Report(data.source(), dims, ImmutableList.copyOf(rows), timings, last);
    writeReport(root.resolve(variants.size() == 1 ? "demo-report.json" : "ablation-report.json"), report);
    return report;
  }

  /**
   * Deletes what a user of the result does not need: the untrained {@code base} models and the optimizer state
   * ({@code optimizer.safetensors}, {@code trainer_state.json}) of every model. No model could be resumed anyway:
   * the demo trains on data that exists only in memory (split, filtered, mined). The warm-up models stay (they
   * are the mining teachers), as weights.
   */
  private static void prune(Path root) {
    try (var files = Files.walk(root)) {
      List<Path> doomed = files.filter(p -> {
        String name = p.getFileName().toString();
        boolean state = name.equals("optimizer.safetensors") || name.equals("trainer_state.json");
        return (name.equals("base") && Files.isDirectory(p)) || state;
      }).toList();
      for (Path p : doomed) {
        if (Files.exists(p)) {
          MoreFiles.deleteRecursively(p, RecursiveDeleteOption.ALLOW_INSECURE);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot tidy " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the demo's data, as {@link #run} would read and split it with {@code config}, to {@code folder}:
   * {@code train.jsonl} (the training split as training JSON Lines) and {@code beir/} (the held-out split as a
   * BEIR folder: {@code corpus.jsonl}, {@code queries.jsonl}, {@code qrels/test.tsv}). Existing files are
   * replaced, each atomically.
   *
   * @return one line saying what was written
   */
  public static String exportData(DemoConfig config, Path folder) {
    DemoData data = DemoData.load(config);
    long written = TrainingExamples.write(folder.resolve("train.jsonl"), data.train());
    data.test().write(folder.resolve("beir"));
    return String.format(Locale.ROOT, "%s: %d training examples -> %s, %d held-out queries and documents -> %s",
        data.source(), written, folder.resolve("train.jsonl"), data.test().queries().size(), folder.resolve("beir"));
  }

  private Path init(DemoConfig run, Path folder) {
    Qwen2Config shape = ModelInit.preset(run.preset());
    int h = shape.hiddenSize();
    dims = List.of(h, h / 2, h / 4);
    ModelInit.writeRandom(folder, shape, run.seed(), null,
        new SentenceTransformerSettings(dev.kalm.core.model.Pooling.MEAN, run.maxLength(), QUERY_PROMPT), null);
    return folder;
  }

  private double train(DemoConfig run, Path from, Path to, List<TrainingExample> examples, int negatives, double ratio,
      boolean matryoshka, long steps, String label) {
    TrainerConfig.Builder b = TrainerConfig.builder().learningRate(run.learningRate()).steps(steps).warmupRatio(0.1)
        .hardNegatives(negatives).maxLength(run.maxLength()).seed(run.seed()).createdBy(Provenance.CLI)
        .sampler(BatchSamplers.semiHomogeneous(SamplerConfig.builder()
            .batchSize(Math.min(run.batchSize(), examples.size())).homogeneousRatio(ratio).build()));
    if (matryoshka) {
      b.matryoshka(dims, List.of(1.0, 0.3, 0.2));
    }
    ProgressBar bar = ProgressBar.stderr("train (" + label + ")");
    Stopwatch watch = Stopwatch.createStarted();
    double[] losses = {Double.NaN, Double.NaN};
    TrainingResult result;
    try (Trainer trainer = Trainers.contrastive(from, b.build())) {
      result = trainer.train(examples, to, new TrainingListener() {
        @Override
        public void onStep(StepReport r) {
          bar.progress(r.step(), r.totalSteps());
          losses[0] = Double.isNaN(losses[0]) ? r.loss() : losses[0];
          losses[1] = r.loss();
        }
      });
    }
    bar.finish();
    if (result.stopped()) {
      deleteRecursively(to);
      throw new StoppedException(String.format(Locale.ROOT, "%s training stopped after step %d of %d; %s%s",
          label, result.steps(), steps, config.output().toAbsolutePath(), STAGES_KEPT));
    }
    log.printf(Locale.ROOT, "%s: %d steps on %d examples, loss %.3f -> %.3f%n", label, steps, examples.size(), losses[0],
        losses[1]);
    return watch.elapsed(TimeUnit.MILLISECONDS) / 1e3;
  }

  private List<TrainingExample> mine(DemoConfig run, Path teacherFolder, Variant v) {
    if (!v.filter() && !v.mine()) {
      return data.train();
    }
    MiningConfig mining = MiningConfig.builder().filter(v.filter()).mine(v.mine()).negatives(run.hardNegatives())
        .queryPrompt(QUERY_PROMPT).seed(run.seed()).build();
    String what = v.filter() && v.mine() ? "filter + negatives" : v.filter() ? "filter" : "negatives";
    ProgressBar bar = ProgressBar.stderr("mine (" + what + ")");
    try (Embedder teacher = Embedders.load(teacherFolder, EmbedderConfig.builder().maxLength(run.maxLength()).build())) {
      FilterResult result = DataFilters.rankingConsistency(teacher, mining, bar).filter(data.train());
      bar.finish();
      log.printf(Locale.ROOT, "mining with the warm-up model as teacher: %s%n", result.report().summary());
      return result.examples();
    }
  }

  private Row evaluate(String name, long seed, Path model, long kept, double trainSeconds) {
    EvaluationConfig evaluation = EvaluationConfig.builder().queryPrompt(QUERY_PROMPT).build();
    List<Double> scores = new ArrayList<>();
    double probe;
    try (Embedder full = Embedders.load(model, EmbedderConfig.builder().maxLength(config.maxLength()).normalize(false)
        .build())) {
      Map<String, float[]> cache = new HashMap<>();
      ProgressBar bar = ProgressBar.stderr("evaluate " + name);
      for (int d : dims) {
        scores.add(score(data.test(), new PrefixEmbedder(full, d, cache), evaluation, bar));
      }
      probe = score(data.trainProbe(), new PrefixEmbedder(full, dims.get(0), cache), evaluation, bar);
      bar.finish();
    }
    return new Row(name, seed, scores, probe, kept, trainSeconds);
  }

  private static double score(BeirDataset set, Embedder embedder, EvaluationConfig evaluation, ProgressBar bar) {
    return Evaluators.retrieval(set, evaluation).evaluate(embedder, bar).mainScore();
  }

  private <T> T timed(String step, java.util.function.Supplier<T> work) {
    Stopwatch watch = Stopwatch.createStarted();
    try {
      return work.get();
    } finally {
      timings.merge(step, watch.elapsed(TimeUnit.MILLISECONDS) / 1e3, Double::sum);
    }
  }

  private static void deleteRecursively(Path folder) {
    try {
      if (Files.exists(folder)) {
        MoreFiles.deleteRecursively(folder, RecursiveDeleteOption.ALLOW_INSECURE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + folder + ": " + e.getMessage(), e);
    }
  }

  private static String slug(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
  }

  private static void writeReport(Path file, Report report) {
    com.google.gson.JsonObject json = new com.google.gson.JsonObject();
    com.google.gson.Gson gson = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    json.addProperty("source", report.source());
    json.add("dims", gson.toJsonTree(report.dims()));
    json.add("rows", gson.toJsonTree(report.rows()));
    json.add("timings_s", gson.toJsonTree(report.timings()));
    json.addProperty("model", String.valueOf(report.model()));
    AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().create()
        .toJson(dev.kalm.core.internal.json.StrictJson.nullForNonFinite(json)));
  }
}
