/** Progress reporting of long work (embedding, mining, evaluation). */
@NullMarked
package dev.kalm.core.progress;

import org.jspecify.annotations.NullMarked;
