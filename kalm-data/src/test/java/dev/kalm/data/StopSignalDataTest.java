package dev.kalm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.progress.ProgressListener;
import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import dev.kalm.data.example.ExampleWriter;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.filter.DataFilters;
import dev.kalm.data.filter.MiningConfig;
import dev.kalm.data.search.SearchConfig;
import dev.kalm.data.search.VectorIndex;
import dev.kalm.data.search.VectorIndexes;
import dev.kalm.data.synth.Personas;
import dev.kalm.data.synth.SynthConfig;
import dev.kalm.data.synth.SynthReport;
import dev.kalm.data.synth.Synthesizer;
import dev.kalm.data.synth.llm.LlmClient;
import dev.kalm.data.synth.llm.LlmClients;
import dev.kalm.data.synth.llm.LlmConfig;
import dev.kalm.data.testing.FakeEmbedder;
import dev.kalm.data.testing.FakeLlmServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kalm-data's long calls stop at batch boundaries when the thread's StopSignal asks, leaving no partial output. */
class StopSignalDataTest {
  @TempDir Path dir;

  private static TrainingExample example(int i) {
    return TrainingExample.builder().query("query " + i).positive("document " + i).negative("other " + i).build();
  }

  @Test
  void aStoppedWriterDiscardsItsFile() throws IOException {
    StopSignal stop = StopSignal.create();
    Path target = dir.resolve("out.jsonl");
    try (StopSignal.Binding bound = stop.bind(); ExampleWriter writer = ExampleWriter.open(target)) {
      writer.write(example(1));
      writer.write(example(2));
      stop.stop();
      assertThrows(StoppedException.class, () -> writer.write(example(3)));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.toList(), "no target and no temporary file");
    }
  }

  @Test
  void searchStopsBetweenQueryBlocks() {
    float[][] docs = new float[50][4];
    for (int i = 0; i < docs.length; i++) {
      docs[i][i % 4] = 1;
    }
    VectorIndex index = VectorIndexes.exact(docs, SearchConfig.builder().queryBlock(8).docBlock(16).build());
    StopSignal stop = StopSignal.create();
    List<Long> done = new ArrayList<>();
    try (StopSignal.Binding bound = stop.bind()) {
      assertThrows(StoppedException.class, () -> index.search(docs, 5, (d, total) -> {
        done.add(d);
        stop.stop();
      }));
    }
    assertEquals(List.of(8L), done, "one block of 8 queries, then the stop");
  }

  @Test
  void miningStopsAndReturnsNothing() {
    List<TrainingExample> examples = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      examples.add(example(i));
    }
    StopSignal stop = StopSignal.create();
    stop.stop();
    try (StopSignal.Binding bound = stop.bind()) {
      assertThrows(StoppedException.class,
          () -> DataFilters.rankingConsistency(FakeEmbedder.bagOfWords(16), MiningConfig.defaults(), ProgressListener.NONE)
              .filter(examples));
    }
  }

  @Test
  void synthesisStopsStartingRequestsKeepsWholeLinesAndResumes() throws IOException {
    SynthConfig config = SynthConfig.builder().personasLimit(3).tasksPerPersona(2).examplesPerTask(2)
        .concurrency(2).seed(7).build();
    Path out = dir.resolve("synth.jsonl");
    try (FakeLlmServer server = FakeLlmServer.start(c -> FakeLlmServer.Reply.content(FakeLlmServer.modelReply(c))
        .withDelay(20))) {
      LlmConfig llmConfig = LlmConfig.builder().endpoint(server.endpoint()).model("fake").requestTimeout(Duration.ofSeconds(5))
          .maxInFlight(2).build();
      StopSignal stop = StopSignal.create();
      try (LlmClient llm = LlmClients.openAiCompatible(llmConfig); StopSignal.Binding bound = stop.bind()) {
        StoppedException e = assertThrows(StoppedException.class,
            () -> Synthesizer.create(llm, config).run(Personas.builtIn(), out, (done, total) -> {
              if (done >= 4) {
                stop.stop();
              }
            }));
        assertTrue(e.getMessage().contains("rerun with the same arguments"), e.getMessage());
      }
      List<String> partial = Files.readAllLines(out);
      assertTrue(partial.size() >= 4 && partial.size() < 24, "lines at the stop: " + partial.size());
      try (LlmClient llm = LlmClients.openAiCompatible(llmConfig)) {
        SynthReport rest = Synthesizer.create(llm, config).run(Personas.builtIn(), out, ProgressListener.NONE);
        assertEquals(partial.size(), rest.examplesResumed());
        assertTrue(rest.complete());
      }
      List<String> all = Files.readAllLines(out);
      assertEquals(all.size(), new HashSet<>(all).size(), "no example twice");
      assertFalse(all.isEmpty());
    }
  }
}
