/** One contrastive training step: forward, loss and backward, with GradCache chunking. */
@NullMarked
package dev.kalm.train.step;

import org.jspecify.annotations.NullMarked;
