/** Batch samplers that decide which examples train together (random, semi-homogeneous, sequential). */
@NullMarked
package dev.kalm.data.sampler;

import org.jspecify.annotations.NullMarked;
