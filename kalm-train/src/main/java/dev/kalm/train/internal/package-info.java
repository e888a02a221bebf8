/** Internal, not an API: the InfoNCE loss, the AdamW optimizer and the contrastive training step on DJL arrays. */
@NullMarked
package dev.kalm.train.internal;

import org.jspecify.annotations.NullMarked;
