package dev.kalm.bench;

import dev.kalm.core.device.Backends;
import dev.kalm.examples.bench.Machine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The peer benchmark: each engine embeds the same texts with the same model in a process of its own,
 * engines interleaved round by round (the order alternates), the matmul peak measured between rounds of
 * the same run. Prints, per case and engine, steady-state and whole-process tokens/s, peak resident memory
 * (VmHWM) and the largest embedding difference from the first engine. Run it through
 * {@code bench/peer-benchmark.sh}, which builds the model folders and ONNX files.
 */
@Command(name = "peer-benchmark", mixinStandardHelpOptions = true,
    description = "kalm against ONNX Runtime (and kalm variants) on the same model folder, texts and threads.")
public final class PeerBenchmark implements Callable<Integer> {
  @Option(names = "--texts", required = true, description = "folder with documents.txt and queries.txt (written when missing)")
  Path texts;

  @Option(names = "--count", defaultValue = "200", description = "texts per file when writing them (default: ${DEFAULT-VALUE})")
  int count;

  @Option(names = "--case",
      description = "LABEL:TEXTS:MODEL_FOLDER:ONNX_FILE[:LIMIT], TEXTS = documents | queries, LIMIT = use the first "
          + "LIMIT texts only; repeatable")
  List<String> cases = new ArrayList<>();

  @Option(names = "--engine",
      description = "LABEL=kalm|ort[,key=value...]: options batchTokens, threads (kalm), batch, threads (ort), "
          + "env.NAME=VALUE (an environment variable of the child), "
          + "cp=CLASSPATH put before this benchmark's (to run another kalm build); repeatable, the first is the reference")
  List<String> engines = new ArrayList<>();

  @Option(names = "--train",
      description = "LABEL:MODEL_FOLDER:BATCH_FILE:STEPS: time one training step, kalm (TrainRun) against PyTorch eager "
          + "(bench/train_peer.py), interleaved with the embedding rounds; repeatable")
  List<String> trainCases = new ArrayList<>();

  @Option(names = "--train-baseline", paramLabel = "CLASSPATH",
      description = "also time the training step with these jars first on the classpath (another kalm build), as kalm-baseline")
  String trainBaseline;

  @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for the training peer")
  String python;

  @Option(names = "--train-peer", defaultValue = "bench/train_peer.py", description = "the PyTorch training peer script")
  Path trainPeer;

  @Option(names = "--rounds", defaultValue = "2", description = "rounds (default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--work", defaultValue = "target/peer-benchmark", description = "scratch folder for embeddings")
  Path work;

