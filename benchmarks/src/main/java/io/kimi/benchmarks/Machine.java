package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.util.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** What the run ran on and with: machine, kernel, JDK, and the version of every peer and tool. */
final class Machine {
    private Machine() {
    }

    static ObjectNode describe() {
        ObjectNode m = Load.object();
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        String mem = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        m.put("ram", mem == null ? null : String.format("%.1f GiB",
                Long.parseLong(mem.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0));
        m.put("kernel", read(Path.of("/proc/sys/kernel/osrelease")));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return m;
    }

    static ObjectNode versions(String nginx, String wrk, String node, Path portkeyDir) {
        ObjectNode v = Load.object();
        v.put("nginx", firstLine(List.of(nginx, "-v")));
        v.put("wrk", firstLine(List.of(wrk, "-v")));
        v.put("node", firstLine(List.of(node, "--version")));
        if (portkeyDir != null) {
            v.put("portkey", packageVersion(portkeyDir.resolve("node_modules/@portkey-ai/gateway/package.json")));
            v.put("hono_node_server", packageVersion(portkeyDir.resolve("node_modules/@hono/node-server/package.json")));
        }
        v.put("netty", Version.identify().values().stream().findFirst()
                .map(Version::artifactVersion).orElse(null));
        v.put("jmh", mavenVersion("org.openjdk.jmh", "jmh-core"));
        v.put("hdrhistogram", mavenVersion("org.hdrhistogram", "HdrHistogram"));
        return v;
    }

    /** The 1-, 5- and 15-minute load averages, as {@code /proc/loadavg} has them. */
    static String loadAverage() {
        String s = read(Path.of("/proc/loadavg"));
        if (s == null) {
            return null;
        }
        String[] f = s.split(" ");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : s;
    }

    static boolean onPath(String command) {
        if (command.contains("/")) {
            return Files.isExecutable(Path.of(command));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** A dependency's version from the pom.properties Maven packs into its jar (kept in the shaded jar). */
    private static String mavenVersion(String group, String artifact) {
        try (var in = Machine.class.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact
                + "/pom.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            return null;
        }
    }

    private static String packageVersion(Path packageJson) {
        if (!Files.exists(packageJson)) {
            return null;
        }
        return Json.read(packageJson).path("version").asText(null);
    }

    private static String firstLine(List<String> command) {
        if (!onPath(command.get(0))) {
            return null;
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            int nl = out.indexOf('\n');
            return nl < 0 ? out : out.substring(0, nl).trim();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    int colon = line.indexOf(':');
                    return colon < 0 ? null : line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
