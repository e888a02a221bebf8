package dev.kalm.data.synth;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.jsonl.JsonLines;
import dev.kalm.core.jsonl.JsonLinesException;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import dev.kalm.data.synth.llm.ChatMessage;
import dev.kalm.data.synth.llm.ChatRequest;
import dev.kalm.data.synth.llm.LlmClient;
import dev.kalm.data.synth.llm.LlmException;
import dev.kalm.data.synth.llm.LlmStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persona-guided synthesis of training data (KaLM / E5-mistral style) from a chat LLM, in two stages:
 * (1) per (persona, task type), with the persona as the system message, brainstorm task instructions;
 * (2) per (instruction, example number), without the persona, generate one example as JSON. Replies are
 * checked by {@link Replies}; an invalid reply is re-requested up to {@link SynthConfig#invalidRetries()}
 * times, then the example is skipped and counted.
 *
 * <p>Output: JSON Lines, one training example per line in the KaLM/FlagEmbedding layout
 * {@code {"query", "pos": [..], "neg": [..], "task", "score"? , "instruction", "persona", "synth_key"}}.
 * Asymmetric tasks put the instruction on the query with {@link Prompt#instruction}; STS and bitext
 * queries get none and an empty {@code neg} (STS adds {@code score}). Line order varies with concurrency.
 *
 * <p>Resumable: the plan is a deterministic function of the personas, the seed and the configuration.
 * Every example has a key {@code persona:task-type:instruction:example} recorded as {@code synth_key};
 * stage-1 instruction sets are cached in {@link #instructionsFile(Path) a sidecar file}. Both files are
 * appended one whole line at a time and flushed. A rerun with the same arguments drops an unterminated
 * last line (killed mid-write), skips every key already present and reuses the cached instructions: no
 * example is written twice or lost. Queries are deduplicated exactly over the whole file.
 *
 * <p>Not thread safe as a whole: one {@link #run} at a time per instance; {@link #cancel()} may be called
 * from any thread (e.g. a progress listener).
 *
 * <pre>{@code
 * LlmConfig llmConfig = LlmConfig.builder().endpoint(endpoint).model("Qwen/Qwen2.5-7B-Instruct").build();
 * try (LlmClient llm = LlmClients.openAiCompatible(llmConfig)) {
 *   SynthReport r = Synthesizer.create(llm, SynthConfig.builder().personasLimit(100).build())
 *       .run(Personas.builtIn(), Path.of("synth.jsonl"), ProgressListener.NONE);
 * }
 * }</pre>
 */
public final class Synthesizer {
  private static final Logger LOG = LoggerFactory.getLogger(Synthesizer.class);
  private static final HashFunction HASH = Hashing.murmur3_128();
  private static final AtomicInteger RUNS = new AtomicInteger();

  private final LlmClient llm;
  private final SynthConfig config;
  private final AtomicReference<@Nullable Run> current = new AtomicReference<>();

  private Synthesizer(LlmClient llm, SynthConfig config) {
    this.llm = checkNotNull(llm, "llm");
    this.config = checkNotNull(config, "config");
  }

  /** A synthesizer that sends its requests through {@code llm} (which it does not close). */
  public static Synthesizer create(LlmClient llm, SynthConfig config) {
    return new Synthesizer(llm, config);
  }

  /** The sidecar file caching stage-1 instruction sets: {@code <output>.instructions.jsonl}. */
  public static Path instructionsFile(Path output) {
    return output.resolveSibling(output.getFileName() + ".instructions.jsonl");
  }

  /** The key of one planned example, as written in {@code synth_key}: {@code persona:task-type:instruction:example}. */
  public static String exampleKey(int persona, TaskType type, int instruction, int example) {
    return persona + ":" + type.id() + ":" + instruction + ":" + example;
  }

  /**
   * Runs (or resumes) the plan for {@code personas} into {@code output}, blocking until every planned
   * example is written or skipped, or {@link #cancel()} is called.
   *
   * @param personas all personas; a seeded sample of {@link SynthConfig#personasLimit()} is used, and a
   *     persona's key is its index in this list (keep the list the same across reruns)
   * @param output the JSON Lines file to create or extend
   * @param progress told (planned examples finished: present, written or skipped; planned) after each example
   * @return the counts of this run
   * @throws SynthesisException when the LLM server fails for good, a file cannot be written, or the
   *     thread is interrupted; what was written stays valid and a rerun resumes
   * @throws JsonLinesException when an existing output or sidecar line is malformed, or was made from other
   *     personas or another language, naming file, line and field
   * @throws UncheckedIOException when an existing file cannot be read
   * @throws StoppedException when the calling thread's {@link StopSignal#current() stop signal} asks to stop:
   *     no new request is started, replies in flight are still written ({@link StopSignal#stopNow()}: abandoned),
   *     and a rerun resumes
   */
  public SynthReport run(List<String> personas, Path output, ProgressListener progress) {
    checkNotNull(personas, "personas");
    checkNotNull(output, "output");
    checkNotNull(progress, "progress");
    checkArgument(!personas.isEmpty(), "personas must not be empty");
    Run run = new Run(ImmutableList.copyOf(personas), output, progress);
    checkState(current.compareAndSet(null, run), "this Synthesizer is already running");
    try {
      return run.execute();
    } finally {
      current.set(null);
    }
  }

  /**
   * Stops the current run soon: no new requests are started; replies in flight are still checked and
   * written. {@link #run} then returns a report with {@code cancelled} set. No effect when idle.
   */
  public void cancel() {
    Run run = current.get();
    if (run != null) {
      run.cancelled = true;
      run.queue.stop();
    }
  }

  /** The state of one run. */
  private final class Run {
    private final ImmutableList<String> personas;
    private final Path output;
    private final Path sidecar;
    private final ProgressListener progress;
    private final ImmutableList<Integer> picked;
    private final long planned;
    private final WorkQueue queue;
    private final Object lock = new Object();
    // Guarded by lock.
    private final Set<String> doneKeys = new HashSet<>();
    private final Set<Long> queryHashes = new HashSet<>();
    private long finished;
    // Read before the workers start, then only read (cache entries are replaced under lock).
    private final Map<String, ImmutableList<String>> instructionCache = new HashMap<>();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong setsGenerated = new AtomicLong();
    private final AtomicLong setsReused = new AtomicLong();
    private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    private volatile boolean cancelled;
    private long resumed;
    private @Nullable AppendLog out;
    private @Nullable AppendLog side;

    Run(ImmutableList<String> personas, Path output, ProgressListener progress) {
      this.personas = personas;
      this.output = output;
      this.sidecar = instructionsFile(output);
      this.progress = progress;
      this.picked = Personas.sample(personas.size(), config.personasLimit(), config.seed());
      this.planned = config.plannedExamples(picked.size());
      this.queue = new WorkQueue(stageOneItems());
    }

    SynthReport execute() {
      StopSignal stop = StopSignal.current();
      long start = System.nanoTime();
      LlmStats before = llm.stats();
      try {
        resume();
        out = AppendLog.open(output);
        side = AppendLog.open(sidecar);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open " + output + " or " + sidecar + ": " + e.getMessage(), e);
      }
      synchronized (lock) {
        progress.progress(finished, planned);
      }
      int id = RUNS.incrementAndGet();
      AtomicInteger threads = new AtomicInteger();
      ExecutorService workers = Executors.newFixedThreadPool(config.concurrency(), r -> {
        Thread t = new Thread(r, "kalm-synth-" + id + "-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      for (int i = 0; i < config.concurrency(); i++) {
        workers.execute(this::work);
      }
      workers.shutdown();
      boolean stopped = false;
      try {
        while (!workers.awaitTermination(100, TimeUnit.MILLISECONDS)) {
          // workers end when the queue is drained or stopped; a stop request stops the queue
          if (!stopped && stop.isStopRequested()) {
            stopped = true;
            cancelled = true;
            queue.stop();
          }
          if (stop.isStopNowRequested()) {
            workers.shutdownNow(); // requests in flight are abandoned; whole lines only are ever appended
            break;
          }
        }
      } catch (InterruptedException e) {
        failure.compareAndSet(null, e);
        queue.stop();
        workers.shutdownNow();
        Thread.currentThread().interrupt();
      } finally {
        closeQuietly();
      }
      SynthReport report = new SynthReport(output.toString(), picked.size(), planned, resumed, written.get(),
          skipped.get(), invalid.get(), duplicates.get(), setsGenerated.get(), setsReused.get(),
          llm.stats().minus(before), Duration.ofNanos(System.nanoTime() - start),
          cancelled || failure.get() != null);
      if (stopped) {
        throw new StoppedException("synthesis stopped on request: " + written.get() + " examples written to "
            + output + "; rerun with the same arguments to resume");
      }
      Throwable f = failure.get();
      if (f != null) {
        String why = f instanceof InterruptedException ? "interrupted" : f.getMessage();
        throw new SynthesisException("synthesis stopped: " + why + " (" + written.get() + " examples written; "
            + "rerun with the same arguments to resume)", report, f);
      }
      return report;
    }

    private void closeQuietly() {
      for (AppendLog log : new AppendLog[] {out, side}) {
        if (log != null) {
          try {
            log.close();
          } catch (IOException e) {
            failure.compareAndSet(null, e);
          }
        }
      }
    }

    /** A worker thread: takes items until the queue is drained or stopped; a failure stops everyone. */
    private void work() {
      while (true) {
        Runnable item;
        try {
          item = queue.take();
        } catch (InterruptedException e) {
          return;
        }
        if (item == null) {
          return;
        }
        try {
          item.run();
        } catch (RuntimeException e) {
          if (failure.compareAndSet(null, e)) {
            LOG.debug("synthesis failed", e);
          }
          queue.stop();
        } finally {
          queue.done();
        }
      }
    }

    private boolean stopping() {
      return queue.stopped();
    }

    /** Stage-1 items, lazily: (persona, task type) in plan order. */
    private Iterator<Runnable> stageOneItems() {
      return picked.stream()
          .flatMap(p -> config.taskTypes().stream().map(t -> (Runnable) () -> unit(p, t)))
          .iterator();
    }

    /** One (persona, task type): get its instructions (cache or stage 1), then queue its missing examples. */
    private void unit(int p, TaskType type) {
      List<int[]> missing = new ArrayList<>();
      synchronized (lock) {
        for (int i = 0; i < config.tasksPerPersona(); i++) {
          for (int e = 0; e < config.examplesPerTask(); e++) {
            if (!doneKeys.contains(exampleKey(p, type, i, e))) {
              missing.add(new int[] {i, e});
            }
          }
        }
      }
      if (missing.isEmpty() || stopping()) {
        return;
      }
      ImmutableList<String> instructions = instructions(p, type);
      if (instructions == null) {
        if (!stopping()) {
          finish(missing.size(), skipped);
        }
        return;
      }
      List<Runnable> items = new ArrayList<>(missing.size());
      for (int[] ie : missing) {
        items.add(() -> example(p, type, ie[0], ie[1], instructions.get(ie[0])));
      }
      queue.addFirst(items);
    }

    /** The unit's instructions (at least tasksPerPersona), from the cache or stage 1; null when skipped. */
    private @Nullable ImmutableList<String> instructions(int p, TaskType type) {
      String unitKey = p + ":" + type.id();
      ImmutableList<String> cached;
      synchronized (lock) {
        cached = instructionCache.getOrDefault(unitKey, ImmutableList.of());
      }
      int needed = config.tasksPerPersona();
      if (cached.size() >= needed) {
        setsReused.incrementAndGet();
        return cached;
      }
      List<ChatMessage> messages = Prompts.brainstorm(personas.get(p), type, needed, config);
      for (int attempt = 0; attempt <= config.invalidRetries() && !stopping(); attempt++) {
        String reply = llm.chat(new ChatRequest(ImmutableList.copyOf(messages), config.temperature(),
            config.maxTokens(), config.jsonMode(), requestSeed(unitKey, attempt)));
        Validation<ImmutableList<String>> v = Replies.instructions(reply);
        if (!v.isValid()) {
          invalid.incrementAndGet();
          LOG.debug("invalid stage-1 reply for {}: {}", unitKey, v.problem());
          continue;
        }
        Set<String> merged = new LinkedHashSet<>(cached);
        merged.addAll(v.get());
        if (merged.size() < needed) {
          invalid.incrementAndGet();
          LOG.debug("stage-1 reply for {} has {} usable instructions, need {}", unitKey, merged.size(), needed);
          continue;
        }
        ImmutableList<String> all = ImmutableList.copyOf(merged);
        JsonObject line = new JsonObject();
        line.addProperty("key", unitKey);
        line.addProperty("persona", personas.get(p));
        line.addProperty("task", type.id());
        line.addProperty("language", config.language());
        JsonArray array = new JsonArray();
        all.forEach(array::add);
        line.add("instructions", array);
        synchronized (lock) {
          append(side, line);
          instructionCache.put(unitKey, all);
        }
        setsGenerated.incrementAndGet();
        return all;
      }
      return null;
    }

    /** One planned example: request, check, dedup and append; re-request invalid replies, then skip. */
    private void example(int p, TaskType type, int i, int e, String instruction) {
      String key = exampleKey(p, type, i, e);
      List<ChatMessage> messages = Prompts.generate(type, instruction, config, variation(key));
      for (int attempt = 0; attempt <= config.invalidRetries(); attempt++) {
        if (stopping()) {
          return;
        }
        String reply = llm.chat(new ChatRequest(ImmutableList.copyOf(messages), config.temperature(),
            config.maxTokens(), config.jsonMode(), requestSeed(key, attempt)));
        Validation<SynthExample> v = Replies.example(type, reply);
        if (!v.isValid()) {
          invalid.incrementAndGet();
          LOG.debug("invalid reply for {}: {}", key, v.problem());
          continue;
        }
        JsonObject line = line(v.get(), instruction, personas.get(p), key);
        long queryHash = HASH.hashString(line.get("query").getAsString(), StandardCharsets.UTF_8).asLong();
        synchronized (lock) {
          if (queryHashes.add(queryHash)) {
            append(out, line);
            doneKeys.add(key);
            written.incrementAndGet();
            finished++;
            progress.progress(finished, planned);
            return;
          }
        }
        invalid.incrementAndGet();
        duplicates.incrementAndGet();
      }
      if (!stopping()) {
        finish(1, skipped);
      }
    }

    private void finish(long n, AtomicLong counter) {
      synchronized (lock) {
        counter.addAndGet(n);
        finished += n;
        progress.progress(finished, planned);
      }
    }

    private void append(@Nullable AppendLog log, JsonObject line) {
      try {
        checkNotNull(log, "log").append(line);
      } catch (IOException ex) {
        throw new UncheckedIOException("cannot append to the output: " + ex.getMessage(), ex);
      }
    }

    /** Per-example prompt knobs: the same for every attempt and every rerun. */
    private SplittableRandom variation(String key) {
      return new SplittableRandom(HASH.newHasher().putLong(config.seed()).putString(key, StandardCharsets.UTF_8)
          .hash().asLong());
    }

    /** The seed sent with a request: differs per key and attempt, the same across reruns; in [0, 2^31). */
    private long requestSeed(String key, int attempt) {
      return HASH.newHasher().putLong(config.seed()).putString(key, StandardCharsets.UTF_8).putInt(attempt)
          .hash().asInt() & 0x7fffffffL;
    }

    /** Reads what earlier runs left: cached instruction sets, done keys and query hashes. */
    private void resume() throws IOException {
      long droppedSide = AppendLog.dropPartialLastLine(sidecar);
      long droppedOut = AppendLog.dropPartialLastLine(output);
      if (droppedSide + droppedOut > 0) {
        LOG.warn("dropped an unterminated last line (a write cut short by a kill): {} bytes from {}, {} bytes from {}",
            droppedOut, output, droppedSide, sidecar);
      }
      if (Files.exists(sidecar)) {
        try (Stream<JsonLine> lines = JsonLines.read(sidecar)) {
          lines.forEach(this::readInstructionLine);
        }
      }
      if (Files.exists(output)) {
        Set<Integer> pickedSet = new HashSet<>(picked);
        long[] foreign = {0};
        try (Stream<JsonLine> lines = JsonLines.read(output)) {
          lines.forEach(l -> {
            String key = l.string("synth_key");
            queryHashes.add(HASH.hashString(l.string("query"), StandardCharsets.UTF_8).asLong());
            if (!doneKeys.add(key)) {
              return;
            }
            if (inPlan(key, pickedSet)) {
              resumed++;
            } else {
              foreign[0]++;
            }
          });
        }
        if (foreign[0] > 0) {
          LOG.info("{}: {} examples from outside this run's plan are kept as they are", output, foreign[0]);
        }
        if (resumed > 0) {
          LOG.info("{}: resuming, {} of {} planned examples already present", output, resumed, planned);
        }
      }
      finished = resumed;
    }

    private void readInstructionLine(JsonLine l) {
      String key = l.string("key");
      int colon = key.indexOf(':');
      int p;
      try {
        p = Integer.parseInt(key.substring(0, Math.max(colon, 0)));
      } catch (NumberFormatException ex) {
        throw l.error("key", "expected persona:task-type, got '" + key + "'");
      }
      if (p < 0 || p >= personas.size() || !personas.get(p).equals(l.string("persona"))) {
        throw l.error("persona", "differs from persona " + p + " of this run: the personas changed since the "
            + "earlier run; use the same personas or a new output file");
      }
      if (!config.language().equals(l.string("language"))) {
        throw l.error("language", "is '" + l.string("language") + "' but this run's language is '"
            + config.language() + "'; use the same language or a new output file");
      }
      instructionCache.put(key, ImmutableList.copyOf(l.strings("instructions")));
    }

    private boolean inPlan(String key, Set<Integer> pickedSet) {
      String[] parts = key.split(":", -1);
      if (parts.length != 4) {
        return false;
      }
      try {
        int p = Integer.parseInt(parts[0]);
        TaskType type = TaskType.fromId(parts[1]);
        int i = Integer.parseInt(parts[2]);
        int e = Integer.parseInt(parts[3]);
        return pickedSet.contains(p) && config.taskTypes().contains(type) && i >= 0 && i < config.tasksPerPersona()
            && e >= 0 && e < config.examplesPerTask();
      } catch (IllegalArgumentException notAKey) {
        return false;
      }
    }
  }

  /** The output line of an example (KaLM/FlagEmbedding layout plus provenance). */
  static JsonObject line(SynthExample x, String instruction, String persona, String key) {
    JsonObject o = new JsonObject();
    o.addProperty("query", x.type().symmetric() ? x.query() : Prompt.instruction(instruction).apply(x.query()));
    JsonArray pos = new JsonArray();
    pos.add(x.positive());
    o.add("pos", pos);
    JsonArray neg = new JsonArray();
    if (x.negative() != null) {
      neg.add(x.negative());
    }
    o.add("neg", neg);
    o.addProperty("task", x.type().id());
    if (x.score() != null) {
      o.addProperty("score", x.score());
    }
    o.addProperty("instruction", instruction);
    o.addProperty("persona", persona);
    o.addProperty("synth_key", key);
    return o;
  }
}
