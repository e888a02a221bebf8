/** The InfoNCE contrastive loss, with Matryoshka dimensions. */
@NullMarked
package dev.kalm.train.loss;

import org.jspecify.annotations.NullMarked;
