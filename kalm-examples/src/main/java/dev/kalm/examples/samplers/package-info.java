/** An example of a custom {@link dev.kalm.data.sampler.BatchSampler}. */
@NullMarked
package dev.kalm.examples.samplers;

import org.jspecify.annotations.NullMarked;
