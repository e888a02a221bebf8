/** The offline KaLM pipeline demo on manual pages, from a fresh model to a results table. */
@NullMarked
package dev.kalm.examples.demo;

import org.jspecify.annotations.NullMarked;
