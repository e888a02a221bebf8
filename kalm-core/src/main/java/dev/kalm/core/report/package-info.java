/**
 * Run reports: {@link dev.kalm.core.report.Report}, ordered fields that nest other reports, written as JSON
 * (the {@code --report} files of the command line and the Spark jobs).
 */
@NullMarked
package dev.kalm.core.report;

import org.jspecify.annotations.NullMarked;
