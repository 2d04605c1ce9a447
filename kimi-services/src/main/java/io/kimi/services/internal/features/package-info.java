/** The services side of the context features: their events, memory figures, automatic compaction and log findings. */
package io.kimi.services.internal.features;
