/** Internal, not an API: the Qwen2/Qwen3 transformer on DJL arrays and gradient-mode helpers, used by kalm's own modules only. */
@NullMarked
package dev.kalm.core.internal.model;

import org.jspecify.annotations.NullMarked;
