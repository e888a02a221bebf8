/** Facts about the machine that benchmarks report beside their figures. */
@NullMarked
package dev.kalm.examples.bench;

import org.jspecify.annotations.NullMarked;
