/** Domain records shared by every layer: sessions, events, request records and token usage. */
package io.kimi.core;
