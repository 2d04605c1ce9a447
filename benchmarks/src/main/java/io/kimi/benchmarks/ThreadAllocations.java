package io.kimi.benchmarks;

import com.sun.management.ThreadMXBean;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Heap bytes allocated so far by each thread of another JVM on this machine, read from its {@code ThreadMXBean}
 * over a local JMX connection (the attach API starts the JVM's local management agent). Threads that ended are
 * no longer counted.
 */
final class ThreadAllocations implements AutoCloseable {
    private final JMXConnector connector;
    private final ThreadMXBean threads;

    private ThreadAllocations(JMXConnector connector, ThreadMXBean threads) {
        this.connector = connector;
        this.threads = threads;
    }

    static ThreadAllocations attach(long pid) throws IOException {
        String address;
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (AttachNotSupportedException e) {
            throw new IOException("cannot attach to " + pid + ": " + e.getMessage(), e);
        }
        JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
        MBeanServerConnection server = connector.getMBeanServerConnection();
        ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.THREAD_MXBEAN_NAME,
                ThreadMXBean.class);
        return new ThreadAllocations(connector, threads);
    }

    /** Bytes allocated so far, summed by thread name (see {@link RequestCost#group}). */
    Map<String, Long> byGroup() {
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        Map<String, Long> groups = new TreeMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] != null && bytes[i] > 0) {
                groups.merge(infos[i].getThreadName(), bytes[i], Long::sum);
            }
        }
        return groups;
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
