/** The sanitizer: masks verbose tool, console and file output behind placeholders that name the stored original by hash. */
package io.kimi.features.sanitizer;
