package dev.kalm.spark;

import org.apache.spark.sql.SparkSession;

/** The one local Spark session of a test JVM: 2 threads, no UI, few shuffle partitions, loopback only. */
final class SparkTests {
  private static SparkSession session;

  private SparkTests() {}

  static synchronized SparkSession spark() {
    if (session == null) {
      session = SparkSession.builder()
          .master("local[2]")
          .appName("kalm-spark-tests")
          .config("spark.ui.enabled", false)
          .config("spark.sql.shuffle.partitions", 4)
          .config("spark.default.parallelism", 2)
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.sql.adaptive.enabled", false)
          // Tiny data, many short queries: compiling each plan to Java costs more than running it interpreted.
          .config("spark.sql.codegen.wholeStage", false)
          .getOrCreate();
    }
    return session;
  }
}
