/** Token counting with jtokkit, memoised per message, following OpenAI's chat counting rules. */
package io.kimi.core.tokens;
