/** Device choice (CPU, GPU) and the backends that place a model's arrays on it. */
@NullMarked
package dev.kalm.core.device;

import org.jspecify.annotations.NullMarked;
