/** Model folders (Hugging Face and sentence-transformers layout) and what they say: shape, attention, pooling, prompts; reading, writing and random initialisation. */
@NullMarked
package dev.kalm.core.model;

import org.jspecify.annotations.NullMarked;
