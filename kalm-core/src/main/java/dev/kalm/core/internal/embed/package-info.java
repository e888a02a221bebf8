/** Internal, not an API: token batches and pooling on DJL arrays, shared by the embedder and the trainer. */
@NullMarked
package dev.kalm.core.internal.embed;

import org.jspecify.annotations.NullMarked;
