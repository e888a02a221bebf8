/** Cooperative stopping of long work (training, embedding, mining, synthesis) on a signal or a request. */
@NullMarked
package dev.kalm.core.stop;

import org.jspecify.annotations.NullMarked;
