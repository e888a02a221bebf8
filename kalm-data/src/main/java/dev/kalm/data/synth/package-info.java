/** Persona-guided synthesis of training examples with a large language model. */
@NullMarked
package dev.kalm.data.synth;

import org.jspecify.annotations.NullMarked;
