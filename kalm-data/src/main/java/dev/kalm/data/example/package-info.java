/** Training examples (query, positives, negatives) and their JSON Lines reading and writing. */
@NullMarked
package dev.kalm.data.example;

import org.jspecify.annotations.NullMarked;
