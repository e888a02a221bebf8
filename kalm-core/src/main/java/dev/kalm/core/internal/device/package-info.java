/** Internal, not an API: the DJL devices and array managers behind a {@link dev.kalm.core.device.Backend}. */
@NullMarked
package dev.kalm.core.internal.device;

import org.jspecify.annotations.NullMarked;
