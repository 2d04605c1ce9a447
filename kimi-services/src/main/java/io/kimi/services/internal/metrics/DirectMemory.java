package io.kimi.services.internal.metrics;

/**
 * The process's direct (off-heap) memory at one moment.
 *
 * @param usedBytes reserved for direct buffers: the JVM's direct buffer pool (Netty's pooled chunks included),
 *     plus what Netty allocated outside the JVM's count when it does
 * @param maxBytes the most that may be reserved ({@code -XX:MaxDirectMemorySize}; by default the heap's
 *     maximum); allocation past it stalls, then fails
 * @param nettyAllocatorBytes the part held by Netty's buffer allocator (in use or pooled for reuse), or -1 when
 *     the allocator does not say
 */
public record DirectMemory(long usedBytes, long maxBytes, long nettyAllocatorBytes) {
}
