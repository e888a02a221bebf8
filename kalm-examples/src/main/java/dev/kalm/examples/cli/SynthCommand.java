package dev.kalm.examples.cli;

import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.synth.Personas;
import dev.kalm.data.synth.SynthConfig;
import dev.kalm.data.synth.SynthReport;
import dev.kalm.data.synth.SynthesisException;
import dev.kalm.data.synth.Synthesizer;
import dev.kalm.data.synth.TaskType;
import dev.kalm.data.synth.llm.LlmClient;
import dev.kalm.data.synth.llm.LlmClients;
import dev.kalm.data.synth.llm.LlmConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kalm synth}: persona-guided training data from an OpenAI-compatible LLM server. */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Generate training examples with an LLM server.",
    description = {
      "Uses an LLM behind an OpenAI-compatible chat completions API "
          + "(vLLM, llama.cpp server, Ollama, TGI, OpenAI): per persona and task type, it brainstorms task "
          + "instructions (persona as system prompt), then generates one example per instruction and example "
          + "number as JSON.",
      "Output: JSON Lines {query, pos, neg, task, [score], instruction, persona, synth_key}. Rerunning with the "
          + "same arguments resumes: finished examples are kept, the rest are generated.",
      "The API key, if any, is read from the environment variable " + LlmConfig.API_KEY_ENV + " and is "
          + "replaced by *** in everything kalm prints or writes (servers may echo it).",
      "Exit status: 0 when every planned example is in the output, 1 otherwise (summary on standard error; "
          + "rerun with the same arguments to retry the missing ones)."
    })
