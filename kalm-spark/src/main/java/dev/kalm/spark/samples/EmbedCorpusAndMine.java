package dev.kalm.spark.samples;

import dev.kalm.data.filter.MiningConfig;
import dev.kalm.data.filter.PoolScope;
import dev.kalm.spark.KalmEmbedder;
import dev.kalm.spark.ModelSource;
import dev.kalm.spark.RankingConsistencyMiner;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The complete example of docs/spark.md: a small Spark job that embeds a Parquet corpus with a kalm model
 * and mines a training file with the same model as teacher.
 *
 * <pre>
 * spark-submit --class dev.kalm.spark.samples.EmbedCorpusAndMine [--master/--jars/--conf ...] kalm-spark_2.13.jar \
 *     MODEL_DIR CORPUS.parquet TRAIN.jsonl|TRAIN_DIR OUT_DIR
 * </pre>
 */
public final class EmbedCorpusAndMine {
  private EmbedCorpusAndMine() {}

  /**
   * Arguments: a local model folder (shipped to the executors), a Parquet corpus with a {@code text}
   * column, training JSON Lines (file or folder), the output folder.
   */
  public static void main(String[] args) {
    if (args.length != 4) {
      System.err.println("usage: EmbedCorpusAndMine MODEL_DIR CORPUS.parquet TRAIN.jsonl|DIR OUT_DIR");
      System.exit(2);
    }
    String modelDir = args[0];
    String corpus = args[1];
    String train = args[2];
    String out = args[3];

    SparkSession spark = SparkSession.builder().appName("kalm: embed and mine").getOrCreate();
    String model = ModelSource.ship(spark, Path.of(modelDir));          // addFile(dir, true) -> "spark-files:<name>"
    KalmEmbedder embedder = new KalmEmbedder().setModelPath(model).setDimension(256);

    // 1. A Parquet corpus with a "text" column: every column kept, "embedding" (array<float>) added.
    embedder.transform(spark.read().parquet(corpus)).write().parquet(out + "/corpus-embeddings.parquet");

    // 2. Training JSON Lines, one pool per file as kalm mine does; KaLM's defaults (top-50 check,
    //    7 negatives sampled from ranks 50..100).
    Dataset<Row> examples = RankingConsistencyMiner.readExamples(spark, train, PoolScope.PER_FILE);
    RankingConsistencyMiner.Result mined = RankingConsistencyMiner.create(embedder, MiningConfig.defaults()).mine(examples);
    mined.kept().orderBy("order").select("example").write().text(out + "/mined");
    System.out.print(mined.report().summary());                        // kept / dropped by reason, as kalm mine prints
    spark.stop();
  }
}
