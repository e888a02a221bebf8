/** A client for OpenAI-compatible chat completion servers, with retries, rate limits and statistics. */
@NullMarked
package dev.kalm.data.synth.llm;

import org.jspecify.annotations.NullMarked;
