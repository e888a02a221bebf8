/** MTEB-style evaluation (retrieval, STS, classification, clustering, reranking, bitext) and the training hook that runs it. */
@NullMarked
package dev.kalm.train.eval;

import org.jspecify.annotations.NullMarked;
