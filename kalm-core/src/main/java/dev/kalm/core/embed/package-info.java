/** Text embedding: the {@link dev.kalm.core.embed.Embedder} interface, its configuration, pooling and prompts. */
@NullMarked
package dev.kalm.core.embed;

import org.jspecify.annotations.NullMarked;
