package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import dev.kalm.data.testing.FakeEmbedder;
import dev.kalm.data.testing.FakeLlmServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The exact text of the {@code --report} files of {@code kalm mine} and {@code kalm synth}: field order,
 * indentation, number forms, escaping, left-out fields. Only the timings differ from run to run; they are
 * replaced by {@code T} before the comparison, and the temporary folder by {@code DIR}.
 */
class ReportFilesTest {
  @TempDir Path dir;

  @Test
  void mineReportText() throws IOException {
    List<TrainingExample> examples = new ArrayList<>();
    for (String t : List.of("copy files", "list directory", "compress archive", "network socket", "print text",
        "change owner", "kill process", "mount disk")) {
      examples.add(TrainingExample.builder().query(t + " on the command line").positive(t + " with the command line tool")
          .task("man").build());
    }
    examples.add(examples.get(0)); // exact duplicate
    examples.add(TrainingExample.builder().query("copy files on the command line").positive("nice weather today").build());
    Path data = dir.resolve("in=<1>.jsonl"); // characters an HTML-safe writer would escape
    TrainingExamples.write(data, examples);
    Files.writeString(data, Files.readString(data) + "{\"query\": 1}\n", StandardCharsets.UTF_8);
    Path out = dir.resolve("mined.jsonl");
    Path report = dir.resolve("report.json");
    MineCommand command = new MineCommand();
    new CommandLine(command).parseArgs("--model", "teacher&co", "--data", data.toString(), "--output", out.toString(),
        "--filter-topk", "2", "--range", "1-6", "--negatives", "3", "--device", "cpu", "--lenient",
        "--search-kernel", "java", "--query-instruction", "Find 'it'", "--report", report.toString());
    assertEquals(0, command.mine(FakeEmbedder.bagOfWords(256), command.miningConfig()));
    assertEquals("""
        {
          "input": {
            "path": "DIR/in=<1>.jsonl",
            "lines": 11,
            "examples": 10,
            "skipped": {
              "wrong-type": 1
            },
            "first_errors": [
              "DIR/in=<1>.jsonl:11: field 'query': must be a string, got a number"
            ]
          },
          "filters": {
            "name": "chain",
            "in": 10,
            "kept": 8,
            "dropped": {
              "duplicate-example": 1,
              "inconsistent-ranking": 1
            },
            "metrics": {},
            "parts": [
              {
                "name": "dedup-documents",
                "in": 10,
                "kept": 10,
                "dropped": {},
                "metrics": {}
              },
              {
                "name": "dedup-examples",
                "in": 10,
                "kept": 9,
                "dropped": {
                  "duplicate-example": 1
                },
                "metrics": {}
              },
              {
                "name": "ranking-consistency+mining",
                "in": 9,
                "kept": 8,
                "dropped": {
                  "inconsistent-ranking": 1
                },
                "metrics": {
                  "pools": 1.0,
                  "pool_size": 9.0,
                  "queries": 8.0,
                  "embedded_texts": 17.0,
                  "embed_seconds": T,
                  "embed_tokens": 139.0,
                  "embed_tokens_per_second": T,
                  "search_seconds": T,
                  "search_scores": 72.0,
                  "search_scores_per_second": T,
                  "negatives_existing": 0.0,
                  "negatives_mined": 24.0,
                  "negatives_padded": 0.0
                }
              }
            ]
          },
          "output": {
            "path": "DIR/mined.jsonl",
            "examples": 8
          },
          "timing": {
            "total_seconds": T,
            "embed_seconds": T,
            "embed_tokens": 139,
            "embed_tokens_per_second": T,
            "search_seconds": T,
            "search_scores_per_second": T
          },
          "config": {
            "model": "teacher&co",
            "filter": true,
            "mine": true,
            "filter_topk": 2,
            "range_min": 1,
            "range_max": 6,
            "negatives": 3,
            "pool": "per-file",
            "search_kernel": "java",
            "existing_negatives": "keep-first",
            "query_prompt": "Instruct: Find 'it' \\n Query: ",
            "seed": 42,
            "dedup": true
          }
        }
        """, masked(report));
  }

  @Test
  void synthReportText() throws IOException {
    Path personas = dir.resolve("personas.jsonl");
    Files.writeString(personas, "{\"persona\": \"A beekeeper in Wales.\"}\n");
    Path out = dir.resolve("out='synth'.jsonl");
    Path report = dir.resolve("report.json");
    try (FakeLlmServer server = FakeLlmServer.model()) {
      assertEquals(0, KalmCli.run("synth", "--endpoint", server.endpoint().toString(), "--model", "fake", "--output",
          out.toString(), "--personas", personas.toString(), "--task-types", "sts", "--tasks-per-persona", "1",
          "--examples-per-task", "2", "--personas-limit", "1", "--concurrency", "1", "--timeout-s", "5", "--seed", "3",
          "--report", report.toString()));
    }
    assertEquals("""
        {
          "output": "DIR/out\\u003d\\u0027synth\\u0027.jsonl",
          "personas_used": 1,
          "examples_planned": 2,
          "examples_resumed": 0,
          "examples_written": 2,
          "examples_skipped": 0,
          "invalid_replies": 0,
          "duplicates": 0,
          "instruction_sets_generated": 1,
          "instruction_sets_reused": 0,
          "llm": {
            "calls": 3,
            "requests": 3,
            "retries": 0,
            "timeouts": 0,
            "connection_errors": 0,
            "rate_limited": 0,
            "server_errors": 0,
            "failures": 0,
            "json_mode_fallbacks": 0
          },
          "elapsed_s": T,
          "requests_per_s": T,
          "complete": true,
          "cancelled": false
        }
        """, masked(report));
  }

  /** The file's text with every number of a time field replaced by T and the temporary folder by DIR. */
  private String masked(Path report) throws IOException {
    String text = Files.readString(report, StandardCharsets.UTF_8);
    return text.replace(dir.toString(), "DIR")
        .replaceAll("(\"[a-z_]*(seconds|second|_s)\": )[-0-9.E]+", "$1T");
  }
}
