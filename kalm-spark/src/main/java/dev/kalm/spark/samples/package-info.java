/**
 * A runnable sample of the Spark API: {@code EmbedCorpusAndMine} embeds a Parquet corpus with a kalm model and
 * mines a training file with the same model as teacher (the complete example of docs/spark.md).
 */
@NullMarked
package dev.kalm.spark.samples;

import org.jspecify.annotations.NullMarked;
