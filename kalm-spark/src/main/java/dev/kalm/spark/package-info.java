/**
 * kalm on Apache Spark: {@link dev.kalm.spark.KalmEmbedder} (a Spark ML transformer that embeds a text column),
 * {@link dev.kalm.spark.ExactTopK} (exact top-k search), {@link dev.kalm.spark.RankingConsistencyMiner}
 * (ranking-consistency filtering and hard-negative mining), {@link dev.kalm.spark.JsonLinesInput} and
 * {@link dev.kalm.spark.ModelSource}. Each gives the same result as kalm's single-machine API on the same input.
 * Spark itself is a provided dependency.
 */
@NullMarked
package dev.kalm.spark;

import org.jspecify.annotations.NullMarked;
