/** Hugging Face {@code tokenizer.json} tokenizers. */
@NullMarked
package dev.kalm.core.tokenize;

import org.jspecify.annotations.NullMarked;
