/** Hugging Face tokenizers, including the bundled Qwen2 tokenizer. */
@NullMarked
package dev.kalm.core.tokenize;

import org.jspecify.annotations.NullMarked;
