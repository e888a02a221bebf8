/** Learning-rate schedules of training. */
@NullMarked
package dev.kalm.train.optim;

import org.jspecify.annotations.NullMarked;
