/** Streaming JSON Lines reading whose errors name the file, line and field. */
@NullMarked
package dev.kalm.core.jsonl;

import org.jspecify.annotations.NullMarked;