final class SynthCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--endpoint", required = true, paramLabel = "URL",
      description = "API base, e.g. http://127.0.0.1:8000/v1; requests go to {endpoint}/chat/completions.")
  URI endpoint;

  @Option(names = "--model", required = true, paramLabel = "NAME", description = "Model name the server expects.")
  String model;

  @Option(names = "--output", required = true, paramLabel = "FILE.jsonl",
      description = "Output JSON Lines, created or extended (stage-1 cache: FILE.jsonl.instructions.jsonl).")
  Path output;

  @Option(names = "--personas", paramLabel = "FILE.jsonl",
      description = "Personas, JSON Lines with a \"persona\" field (Persona Hub layout). Default: 22 built-in ones.")
  Path personas;

  @Option(names = "--task-types", paramLabel = "LIST", defaultValue = "short-long,long-short,short-short,long-long,sts,bitext",
      description = "Comma-separated task types (default: ${DEFAULT-VALUE}).")
  String taskTypes;

  @Option(names = "--tasks-per-persona", paramLabel = "N", defaultValue = "5",
      description = "Instructions kept per persona and task type (default: ${DEFAULT-VALUE}).")
  int tasksPerPersona;

  @Option(names = "--examples-per-task", paramLabel = "N", defaultValue = "2",
      description = "Examples generated per instruction (default: ${DEFAULT-VALUE}).")
  int examplesPerTask;

  @Option(names = "--personas-limit", paramLabel = "N",
      description = "Use at most N personas, a seeded sample (default: all).")
  Integer personasLimit;

  @Option(names = "--language", paramLabel = "LANG", defaultValue = "English",
      description = "Language of queries and documents (default: ${DEFAULT-VALUE}).")
  String language;

  @Option(names = "--bitext-language", paramLabel = "LANG",
      description = "Language bitext sources are translated into (default: Chinese, or English when --language is not English).")
  String bitextLanguage;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
      description = "Requests in flight at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--max-retries", paramLabel = "N", defaultValue = "5",
      description = "Retries of a request after a connection error, timeout, 429 or 5xx (default: ${DEFAULT-VALUE}).")
  int maxRetries;

  @Option(names = "--invalid-retries", paramLabel = "N", defaultValue = "3",
      description = "Re-requests of an invalid reply before the example is skipped (default: ${DEFAULT-VALUE}).")
  int invalidRetries;

  @Option(names = "--timeout-s", paramLabel = "N", defaultValue = "120",
      description = "Seconds to wait for a whole reply (default: ${DEFAULT-VALUE}); connecting may take up to 10 s.")
  double timeoutSeconds;

  @Option(names = "--backoff-ms", paramLabel = "N", defaultValue = "1000",
      description = "First retry wait in ms, doubling up to 60 s, with jitter; Retry-After overrides (default: ${DEFAULT-VALUE}).")
  long backoffMillis;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "Seed of the persona sample, prompt variations and request seeds (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--temperature", paramLabel = "X", defaultValue = "0.8",
      description = "Sampling temperature (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "2048",
      description = "Most tokens per reply (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--max-retry-wait-s", paramLabel = "N", defaultValue = "60",
      description = "Longest wait, in seconds, that a server's Retry-After may impose before a retry; longer "
          + "ones are cut to it (default: ${DEFAULT-VALUE}).")
  double maxRetryWaitSeconds;

  @Option(names = "--call-timeout-s", paramLabel = "N", defaultValue = "900",
      description = "Seconds one request may take with all its retries and waits (default: ${DEFAULT-VALUE}).")
  double callTimeoutSeconds;

  @Option(names = "--max-reply-mib", paramLabel = "N", defaultValue = "4",
      description = "Largest reply read, in MiB; a longer one fails its request (default: ${DEFAULT-VALUE}).")
  double maxReplyMib;

  @Option(names = "--rate-limit", paramLabel = "R", defaultValue = "0",
      description = "Most requests started per second, retries included; 0 = no limit (default: ${DEFAULT-VALUE}).")
  double rateLimit;

  @Option(names = "--no-json-mode", negatable = false,
      description = "Do not send response_format {\"type\":\"json_object\"} (by default it is sent, and dropped "
          + "automatically if the server rejects it).")
  boolean noJsonMode;

  @Option(names = "--report", paramLabel = "FILE.json", description = "Also write the run summary as JSON to this file (default: none).")
  Path report;

  @Override
  public Integer call() {
    OutputPaths.checkFile("--output", output);
    OutputPaths.checkFile("--report", report);
    PrintWriter err = spec.commandLine().getErr();
    List<String> all = personas == null ? Personas.builtIn() : Personas.read(personas);
    SynthConfig.Builder b = SynthConfig.builder()
        .taskTypes(TaskType.parseList(taskTypes))
        .tasksPerPersona(tasksPerPersona)
        .examplesPerTask(examplesPerTask)
        .language(language)
        .seed(seed)
        .concurrency(concurrency)
        .invalidRetries(invalidRetries)
        .temperature(temperature)
        .maxTokens(maxTokens)
        .jsonMode(!noJsonMode);
    if (personasLimit != null) {
      b.personasLimit(personasLimit);
    }
    if (bitextLanguage != null) {
      b.bitextLanguage(bitextLanguage);
    }
    SynthConfig config = b.build();
    Duration timeout = Duration.ofMillis(Math.round(timeoutSeconds * 1000));
    LlmConfig llmConfig = LlmConfig.builder().endpoint(endpoint).model(model)
        .apiKeyFromEnvironment()
        .requestTimeout(timeout)
        .connectTimeout(timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10))
        .maxRetries(maxRetries)
        .backoff(Duration.ofMillis(backoffMillis), Duration.ofMillis(Math.max(backoffMillis, 60_000)))
        .maxInFlight(concurrency)
        .requestsPerSecond(rateLimit)
        .maxRetryAfter(Duration.ofMillis(Math.round(maxRetryWaitSeconds * 1000)))
        .callTimeout(Duration.ofMillis(Math.round(callTimeoutSeconds * 1000)))
        .maxReplyBytes(Math.round(maxReplyMib * (1 << 20)))
        .build();
    int used = Math.min(all.size(), config.personasLimit());
    err.printf(Locale.ROOT, "kalm synth: %d personas x %d task types x %d tasks x %d examples = %d planned, "
            + "model %s at %s, concurrency %d%n", used, config.taskTypes().size(), tasksPerPersona, examplesPerTask,
        config.plannedExamples(used), model, llmConfig.chatCompletionsUri(), concurrency);
    err.flush();
    SynthReport result;
    try (LlmClient llm = LlmClients.openAiCompatible(llmConfig)) {
      result = Synthesizer.create(llm, config).run(all, output, progress(err));
    } catch (SynthesisException e) {
      finish(err, e.report());
      throw e;
    }
    finish(err, result);
    spec.commandLine().getOut().printf(Locale.ROOT, "%s: %d examples written, %d of %d planned present%s%n", output,
        result.examplesWritten(), result.examplesResumed() + result.examplesWritten(), result.examplesPlanned(),
        result.complete() ? "" : " (" + result.examplesSkipped() + " skipped: rerun to retry them)");
    if (!result.complete()) {
      err.printf(Locale.ROOT, "kalm synth: incomplete: %d of %d planned examples present (%d written by this run, "
              + "%d skipped); rerun with the same arguments to retry the rest%n",
          result.examplesResumed() + result.examplesWritten(), result.examplesPlanned(), result.examplesWritten(),
          result.examplesSkipped());
      err.flush();
      return 1;
    }
    return 0;
  }

  private static ProgressListener progress(PrintWriter err) {
    long[] last = {System.nanoTime()};
    return (done, total) -> {
      long now = System.nanoTime();
      if (now - last[0] >= 5_000_000_000L || done == total) {
        last[0] = now;
        err.printf(Locale.ROOT, "kalm synth: %d/%d examples done%n", done, total);
        err.flush();
      }
    };
  }

  private void finish(PrintWriter err, SynthReport r) {
    err.println(r.summary());
    err.flush();
    if (report != null) {
      r.toReport().write(report);
    }
  }
}
