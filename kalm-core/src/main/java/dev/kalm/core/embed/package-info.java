/** Text embedding: the {@link dev.kalm.core.embed.Embedder} interface, its factory and its configuration. */
@NullMarked
package dev.kalm.core.embed;

import org.jspecify.annotations.NullMarked;
