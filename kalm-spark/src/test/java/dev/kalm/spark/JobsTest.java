package dev.kalm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.testing.TestModels;
import dev.kalm.data.example.ExampleJson;
import dev.kalm.data.example.ExampleReader;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import dev.kalm.data.filter.DataFilter;
import dev.kalm.data.filter.DataFilters;
import dev.kalm.data.filter.FilterTally;
import dev.kalm.data.filter.MiningConfig;
import dev.kalm.data.filter.PoolScope;
import dev.kalm.data.search.SearchConfig;
import dev.kalm.spark.jobs.EmbedJob;
import dev.kalm.spark.jobs.MineJob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit jobs, run in the test JVM's local session. */
class JobsTest {
  @TempDir Path dir;

  @BeforeAll
  static void session() {
    SparkTests.spark(); // the jobs find and use the running session, as under spark-submit
  }

  /** The part files of a Spark output folder, concatenated in part order. */
  static List<String> partLines(Path folder) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path part : files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
        out.addAll(Files.readAllLines(part));
      }
    }
    return out;
  }

  @Test
  void embedJobWritesKalmEmbedLinesInInputOrder() throws IOException {
    List<String> texts = KalmEmbedderTest.texts(16);
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < texts.size(); i++) {
      in.append("{\"text\":\"").append(texts.get(i)).append("\",\"n\":").append(i).append(",\"tag\":\"<b>\"}\n");
      if (i == 10) {
        in.append("\n"); // blank lines are skipped, as kalm embed skips them
      }
    }
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, in, StandardCharsets.UTF_8);
    Path output = dir.resolve("out");
    assertEquals(0, EmbedJob.run("--model", TestModels.micro().toString(), "--input", input.toString(), "--output",
        output.toString(), "--dim", "16", "--instruction", "find", "--partitions", "3", "--device", "cpu"));

    List<String> lines = partLines(output);
    assertEquals(texts.size(), lines.size());
    float[][] expected;
    try (Embedder embedder = Embedders.load(TestModels.micro(),
        EmbedderConfig.builder().dimension(16).device(DeviceChoice.CPU).build())) {
      expected = embedder.embed(texts, Prompt.instruction("find"));
    }
    for (int i = 0; i < lines.size(); i++) {
      JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
      assertEquals(List.of("embedding", "n", "tag"), List.copyOf(o.keySet()), "kalm embed's field order");
      assertEquals(i, o.get("n").getAsInt(), "input order");
      assertEquals("<b>", o.get("tag").getAsString());
      JsonArray v = o.getAsJsonArray("embedding");
      for (int j = 0; j < 16; j++) {
        assertEquals(expected[i][j], v.get(j).getAsFloat(), 1e-6);
      }
    }
  }

  @Test
  void embedJobAddsAnEmbeddingColumnToParquet() {
    SparkSession spark = SparkTests.spark();
    List<Row> rows = new ArrayList<>();
    List<String> texts = KalmEmbedderTest.texts(12);
    for (int i = 0; i < texts.size(); i++) {
      rows.add(RowFactory.create((long) i, texts.get(i)));
    }
    String input = dir.resolve("corpus.parquet").toString();
    spark.createDataFrame(rows, new StructType().add("doc_id", DataTypes.LongType).add("body", DataTypes.StringType))
        .write().parquet(input);
    String output = dir.resolve("vectors.parquet").toString();
    assertEquals(0, EmbedJob.run("--model", TestModels.micro().toString(), "--input", input, "--output", output,
        "--text-col", "body", "--dim", "8", "--device", "cpu"));
    List<Row> out = spark.read().parquet(output).orderBy("doc_id").collectAsList();
    assertEquals(texts.size(), out.size());
    for (int i = 0; i < out.size(); i++) {
      assertEquals(texts.get(i), out.get(i).getString(1));
      assertEquals(8, out.get(i).getList(2).size());
    }
  }

  @Test
  void badLineFailsTheJobNamingFileLineAndField() throws IOException {
    Path input = dir.resolve("bad.jsonl");
    Files.writeString(input, "{\"text\":\"a\"}\n\n{\"txt\":\"b\"}\n", StandardCharsets.UTF_8);
    String err = stderrOf(() -> assertNotEquals(0, EmbedJob.run("--model", TestModels.micro().toString(), "--input",
        input.toString(), "--output", dir.resolve("never").toString(), "--device", "cpu")));
    assertTrue(err.contains("bad.jsonl:3") && err.contains("text"), err);
    assertTrue(!Files.exists(dir.resolve("never").resolve("_SUCCESS")));
  }

  @Test
  void mineJobEqualsKalmMineWithPerFilePools() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("data"));
    List<TrainingExample> all = RankingConsistencyMinerTest.examples(40, 9); // 37 repeats an earlier example
    TrainingExamples.write(folder.resolve("a-faq.jsonl"), all.subList(0, 24));
    TrainingExamples.write(folder.resolve("b-man.jsonl"), all.subList(24, 40));
    MiningConfig config = MiningConfig.builder().filterTopK(8).range(3, 15).negatives(3).seed(3).build();

    // What kalm mine does for a folder: the chain once per file, one tally.
    List<String> expected = new ArrayList<>();
    FilterTally tally = new FilterTally("chain");
    try (Embedder teacher = Embedders.load(TestModels.micro(),
        EmbedderConfig.builder().maxLength(48).batchTokens(1).device(DeviceChoice.CPU).build())) {
      DataFilter chain = DataFilters.chain(DataFilters.dedupDocuments(), DataFilters.dedupExamples(),
          DataFilters.rankingConsistency(teacher, config.toBuilder().search(SearchConfig.deterministic()).build()));
      try (Stream<TrainingExample> out = DataFilters.apply(chain, ExampleReader.strict(), folder, PoolScope.PER_FILE, tally)) {
        out.forEach(e -> expected.add(ExampleJson.toLine(e)));
      }
    }
    assertTrue(!expected.isEmpty() && tally.report().dropped().getOrDefault(DataFilters.INCONSISTENT_RANKING, 0L) > 0,
        "the data must keep some examples and drop some: " + tally.report().summary());
    Path output = dir.resolve("mined");
    Path report = dir.resolve("report.json");
    assertEquals(0, MineJob.run("--model", TestModels.micro().toString(), "--data", folder.toString(), "--output",
        output.toString(), "--filter-topk", "8", "--range", "3-15", "--negatives", "3", "--seed", "3",
        "--max-length", "48", "--batch-tokens", "1", "--device", "cpu", "--report", report.toString()));
    List<String> got = partLines(output);
    System.out.printf("MineJob (per-file pools) vs kalm mine: %d and %d kept, %d identical lines%n", got.size(),
        expected.size(), RankingConsistencyMinerTest.countSame(expected, got));
    assertEquals(expected, got);
    JsonObject json = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
    JsonObject filters = json.getAsJsonObject("filters");
    assertEquals(tally.report().kept(), filters.get("kept").getAsLong());
    assertEquals(tally.report().dropped().get(DataFilters.INCONSISTENT_RANKING),
        filters.getAsJsonObject("dropped").get(DataFilters.INCONSISTENT_RANKING).getAsLong());
    JsonObject ranking = filters.getAsJsonArray("parts").get(2).getAsJsonObject().getAsJsonObject("metrics");
    assertEquals(2, ranking.get("pools").getAsInt());
    assertEquals(tally.report().parts().get(2).metrics().get("negatives_mined"), ranking.get("negatives_mined").getAsDouble());
    // The report file's exact text, timings masked.
    String text = Files.readString(report, StandardCharsets.UTF_8).replace(dir.toString(), "DIR")
        .replace(TestModels.micro().toString(), "MODEL").replaceAll("(\"[a-z_]*seconds?\": )[-0-9.E]+", "$1T");
    assertEquals("""
        {
          "input": {
            "path": "DIR/data",
            "examples": 40
          },
          "filters": {
            "name": "chain",
            "in": 40,
            "kept": 10,
            "dropped": {
              "inconsistent-ranking": 30
            },
            "metrics": {},
            "parts": [
              {
                "name": "dedup-documents",
                "in": 40,
                "kept": 40,
                "dropped": {},
                "metrics": {
                  "positives_removed": 4.0,
                  "negatives_removed": 4.0
                }
              },
              {
                "name": "dedup-examples",
                "in": 40,
                "kept": 40,
                "dropped": {},
                "metrics": {}
              },
              {
                "name": "ranking-consistency+mining",
                "in": 40,
                "kept": 10,
                "dropped": {
                  "inconsistent-ranking": 30
                },
                "metrics": {
                  "pools": 2.0,
                  "pool_size": 62.0,
                  "queries": 40.0,
                  "embedded_texts": 102.0,
                  "embed_seconds": T,
                  "search_seconds": T,
                  "search_scores": 1296.0,
                  "search_scores_per_second": T,
                  "negatives_existing": 2.0,
                  "negatives_mined": 28.0,
                  "negatives_padded": 0.0
                }
              }
            ]
          },
          "output": {
            "path": "DIR/mined",
            "examples": 10
          },
          "timing": {
            "total_seconds": T,
            "embed_seconds": T,
            "search_seconds": T,
            "search_scores_per_second": T
          },
          "config": {
            "model": "MODEL",
            "filter": true,
            "mine": true,
            "filter_topk": 8,
            "range_min": 3,
            "range_max": 15,
            "negatives": 3,
            "pool": "per-file",
            "search_kernel": "java",
            "existing_negatives": "keep-first",
            "query_prompt": "",
            "seed": 3,
            "dedup": true,
            "spark_master": "local[2]"
          }
        }
        """, text);

    // Parquet with the same fields.
    String parquet = dir.resolve("mined.parquet").toString();
    assertEquals(0, MineJob.run("--model", TestModels.micro().toString(), "--data", folder.toString(), "--output",
        parquet, "--filter-topk", "8", "--range", "3-15", "--negatives", "3", "--seed", "3", "--max-length", "48",
        "--batch-tokens", "1", "--device", "cpu", "--format", "parquet"));
    List<Row> rows = SparkTests.spark().read().parquet(parquet).collectAsList();
    assertEquals(expected.size(), rows.size());
    List<String> fromParquet = new ArrayList<>();
    rows.forEach(r -> fromParquet.add(r.getString(r.fieldIndex("query")) + "|" + r.getList(r.fieldIndex("neg"))));
    List<String> fromKalm = new ArrayList<>();
    expected.forEach(line -> {
      TrainingExample e = RankingConsistencyMiner.parse(line);
      fromKalm.add(e.query() + "|" + e.negatives());
    });
    assertEquals(new java.util.HashSet<>(fromKalm), new java.util.HashSet<>(fromParquet));
  }

  static String stderrOf(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