  private record Engine(String label, String kind, Map<String, String> options, String classpathPrefix) {
    static Engine parse(String spec) {
      int eq = spec.indexOf('=');
      String label = spec.substring(0, eq);
      String[] parts = spec.substring(eq + 1).split(",");
      Map<String, String> options = new LinkedHashMap<>();
      String cp = "";
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].split("=", 2);
        if (kv[0].equals("cp")) {
          cp = kv[1];
        } else {
          options.put(kv[0], kv[1]);
        }
      }
      return new Engine(label, parts[0], options, cp);
    }
  }

  private record Run(long tokens, double steadySeconds, double processSeconds, double peakMib, double maxDiff,
      double cpuSeconds) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new PeerBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(texts.resolve("documents.txt"))) {
      BenchTexts.write(texts, count);
    }
    Files.createDirectories(work);
    List<Engine> parsed = engines.stream().map(Engine::parse).toList();
    if (!cases.isEmpty() && parsed.isEmpty()) {
      throw new IllegalArgumentException("--case needs at least one --engine");
    }
    Map<String, Map<String, List<Run>>> results = new LinkedHashMap<>();
    List<Double> peaks = new ArrayList<>();
    peaks.add(Machine.matmulGflops(Backends.cpu(), 2048));
    for (int round = 0; round < rounds; round++) {
      for (String c : cases) {
        String[] f = c.split(":");
        Path textFile = texts.resolve(f[1] + ".txt");
        List<Engine> order = new ArrayList<>(parsed);
        if (round % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        Map<String, Path> outputs = new LinkedHashMap<>();
        Map<String, double[]> measured = new LinkedHashMap<>();
        for (Engine e : order) {
          Path out = work.resolve(f[0].replaceAll("\\W", "_") + "-" + e.label() + ".f32");
          String model = e.kind().equals("ort") ? f[3] : f[2];
          List<String> extra = new ArrayList<>();
          e.options().forEach((k, v) -> extra.add(k + "=" + v));
          if (e.kind().equals("ort")) {
            extra.add("tokenizer=" + f[2]);
          }
          if (f.length > 4) {
            extra.add("limit=" + f[4]);
          }
          measured.put(e.label(), child(e, model, textFile, out, extra));
          outputs.put(e.label(), out);
        }
        float[] reference = readFloats(outputs.get(parsed.get(0).label()));
        for (Engine e : parsed) {
          double[] m = measured.get(e.label());
          double diff = maxDiff(reference, readFloats(outputs.get(e.label())));
          results.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).computeIfAbsent(e.label(), k -> new ArrayList<>())
              .add(new Run((long) m[0], m[1], m[2], m[3], diff, m[5]));
          System.err.printf(Locale.ROOT, "round %d %s %s: %.1f tokens/s steady, %.1f whole process, %.1f per CPU-s, peak %.0f MiB, max|diff| %.2e%n",
              round + 1, f[0], e.label(), m[0] / m[1], m[0] / m[2], m[0] / m[5], m[3], diff);
        }
      }
      for (String c : trainCases) {
        String[] f = c.split(":");
        Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put("kalm", List.of(javaBin(), "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
            TrainRun.class.getName(), "run", f[1], f[2], f[3]));
        commands.put("pytorch-eager", List.of(python, trainPeer.toString(), f[1], f[2], f[3], "2"));
        if (trainBaseline != null) {
          commands.put("kalm-baseline", List.of(javaBin(), "-Dai.djl.offline=true", "-cp",
              trainBaseline + java.io.File.pathSeparator + System.getProperty("java.class.path"), TrainRun.class.getName(),
              "run", f[1], f[2], f[3]));
        }
        List<String> order = new ArrayList<>(commands.keySet());
        if (round % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        Map<String, double[]> measured = new LinkedHashMap<>();
        for (String engine : order) {
          measured.put(engine, measure(engine, commands.get(engine)));
        }
        double referenceLoss = measured.get("kalm")[4];
        for (String engine : commands.keySet()) {
          double[] m = measured.get(engine);
          double lossDiff = Math.abs(m[4] - referenceLoss);
          results.computeIfAbsent("train " + f[0], k -> new LinkedHashMap<>()).computeIfAbsent(engine, k -> new ArrayList<>())
              .add(new Run((long) m[0], m[1], m[2], m[3], lossDiff, m[5]));
          System.err.printf(Locale.ROOT, "round %d train %s %s: %.1f tokens/s per step (%.2f s), peak %.0f MiB, first loss %.7f%n",
              round + 1, f[0], engine, m[0] / m[1], m[1], m[3], m[4]);
        }
      }
      peaks.add(Machine.matmulGflops(Backends.cpu(), 2048));
    }
    print(results, peaks);
    return 0;
  }

  /** {tokens, steady seconds, whole-process seconds, peak MiB} of one child run. */
  private double[] child(Engine e, String model, Path textFile, Path out, List<String> extra) throws IOException, InterruptedException {
    String cp = (e.classpathPrefix().isEmpty() ? "" : e.classpathPrefix() + java.io.File.pathSeparator)
        + System.getProperty("java.class.path");
    List<String> command = new ArrayList<>(List.of(javaBin(), "-Dai.djl.offline=true"));
    Map<String, String> environment = new LinkedHashMap<>();
    List<String> options = new ArrayList<>();
    for (String kv : extra) {
      if (kv.startsWith("env.")) { // env.NAME=VALUE: an environment variable of the child (OMP_WAIT_POLICY, ...)
        String[] pair = kv.substring(4).split("=", 2);
        environment.put(pair[0], pair[1]);
      } else if (e.kind().equals("kalm") && kv.startsWith("threads=")) { // libtorch intra-op threads
        command.add("-Dai.djl.pytorch.num_threads=" + kv.substring(8));
      } else {
        options.add(kv);
      }
    }
    command.addAll(List.of("-cp", cp, EngineRun.class.getName(), e.kind(), model, textFile.toString(), out.toString()));
    command.addAll(options);
    return measure(e.label(), command, environment);
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Runs a child that prints {@code RESULT tokens= seconds= hwm_mib= [first_loss=] [cpu_seconds=]}; returns {tokens, seconds, wall
   * seconds, peak MiB, first loss or NaN, CPU seconds of the timed part or NaN}.
   */
  private static double[] measure(String label, List<String> command) throws IOException, InterruptedException {
    return measure(label, command, Map.of());
  }

  private static double[] measure(String label, List<String> command, Map<String, String> environment)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().putAll(environment);
    Process p = builder.start();
    String result = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("RESULT ")) {
          result = line;
        }
      }
    }
    int rc = p.waitFor();
    double wall = (System.nanoTime() - start) / 1e9;
    if (rc != 0 || result == null) {
      throw new IllegalStateException(label + " failed (exit " + rc + "): " + command);
    }
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : result.substring(7).split(" ")) {
      String[] pair = part.split("=", 2);
      kv.put(pair[0], pair[1]);
    }
    return new double[] {Double.parseDouble(kv.get("tokens")), Double.parseDouble(kv.get("seconds")), wall,
        Double.parseDouble(kv.get("hwm_mib")), Double.parseDouble(kv.getOrDefault("first_loss", "NaN")),
        Double.parseDouble(kv.getOrDefault("cpu_seconds", "NaN"))};
  }

  private static float[] readFloats(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  private static double maxDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.NaN;
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private void print(Map<String, Map<String, List<Run>>> results, List<Double> peaks) {
    double[] p = peaks.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf(Locale.ROOT, "%nmachine: %d cores, %s; matmul peak (libtorch 2048^3 fp32, measured %d times in this run): min %.0f, max %.0f GFLOP/s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"), p.length, p[0], p[p.length - 1]);
    System.out.println("| case | engine | tokens | tokens/s steady (min, median) | tokens/s whole process (min, median) | peak RSS (max) | ratio to " + parsedFirst() + " (median steady) | tokens per CPU-second (median) | max abs diff (embeddings; training: first loss) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    results.forEach((label, byEngine) -> {
      double referenceMedian = median(byEngine.values().iterator().next().stream().mapToDouble(r -> r.tokens() / r.steadySeconds()).toArray());
      byEngine.forEach((engine, runs) -> {
        double[] steady = runs.stream().mapToDouble(r -> r.tokens() / r.steadySeconds()).toArray();
        double[] whole = runs.stream().mapToDouble(r -> r.tokens() / r.processSeconds()).toArray();
        double peakMib = runs.stream().mapToDouble(Run::peakMib).max().orElse(-1);
        double diff = runs.stream().mapToDouble(Run::maxDiff).max().orElse(Double.NaN);
        double[] perCpu = runs.stream().mapToDouble(r -> r.tokens() / r.cpuSeconds()).toArray();
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %.1f, %.1f | %.1f, %.1f | %.2f GB | %.2f | %.1f | %.1e |%n", label,
            engine, runs.get(0).tokens(), min(steady), median(steady), min(whole), median(whole), peakMib * 1048576 / 1e9,
            median(steady) / referenceMedian, median(perCpu), diff);
      });
    });
  }

  private String parsedFirst() {
    return engines.isEmpty() ? "first engine" : Engine.parse(engines.get(0)).label();
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
