package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.testing.KimiServerExtension;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client in a child JVM whose class path lacks Jackson (a user who forgot the dependency, or shaded it away):
 * a call fails at once with a message naming the missing dependency instead of parking forever in
 * {@code CompletableFuture.get()}.
 */
class WithoutJacksonTest {
    /** The child JVM starts, calls and exits in a few seconds; past this it is hung and is killed. */
    private static final long CHILD_BOUND_SECONDS = 60;

    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension();

    @TempDir
    Path dir;

    @Test
    void aCallWithoutJacksonOnTheClassPathFailsWithAnExceptionNamingTheDependency() throws Exception {
        String classPath = classPathWithoutJackson();
        assertThat(classPath).doesNotContainIgnoringCase("jackson");

        Path output = dir.resolve("child.out");
        Process child = new ProcessBuilder(javaExecutable(), "-cp", classPath,
                WithoutJacksonProbe.class.getName(), server.baseUrl())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean exited = child.waitFor(CHILD_BOUND_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);

        assertThat(exited).as("the child exited within %d s; it printed:%n%s", CHILD_BOUND_SECONDS, printed)
                .isTrue();
        assertThat(printed).contains("no Jackson on the class path");
        assertThat(child.exitValue()).as(printed).isEqualTo(2);
        assertThat(printed).contains("DASHBOARD_EXCEPTION", "com.fasterxml.jackson.core:jackson-databind");
    }

    /** Surefire's test class path (it sets {@code java.class.path} to it) minus every Jackson jar. */
    private static String classPathWithoutJackson() throws IOException {
        List<String> kept = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.toLowerCase(Locale.ROOT).contains("jackson"))
                .collect(Collectors.toList());
        assertThat(kept).anyMatch(e -> e.replace('\\', '/').endsWith("kimi-client/target/classes"));
        return String.join(File.pathSeparator, kept);
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
