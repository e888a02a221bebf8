/** Retrieval data sets in BEIR layout (corpus, queries, qrels). */
@NullMarked
package dev.kalm.data.beir;

import org.jspecify.annotations.NullMarked;
