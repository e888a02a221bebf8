/** Model folders (Hugging Face and sentence-transformers layout) and what they say: shape, attention, pooling, prompts; reading, writing and random initialisation with the bundled Qwen2 tokenizer. */
@NullMarked
package dev.kalm.core.model;

import org.jspecify.annotations.NullMarked;
