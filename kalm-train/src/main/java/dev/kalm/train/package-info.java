/** Contrastive training of embedding models: trainers, their configuration, listeners and results. */
@NullMarked
package dev.kalm.train;

import org.jspecify.annotations.NullMarked;
