package io.kimi.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A text profile of a JFR recording, by thread group ({@link RequestCost#group}): for the CPU samples
 * ({@code jdk.ExecutionSample}, Java code; {@code jdk.NativeMethodSample} apart, which also counts threads
 * blocked in a native method) the methods on top of the
 * stack (self) and the project methods ({@code io.kimi.*}) anywhere on it (inclusive); for the allocation samples
 * ({@code jdk.ObjectAllocationSample}, weighted by the bytes they stand for) the classes allocated and the
 * project methods allocating them. Shares are of the group's samples or weight.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.kimi.benchmarks.JfrSummary recording.jfr [top=12]</pre>
 */
public final class JfrSummary {
    private JfrSummary() {
    }

    public static void main(String[] args) throws IOException {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        Map<String, Profile> cpu = new TreeMap<>();
        Map<String, Profile> alloc = new TreeMap<>();
        Map<String, Profile> natives = new TreeMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ExecutionSample")) {
                RecordedThread t = e.getThread("sampledThread");
                add(cpu, t, e.getStackTrace(), 1, null);
            } else if (type.equals("jdk.NativeMethodSample")) {
                RecordedThread t = e.getThread("sampledThread");
                add(natives, t, e.getStackTrace(), 1, null);
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                RecordedThread t = e.getThread("eventThread");
                add(alloc, t, e.getStackTrace(), e.getLong("weight"), e.getClass("objectClass").getName());
            }
        }
        System.out.println("## CPU samples (jdk.ExecutionSample)");
        cpu.forEach((group, p) -> p.print(group, "samples", top));
        System.out.println("## Samples in native code (jdk.NativeMethodSample: threads in a native method, running or"
                + " blocked)");
        natives.forEach((group, p) -> p.print(group, "samples", top));
        System.out.println("## Allocation samples (jdk.ObjectAllocationSample, by weight)");
        alloc.forEach((group, p) -> p.print(group, "bytes", top));
    }

    private static void add(Map<String, Profile> profiles, RecordedThread thread, RecordedStackTrace stack,
            long weight, String allocated) {
        if (thread == null || stack == null) {
            return;
        }
        String name = thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
        Profile p = profiles.computeIfAbsent(RequestCost.group(name), g -> new Profile());
        p.total += weight;
        List<RecordedFrame> frames = stack.getFrames();
        if (frames.isEmpty()) {
            return;
        }
        p.self.merge(allocated != null ? allocated : method(frames.get(0)), weight, Long::sum);
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : frames) {
            String m = method(f);
            if (m.startsWith("io.kimi.") && seen.add(m)) {
                p.project.merge(m, weight, Long::sum);
                if (allocated != null) {
                    break; // the project method closest to the allocation
                }
            }
        }
    }

    private static String method(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static final class Profile {
        long total;
        final Map<String, Long> self = new HashMap<>();
        final Map<String, Long> project = new HashMap<>();

        void print(String group, String unit, int top) {
            System.out.printf("%n### %s: %,d %s%n", group, total, unit);
            System.out.println(unit.equals("bytes") ? "classes allocated:" : "on top of the stack (self):");
            list(self, top);
            System.out.println(unit.equals("bytes") ? "nearest project method:" : "project methods (inclusive):");
            list(project, top);
        }

        private void list(Map<String, Long> counts, int top) {
            counts.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                    .limit(top)
                    .forEach(e -> System.out.printf("  %5.1f %%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
        }
    }
}
