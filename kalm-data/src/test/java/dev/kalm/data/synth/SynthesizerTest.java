package dev.kalm.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import com.google.gson.JsonObject;
import dev.kalm.core.internal.json.StrictJson;
import dev.kalm.core.jsonl.JsonLinesException;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.synth.llm.LlmClient;
import dev.kalm.data.synth.llm.LlmClients;
import dev.kalm.data.synth.llm.LlmConfig;
import dev.kalm.data.testing.FakeLlmServer;
import dev.kalm.data.testing.FakeLlmServer.Call;
import dev.kalm.data.testing.FakeLlmServer.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthesizerTest {
  @TempDir Path dir;

  static LlmConfig llmConfig(FakeLlmServer server, int concurrency) {
    return LlmConfig.builder().endpoint(server.endpoint()).model("fake-model")
        .connectTimeout(Duration.ofSeconds(2))
        .requestTimeout(Duration.ofMillis(1500))
        .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
        .maxRetries(3)
        .maxInFlight(concurrency)
        .build();
  }

  static SynthConfig.Builder small() {
    return SynthConfig.builder().personasLimit(3).tasksPerPersona(2).examplesPerTask(2).concurrency(4)
        .invalidRetries(8).seed(7);
  }

  static SynthReport run(FakeLlmServer server, SynthConfig config, List<String> personas, Path out,
      ProgressListener progress) {
    try (LlmClient llm = LlmClients.openAiCompatible(llmConfig(server, config.concurrency()))) {
      return Synthesizer.create(llm, config).run(personas, out, progress);
    }
  }

  static List<JsonObject> lines(Path file) {
    try (Stream<String> s = Files.lines(file)) {
      return s.filter(line -> !line.isBlank()).map(line -> StrictJson.parse(line).getAsJsonObject()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Set<String> lineSet(Path file) {
    return lines(file).stream().map(JsonObject::toString).collect(Collectors.toSet());
  }

  @Test
  void writesEveryPlannedExampleInKalmLayout() {
    Path out = dir.resolve("synth.jsonl");
    SynthConfig config = small().build();
    try (FakeLlmServer server = FakeLlmServer.model()) {
      SynthReport r = run(server, config, Personas.builtIn(), out, ProgressListener.NONE);
      long planned = 3 * 6 * 2 * 2;
      assertEquals(planned, r.examplesPlanned());
      assertEquals(planned, r.examplesWritten());
      assertTrue(r.complete());
      assertEquals(0, r.examplesSkipped());
      assertEquals(0, r.invalidReplies());
      assertEquals(18, r.instructionSetsGenerated());
      assertEquals(18 + planned, server.callCount());
      assertEquals(18 + planned, r.llm().requests());
      for (Call c : server.calls()) {
        assertTrue(c.jsonMode());
        if (c.brainstorm()) {
          assertTrue(Personas.builtIn().stream().anyMatch(p -> c.system().contains(p)), c.system());
          assertTrue(c.user().contains("exactly 2 strings"), c.user());
        } else {
          assertTrue(c.user().startsWith("You have been assigned a task: Given request "), c.user());
        }
      }
    }
    List<JsonObject> lines = lines(out);
    assertEquals(72, lines.size());
    Set<String> keys = new HashSet<>();
    for (JsonObject l : lines) {
      String key = l.get("synth_key").getAsString();
      assertTrue(keys.add(key), "repeated key " + key);
      TaskType type = TaskType.fromId(l.get("task").getAsString());
      assertEquals(type.id(), key.split(":")[1]);
      String instruction = l.get("instruction").getAsString();
      String query = l.get("query").getAsString();
      assertEquals(1, l.getAsJsonArray("pos").size());
      assertTrue(Personas.builtIn().contains(l.get("persona").getAsString()));
      if (type.symmetric()) {
        assertFalse(query.startsWith("Instruct:"), query);
        assertEquals(0, l.getAsJsonArray("neg").size());
      } else {
        assertTrue(query.startsWith("Instruct: " + instruction + " \n Query: What does item "), query);
        assertEquals(1, l.getAsJsonArray("neg").size());
      }
      assertEquals(type == TaskType.STS, l.has("score"));
    }
    Set<String> expected = new HashSet<>();
    for (int p : Personas.sample(Personas.builtIn().size(), 3, 7)) {
      for (TaskType t : TaskType.values()) {
        for (int i = 0; i < 2; i++) {
          for (int e = 0; e < 2; e++) {
            expected.add(Synthesizer.exampleKey(p, t, i, e));
          }
        }
      }
    }
    assertEquals(expected, keys);
    assertEquals(18, lines(Synthesizer.instructionsFile(out)).size());
  }

  /**
   * Decides per request from its content, so that reruns meet the same faults. At most {@code slowReplies}
   * replies come after the client's timeout (they cost wall time).
   */
  static final class FaultyModel implements FakeLlmServer.Script {
    final Set<String> seen = ConcurrentHashMap.newKeySet();
    final AtomicInteger slowLeft;
    final AtomicInteger httpFaults = new AtomicInteger();
    final AtomicInteger invalidSent = new AtomicInteger();

    FaultyModel(int slowReplies) {
      this.slowLeft = new AtomicInteger(slowReplies);
    }

    @Override
    public Reply reply(Call call) {
      String body = call.body().toString();
      int h = Hashing.murmur3_32_fixed().hashString(body, StandardCharsets.UTF_8).asInt() & 0x7fffffff;
      if (seen.add(body)) { // transient HTTP faults only on the first sight of a request: its retry succeeds
        Reply fault = switch (h % 12) {
          case 0 -> Reply.error(500, "internal error");
          case 1 -> Reply.error(429, "rate limited").withHeader("Retry-After", "0");
          case 2 -> Reply.dropConnection();
          case 3 -> slowLeft.getAndDecrement() > 0 // beyond the 1.5 s timeout
              ? Reply.content(FakeLlmServer.modelReply(call)).withDelay(4000) : Reply.error(502, "bad gateway");
          case 4 -> Reply.error(503, "loading model");
          default -> null;
        };
        if (fault != null) {
          httpFaults.incrementAndGet();
          return fault;
        }
      }
      String valid = FakeLlmServer.modelReply(call);
      if (call.brainstorm()) {
        return Reply.content(valid);
      }
      int kind = (int) (call.seed() % 6);
      String content = switch (kind) {
        case 0 -> valid.substring(0, valid.length() / 2); // malformed JSON
        case 1 -> "Here you go:\n```json\n" + valid + "\n```\nAnything else?"; // fenced with prose: valid
        case 2 -> valid.replaceAll("\"(user_query|sentence2|target)\"", "\"other\""); // missing field
        default -> valid;
      };
      if (kind == 0 || kind == 2) {
        invalidSent.incrementAndGet();
      }
      return Reply.content(content);
    }
  }

  @Test
  void survivesMalformedRepliesAndHttpFaultsWithExactCounts() {
    Path out = dir.resolve("faulty.jsonl");
    SynthConfig config = small().build();
    FaultyModel model = new FaultyModel(2);
    SynthReport r;
    try (FakeLlmServer server = FakeLlmServer.start(model)) {
      r = run(server, config, Personas.builtIn(), out, ProgressListener.NONE);
      assertEquals(server.callCount(), r.llm().requests());
    }
    assertTrue(model.httpFaults.get() > 5 && model.invalidSent.get() > 5, model.httpFaults + " " + model.invalidSent);
    assertEquals(model.httpFaults.get(), r.llm().retries());
    assertEquals(model.invalidSent.get(), r.invalidReplies());
    assertTrue(r.llm().timeouts() == 2 && r.llm().connectionErrors() >= 1 && r.llm().rateLimited() >= 1
        && r.llm().serverErrors() >= 1, r.llm().toString());
    assertEquals(72, r.examplesWritten() + r.examplesSkipped());
    assertEquals(r.examplesWritten(), lines(out).size());
    assertEquals(0, r.llm().failures());
  }

  @Test
  void killedAndResumedRunGivesTheSameExamplesAsAnUninterruptedOne() throws IOException {
    SynthConfig config = small().personasLimit(4).build();
    Path whole = dir.resolve("whole.jsonl");
    Path resumed = dir.resolve("resumed.jsonl");
    try (FakeLlmServer server = FakeLlmServer.start(new FaultyModel(0))) {
      SynthReport full = run(server, config, Personas.builtIn(), whole, ProgressListener.NONE);
      assertTrue(full.complete());
    }
    try (FakeLlmServer server = FakeLlmServer.start(new FaultyModel(0))) {
      // First attempt: "killed" after 20 examples (cancel, then a half-written line in both files).
      AtomicReference<Synthesizer> synth = new AtomicReference<>();
      SynthReport first;
      try (LlmClient llm = LlmClients.openAiCompatible(llmConfig(server, 4))) {
        synth.set(Synthesizer.create(llm, config));
        first = synth.get().run(Personas.builtIn(), resumed, (done, total) -> {
          if (done >= 20) {
            synth.get().cancel();
          }
        });
      }
      assertTrue(first.cancelled());
      assertTrue(first.examplesWritten() >= 20 && first.examplesWritten() < 96, "" + first.examplesWritten());
      String aLine = Files.readAllLines(whole).get(5);
      Files.writeString(resumed, aLine.substring(0, aLine.length() / 2), StandardOpenOption.APPEND);
      Files.writeString(Synthesizer.instructionsFile(resumed), "{\"key\": \"1:sts\", \"pers",
          StandardOpenOption.APPEND);

      SynthReport second = run(server, config, Personas.builtIn(), resumed, ProgressListener.NONE);
      assertEquals(first.examplesWritten(), second.examplesResumed());
      assertEquals(96 - first.examplesWritten(), second.examplesWritten());
      assertTrue(second.complete());
      assertTrue(second.instructionSetsReused() > 0);
      assertEquals(24, first.instructionSetsGenerated() + second.instructionSetsGenerated());
    }
    assertEquals(96, lines(resumed).size());
    assertEquals(lineSet(whole), lineSet(resumed));

    // A file cut in the middle of a line (killed mid-write) resumes to the same set as well.
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.jsonl");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 3));
    Files.copy(Synthesizer.instructionsFile(whole), Synthesizer.instructionsFile(cut));
    try (FakeLlmServer server = FakeLlmServer.start(new FaultyModel(0))) {
      SynthReport r = run(server, config, Personas.builtIn(), cut, ProgressListener.NONE);
      assertTrue(r.complete());
      assertEquals(0, r.instructionSetsGenerated());
    }
    assertEquals(lineSet(whole), lineSet(cut));
    // A rerun of a complete output sends no request.
    try (FakeLlmServer server = FakeLlmServer.model()) {
      SynthReport r = run(server, config, Personas.builtIn(), cut, ProgressListener.NONE);
      assertEquals(0, server.callCount());
      assertEquals(96, r.examplesResumed());
      assertEquals(0, r.examplesWritten());
    }
  }

  @Test
  void invalidRepliesAreReRequestedThenSkippedAndRetriedOnRerun() {
    Path out = dir.resolve("skip.jsonl");
    SynthConfig config = small().taskTypes(TaskType.parseList("sts,bitext")).personasLimit(1)
        .invalidRetries(2).build();
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.content(
        FakeLlmServer.modelReply(c).replace("\"score\":4.5", "\"score\":9")))) {
      SynthReport r = run(server, config, Personas.builtIn(), out, ProgressListener.NONE);
      assertEquals(8, r.examplesPlanned());
      assertEquals(4, r.examplesWritten());
      assertEquals(4, r.examplesSkipped());
      assertEquals(4 * 3, r.invalidReplies());
      assertFalse(r.complete());
      assertTrue(lines(out).stream().allMatch(l -> l.get("task").getAsString().equals("bitext")));
    }
    try (FakeLlmServer server = FakeLlmServer.model()) {
      SynthReport r = run(server, config, Personas.builtIn(), out, ProgressListener.NONE);
      assertEquals(4, r.examplesResumed());
      assertEquals(4, r.examplesWritten());
      assertTrue(r.complete());
      assertEquals(4, server.callCount(), "only the skipped examples are requested again");
    }
  }

  @Test
  void stageOneNeedsEnoughInstructions() {
    Path out = dir.resolve("few.jsonl");
    SynthConfig config = small().taskTypes(TaskType.parseList("short-short")).personasLimit(1)
        .tasksPerPersona(3).invalidRetries(1).build();
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.content(c.brainstorm()
        ? "[\"Retrieve only one kind of thing.\", \"too short\"]" : FakeLlmServer.modelReply(c)))) {
      SynthReport r = run(server, config, Personas.builtIn(), out, ProgressListener.NONE);
      assertEquals(2, server.callCount());
      assertEquals(2, r.invalidReplies());
      assertEquals(6, r.examplesSkipped());
      assertEquals(0, r.examplesWritten());
    }
  }

  @Test
  void duplicateQueriesAreRejected() {
    Path out = dir.resolve("dup.jsonl");
    SynthConfig config = small().taskTypes(TaskType.parseList("short-long")).personasLimit(1)
        .examplesPerTask(3).invalidRetries(1).concurrency(1).build();
    String same = "{\"user_query\": \"always the same query\", \"positive_document\": \"always the same positive "
        + "document text here\", \"hard_negative_document\": \"always the same negative document text here\"}";
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.content(c.brainstorm()
        ? FakeLlmServer.modelReply(c) : same))) {
      SynthReport r = run(server, config, Personas.builtIn(), out, ProgressListener.NONE);
      assertEquals(2, r.examplesWritten(), "one per instruction: the query carries the instruction");
      assertEquals(4, r.examplesSkipped());
      assertEquals(8, r.duplicates());
      assertEquals(8, r.invalidReplies());
    }
  }

  @Test
  void aFatalServerErrorStopsTheRunAndARerunFinishesIt() {
    Path out = dir.resolve("fatal.jsonl");
    SynthConfig config = small().personasLimit(2).build();
    try (FakeLlmServer server = FakeLlmServer.start(c -> c.number() > 15
        ? Reply.error(404, "The model `fake-model` does not exist.") : Reply.content(FakeLlmServer.modelReply(c)))) {
      SynthesisException e = assertThrows(SynthesisException.class,
          () -> run(server, config, Personas.builtIn(), out, ProgressListener.NONE));
      assertTrue(e.getMessage().contains("does not exist") && e.getMessage().contains("rerun"), e.getMessage());
      assertTrue(e.report().cancelled());
      assertEquals(e.report().examplesWritten(), lines(out).size());
    }
    try (FakeLlmServer server = FakeLlmServer.model()) {
      SynthReport r = run(server, config, Personas.builtIn(), out, ProgressListener.NONE);
      assertTrue(r.complete());
    }
    assertEquals(48, lines(out).size());
  }

  @Test
  void refusesToResumeWithOtherPersonasOrLanguage() {
    Path out = dir.resolve("p.jsonl");
    SynthConfig config = small().personasLimit(1).taskTypes(TaskType.parseList("sts")).build();
    try (FakeLlmServer server = FakeLlmServer.model()) {
      run(server, config, Personas.builtIn(), out, ProgressListener.NONE);
      List<String> other = Personas.builtIn().stream().map(p -> p + " (changed)").toList();
      JsonLinesException e = assertThrows(JsonLinesException.class,
          () -> run(server, config, other, out, ProgressListener.NONE));
      assertTrue(e.getMessage().contains("p.jsonl.instructions.jsonl:1: field 'persona'"), e.getMessage());
      SynthConfig chinese = small().personasLimit(1).taskTypes(TaskType.parseList("sts"))
          .language("Chinese").build();
      e = assertThrows(JsonLinesException.class,
          () -> run(server, chinese, Personas.builtIn(), out, ProgressListener.NONE));
      assertEquals("language", e.field());
    }
  }

  @Test
  void promptsNameTheLanguagesAndTypes() {
    SynthConfig config = SynthConfig.builder().language("Chinese").build();
    assertEquals("English", config.bitextLanguage());
    String gen = Prompts.generate(TaskType.BITEXT, "Translate contracts", config, new java.util.SplittableRandom(1))
        .get(0).content();
    assertTrue(gen.contains("\"source\" in Chinese and \"target\" in English"), gen);
    String sts = Prompts.generate(TaskType.STS, "Compare sentences", config, new java.util.SplittableRandom(1))
        .get(0).content();
    assertTrue(sts.contains("\"score\"") && sts.contains("Write all texts in Chinese."), sts);
    var brainstorm = Prompts.brainstorm("A chef.", TaskType.LONG_LONG, 4, config);
    assertEquals("system", brainstorm.get(0).role());
    assertTrue(brainstorm.get(0).content().contains("A chef."));
    assertTrue(brainstorm.get(1).content().contains("exactly 4 strings"));
  }
}
