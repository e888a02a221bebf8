/**
 * Internal, not an API: token batches and pooling on DJL arrays, shared by the embedder and the trainer, and the
 * Qwen2 {@code Embedder} implementation ({@code Embedders.load} for programs, {@code Qwen2Embedder.wrap} for the
 * trainer's model).
 */
@NullMarked
package dev.kalm.core.internal.embed;

import org.jspecify.annotations.NullMarked;
