/** Small runnable programs showing the library API: embed and search, fine-tune, evaluate, synthesize. */
@NullMarked
package dev.kalm.examples.samples;

import org.jspecify.annotations.NullMarked;
