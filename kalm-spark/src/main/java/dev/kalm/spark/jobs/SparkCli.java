package dev.kalm.spark.jobs;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code ./kalm spark embed|mine ...}: the jobs on this machine ({@code --master local[*]} unless given),
 * with the Spark jars on the class path. On a cluster run the job classes with {@code spark-submit}.
 */
@Command(name = "kalm spark", mixinStandardHelpOptions = true, versionProvider = SparkCli.Version.class,
    subcommands = {EmbedJob.class, MineJob.class},
    description = {"Run kalm's Spark jobs locally: embed | mine (the options of kalm embed / kalm mine, plus Spark's).",
        "On a cluster: spark-submit --class dev.kalm.spark.jobs.EmbedJob | MineJob (see docs/spark.md)."})
public final class SparkCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Entry point of {@code ./kalm spark}. */
  public static void main(String[] args) {
    if (System.getProperty("spark.master") == null) {
      System.setProperty("spark.master", "local[*]");
    }
    System.exit(new CommandLine(new SparkCli()).execute(args));
  }

  /** {@code --version}: kalm's and Spark's versions. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kalm-spark " + dev.kalm.core.Versions.KALM + ", Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()};
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a job: embed or mine");
  }
}
