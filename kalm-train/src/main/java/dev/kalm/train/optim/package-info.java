/** The AdamW optimizer and learning-rate schedules. */
@NullMarked
package dev.kalm.train.optim;

import org.jspecify.annotations.NullMarked;
