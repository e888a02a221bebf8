/** The {@code kalm} command line: one sub-command per task (init, embed, search, mine, synth, train, eval, ...). */
@NullMarked
package dev.kalm.examples.cli;

import org.jspecify.annotations.NullMarked;
