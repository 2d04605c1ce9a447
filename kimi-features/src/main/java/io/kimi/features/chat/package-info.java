/** The in-process chat model the features call (the compaction summariser), implemented by the server. */
package io.kimi.features.chat;
