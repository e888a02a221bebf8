package dev.kalm.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.data.example.ExampleReader;
import dev.kalm.data.example.Texts;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import dev.kalm.data.testing.FakeEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mining a folder with per-file pools (KaLM's scripts) or one shared pool, against a brute-force reference. */
class PerFilePoolsTest {
  private static final FakeEmbedder TEACHER = FakeEmbedder.bagOfWords(64);
  @TempDir Path dir;

  private static final String[] WORDS = {"copy", "list", "file", "disk", "mount", "sort", "line", "text", "net",
      "sock", "kill", "proc", "user", "date", "time", "zip"};

  private static String sentence(Random random, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  private static List<TrainingExample> randomFile(Random random, int n, String task) {
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TrainingExample.Builder b = TrainingExample.builder().query(sentence(random, 3)).positive(sentence(random, 4))
          .task(task);
      for (int j = random.nextInt(3); j > 0; j--) {
        b.negative(sentence(random, 4));
      }
      out.add(b.build());
    }
    return out;
  }

  /** Per file: the kept queries, and every negative from the file's own pool, checked by brute force. */
  @Property(tries = 15)
  void perFileMatchesABruteForceReferencePerFile(
      @ForAll @IntRange(min = 1, max = 3) int files,
      @ForAll @IntRange(max = 6) int filterTopK,
      @ForAll long seed) throws Exception {
    Random random = new Random(seed);
    Path folder = java.nio.file.Files.createTempDirectory("kalm-pools"); // jqwik has no @TempDir
    try {
      checkAgainstReference(folder, random, files, filterTopK, seed);
    } finally {
      try (Stream<Path> paths = java.nio.file.Files.list(folder)) {
        for (Path p : paths.toList()) {
          java.nio.file.Files.delete(p);
        }
      }
      java.nio.file.Files.delete(folder);
    }
  }

  private void checkAgainstReference(Path folder, Random random, int files, int filterTopK, long seed) {
    List<List<TrainingExample>> perFile = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      List<TrainingExample> examples = randomFile(random, 2 + random.nextInt(12), "t" + f);
      TrainingExamples.write(folder.resolve("t" + f + ".jsonl"), examples);
      perFile.add(examples);
    }
    MiningConfig config = MiningConfig.builder().filterTopK(filterTopK).range(1, 8).negatives(3).seed(seed).build();
    List<TrainingExample> got = run(folder, config, PoolScope.PER_FILE);

    List<String> expectedQueries = new ArrayList<>();
    List<Set<String>> poolOfKept = new ArrayList<>();
    for (List<TrainingExample> file : perFile) {
      List<String> pool = pool(file);
      for (TrainingExample e : file) {
        float[] q = TEACHER.vector(e.query());
        List<Float> sorted = pool.stream().map(t -> dot(q, TEACHER.vector(t))).sorted(Comparator.reverseOrder()).toList();
        float best = (float) e.positives().stream().mapToDouble(p -> dot(q, TEACHER.vector(p))).max().orElseThrow();
        if (sorted.size() <= filterTopK || best >= sorted.get(filterTopK)) {
          expectedQueries.add(e.query());
          poolOfKept.add(new HashSet<>(pool));
        }
      }
    }
    assertEquals(expectedQueries, got.stream().map(TrainingExample::query).toList());
    for (int i = 0; i < got.size(); i++) {
      TrainingExample e = got.get(i);
      for (String negative : e.negatives()) {
        assertTrue(poolOfKept.get(i).contains(negative), "negative '" + negative + "' is not from the example's file");
      }
      Set<String> taken = new HashSet<>();
      taken.add(Texts.normalize(e.query()));
      e.positives().forEach(p -> taken.add(Texts.normalize(p)));
      e.negatives().forEach(n -> assertTrue(taken.add(Texts.normalize(n)), "bad negative " + n));
    }

    // Per file = each file mined alone; shared = the whole folder as one input.
    List<TrainingExample> alone = new ArrayList<>();
    perFile.forEach(file -> alone.addAll(DataFilters.rankingConsistency(TEACHER, config).filter(file).examples()));
    assertEquals(alone, got);
    List<TrainingExample> all = perFile.stream().flatMap(List::stream).toList();
    assertEquals(DataFilters.rankingConsistency(TEACHER, config).filter(all).examples(),
        run(folder, config, PoolScope.SHARED));
  }

  /** A shared pool lets another file's texts outrank a positive: dropped there, kept with its own file's pool. */
  @Test
  void aSharedPoolDropsWhatPerFilePoolsKeep() throws Exception {
    List<TrainingExample> a = List.of(
        example("copy file disk", "copy file", "a"),
        example("sort line text", "sort text", "a"),
        example("kill proc user", "kill proc", "a"));
    List<TrainingExample> b = List.of(
        example("date time zip", "copy file disk copy", "b"),
        example("net sock", "copy file disk zip", "b"),
        example("mount disk", "copy disk file mount", "b"));
    TrainingExamples.write(dir.resolve("a.jsonl"), a);
    TrainingExamples.write(dir.resolve("b.jsonl"), b);
    MiningConfig config = MiningConfig.builder().filterTopK(1).range(0, 6).negatives(2).build();
    List<TrainingExample> perFile = run(dir, config, PoolScope.PER_FILE);
    List<TrainingExample> shared = run(dir, config, PoolScope.SHARED);
    assertTrue(perFile.stream().anyMatch(e -> e.query().equals("copy file disk")));
    assertTrue(shared.stream().noneMatch(e -> e.query().equals("copy file disk")));
    Set<String> poolA = new HashSet<>(pool(a));
    perFile.stream().filter(e -> e.task().equals("a"))
        .forEach(e -> e.negatives().forEach(n -> assertTrue(poolA.contains(n), n)));
    assertNotEquals(perFile.size(), shared.size());

    FilterTally tally = new FilterTally("chain");
    try (Stream<TrainingExample> out = DataFilters.apply(DataFilters.chain(DataFilters.dedupExamples(),
        DataFilters.rankingConsistency(TEACHER, config)), ExampleReader.strict(), dir, PoolScope.PER_FILE, tally)) {
      assertEquals(perFile.size(), out.count());
    }
    FilterReport report = tally.report();
    assertEquals(6, report.in());
    assertEquals(2, report.parts().size(), "one part per filter, not per file");
    FilterReport mining = report.parts().get(1);
    assertEquals(2.0, mining.metrics().get("pools"));
    assertEquals(6.0, mining.metrics().get("pool_size"));
    assertEquals(report.in(), report.kept() + report.droppedTotal());
  }

  /** With a given corpus every file has the same pool: it is embedded once, not once per file. */
  @Test
  void aGivenCorpusIsEmbeddedOnceForAllFiles() throws Exception {
    Random random = new Random(5);
    List<TrainingExample> a = randomFile(random, 6, "a");
    List<TrainingExample> b = randomFile(random, 6, "b");
    TrainingExamples.write(dir.resolve("a.jsonl"), a);
    TrainingExamples.write(dir.resolve("b.jsonl"), b);
    List<String> corpus = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      corpus.add(sentence(random, 5) + " " + i);
    }
    MiningConfig config = MiningConfig.builder().filterTopK(3).range(2, 10).negatives(3).corpus(corpus).build();
    FakeEmbedder counting = FakeEmbedder.bagOfWords(64);
    List<TrainingExample> got;
    try (Stream<TrainingExample> out = DataFilters.apply(DataFilters.rankingConsistency(counting, config),
        ExampleReader.strict(), dir, PoolScope.PER_FILE, new FilterTally("mining"))) {
      got = out.toList();
    }
    long corpusEmbeddings = counting.calls().stream().flatMap(c -> c.texts().stream()).filter(corpus::contains).count();
    assertEquals(corpus.size(), corpusEmbeddings);
    List<TrainingExample> alone = new ArrayList<>();
    alone.addAll(DataFilters.rankingConsistency(TEACHER, config).filter(a).examples());
    alone.addAll(DataFilters.rankingConsistency(TEACHER, config).filter(b).examples());
    assertEquals(alone, got);
  }

  private static List<TrainingExample> run(Path folder, MiningConfig config, PoolScope scope) {
    try (Stream<TrainingExample> out = DataFilters.apply(DataFilters.rankingConsistency(TEACHER, config),
        ExampleReader.strict(), folder, scope, new FilterTally("mining"))) {
      return out.toList();
    }
  }

  private static List<String> pool(List<TrainingExample> file) {
    return new ArrayList<>(new LinkedHashSet<>(file.stream()
        .flatMap(e -> Stream.concat(e.positives().stream(), e.negatives().stream())).toList()));
  }

  private static TrainingExample example(String query, String positive, String task) {
    return TrainingExample.builder().query(query).positive(positive).task(task).build();
  }

  private static float dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return (float) s;
  }
}
