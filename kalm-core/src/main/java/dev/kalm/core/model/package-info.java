/** Model folders (Hugging Face and sentence-transformers layout): reading, writing, random initialisation and the Qwen2/Qwen3 transformer. */
@NullMarked
package dev.kalm.core.model;

import org.jspecify.annotations.NullMarked;
