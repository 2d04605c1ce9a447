package io.kimi.services.internal.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Reads the process's {@link DirectMemory}, and binds it as the gauges {@code kimi.direct.memory.used},
 * {@code kimi.direct.memory.max} and {@code kimi.direct.memory.netty.allocator}
 * ({@code kimi_direct_memory_used_bytes}, {@code kimi_direct_memory_max_bytes},
 * {@code kimi_direct_memory_netty_allocator_bytes}; the last only when the allocator reports it).
 *
 * <p>When used reaches max, allocating a direct buffer makes the allocating thread (an event loop) call
 * {@code System.gc()} and sleep, then fail: the figure to watch for stalls. Thread-safe.
 */
public final class DirectMemoryProbe implements MeterBinder {
    static final String USED = "kimi.direct.memory.used";
    static final String MAX = "kimi.direct.memory.max";
    static final String NETTY_ALLOCATOR = "kimi.direct.memory.netty.allocator";

    private final BufferPoolMXBean jvmDirect;
    private final ByteBufAllocatorMetricProvider allocator;

    /** @param allocator the servers' allocator ({@link ByteBufAllocator#DEFAULT} unless configured otherwise) */
    public DirectMemoryProbe(ByteBufAllocator allocator) {
        requireNonNull(allocator, "allocator");
        this.allocator = allocator instanceof ByteBufAllocatorMetricProvider p ? p : null;
        this.jvmDirect = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElse(null);
    }

    public DirectMemory read() {
        long jvm = jvmDirect == null ? 0 : Math.max(0, jvmDirect.getMemoryUsed());
        // -1 unless Netty allocates without the JVM's cleaner (then the JVM's pool does not count it).
        long nettyOutsideJvm = Math.max(0, PlatformDependent.usedDirectMemory());
        long pooled = allocator == null ? -1 : allocator.metric().usedDirectMemory();
        return new DirectMemory(jvm + nettyOutsideJvm, PlatformDependent.maxDirectMemory(), pooled);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(USED, this, p -> p.read().usedBytes())
                .description("Direct (off-heap) memory reserved for buffers, Netty's included")
                .baseUnit(BaseUnits.BYTES)
                .strongReference(true)
                .register(registry);
        Gauge.builder(MAX, this, p -> p.read().maxBytes())
                .description("The most direct memory that may be reserved (-XX:MaxDirectMemorySize)")
                .baseUnit(BaseUnits.BYTES)
                .strongReference(true)
                .register(registry);
        if (allocator != null) {
            Gauge.builder(NETTY_ALLOCATOR, this, p -> p.read().nettyAllocatorBytes())
                    .description("Direct memory held by Netty's buffer allocator, in use or pooled for reuse")
                    .baseUnit(BaseUnits.BYTES)
                    .strongReference(true)
                    .register(registry);
        }
    }
}
