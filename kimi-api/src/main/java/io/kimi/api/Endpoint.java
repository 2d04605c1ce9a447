package io.kimi.api;

/** One REST route's logic. Runs on the blocking pool, never on an event loop; may read the store. */
@FunctionalInterface
interface Endpoint {
    ApiResponse handle(ApiRequest request) throws Exception;
}
