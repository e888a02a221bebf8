/**
 * The Spark jobs: {@code EmbedJob} and {@code MineJob} take the options of {@code kalm embed} / {@code kalm mine}
 * plus Spark's and write the same output; run them with {@code spark-submit}, or on this machine through
 * {@code SparkCli} ({@code ./kalm spark}).
 */
@NullMarked
package dev.kalm.spark.jobs;

import org.jspecify.annotations.NullMarked;
