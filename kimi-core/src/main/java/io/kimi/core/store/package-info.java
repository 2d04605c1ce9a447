/** The storage API: sessions, request records and events; writes are queued and batched off the caller's thread. */
package io.kimi.core.store;
