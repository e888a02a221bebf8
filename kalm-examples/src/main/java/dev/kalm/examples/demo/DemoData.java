package dev.kalm.examples.demo;

import com.google.common.collect.ImmutableList;
import dev.kalm.data.beir.BeirDataset;
import dev.kalm.data.example.ExampleReader;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import dev.kalm.examples.man.ManPages;
import dev.kalm.examples.man.ManScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The demo's data: training examples and two retrieval sets in BEIR form, the held-out test split and a
 * probe of the training split. Each retrieval set's corpus is the positives of its examples.
 *
 * @param source where the examples came from, for the report
 */
record DemoData(String source, ImmutableList<TrainingExample> train, BeirDataset test, BeirDataset trainProbe) {
  private static final int PROBE = 300;

  /**
   * Reads the machine's manual pages (MANPATH, else the standard folders), or {@code config.data()} when set,
   * and splits by example (one example per page) with the seed.
   *
   * @throws IllegalStateException when there are no manual pages and no {@code --data}, saying what to do
   */
  static DemoData load(DemoConfig config) {
    List<TrainingExample> all;
    String source;
    if (config.data() != null) {
      Path data = config.data();
      if (Files.isDirectory(data) && Files.isRegularFile(data.resolve("corpus.jsonl"))) {
        all = TrainingExamples.fromBeir(BeirDataset.load(data, "test"), "section", "beir");
        source = "BEIR folder " + data;
      } else {
        all = ExampleReader.strict().readAll(data);
        source = "training examples " + data;
      }
    } else {
      List<Path> roots = ManPages.roots(System.getenv("MANPATH"));
      ManScan scan = ManPages.read(roots);
      all = ManPages.toExamples(scan.pages(), ManPages.DEFAULT_MIN_WORDS);
      if (all.size() < 20) {
        throw new IllegalStateException("found only " + all.size() + " usable manual pages under " + roots
            + "; install some (apt-get install man-db manpages) or pass --data with a BEIR folder or training JSON Lines");
      }
      source = "manual pages under " + roots + " (" + scan.pages().size() + " pages read)";
    }
    List<TrainingExample> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(config.seed()));
    List<TrainingExample> used = shuffled.subList(0, Math.min(shuffled.size(), config.maxPages()));
    int testSize = Math.max(2, (int) Math.round(used.size() * config.testFraction()));
    List<TrainingExample> test = used.subList(0, testSize);
    List<TrainingExample> train = used.subList(testSize, used.size());
    return new DemoData(source + ", " + used.size() + " examples used", ImmutableList.copyOf(train),
        TrainingExamples.toRetrievalSet("test", test), TrainingExamples.toRetrievalSet("train-probe", train.subList(0, Math.min(PROBE, train.size()))));
  }
}
