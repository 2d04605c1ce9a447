package io.kimi.features.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link WorkspaceGuard} with the path values an MCP call may carry. In the input, {@code $WS} stands
 * for the workspace's absolute path and {@code $OUT} for a directory beside it, so the corpus does not depend
 * on where the temporary directory is. The workspace holds a file, a link inside, a link out and a dangling
 * link. Oracle: a value the guard accepts, read as a path by the MCP server (relative to the workspace, with
 * symbolic links followed, as {@link File#getCanonicalPath()} does; a {@code file:} URI by its path), never
 * lands outside the workspace; and a {@code path} argument is reported by {@code firstEscape} exactly when
 * {@code isInside} refuses it. Corpus: {@code src/test/resources/io/kimi/features/mcp/WorkspaceGuardFuzzTestInputs/}.
 */
class WorkspaceGuardFuzzTest {
    @TempDir
    static Path root;

    private static Path workspace;
    private static Path realWorkspace;
    private static Path outside;
    private static WorkspaceGuard guard;

    @BeforeAll
    static void createWorkspace() throws IOException {
        workspace = Files.createDirectories(root.resolve("ws"));
        realWorkspace = workspace.toRealPath();
        outside = Files.createDirectories(root.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createDirectories(workspace.resolve("src"));
        Files.writeString(workspace.resolve("src/Main.java"), "class Main {}");
        Files.createSymbolicLink(workspace.resolve("link-in"), workspace.resolve("src"));
        Files.createSymbolicLink(workspace.resolve("link-out"), outside);
        Files.createSymbolicLink(workspace.resolve("dangling"), root.resolve("nowhere"));
        guard = new WorkspaceGuard(workspace);
    }

    @FuzzTest(maxDuration = "3m")
    void acceptedPathsNeverResolveOutsideTheWorkspace(byte[] input) {
        String value = new String(input, StandardCharsets.UTF_8)
                .replace("$WS", workspace.toString()).replace("$OUT", outside.toString());

        boolean inside = guard.isInside(value);

        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.putObject("arguments").put("path", value);
        assertThat(guard.firstEscape(params)).as("firstEscape of %s", value)
                .isEqualTo(inside ? Optional.empty() : Optional.of(value));
        if (!inside || value.isEmpty()) {
            return;
        }
        assertLandsInside(value, value);
        if (value.regionMatches(true, 0, "file:", 0, 5)) {
            String uriPath;
            try {
                uriPath = new URI(value).getPath();
            } catch (URISyntaxException e) {
                throw new AssertionError("accepted a file URI that does not parse: " + value, e);
            }
            assertLandsInside(uriPath, value);
        }
    }

    private static void assertLandsInside(String path, String value) {
        if (path.indexOf('\0') >= 0) {
            return; // no file API opens a path with a NUL character (Java, Node and Python all refuse it)
        }
        File file = new File(path);
        if (!file.isAbsolute()) {
            file = new File(workspace.toFile(), path);
        }
        Path canonical;
        try {
            canonical = Path.of(file.getCanonicalPath());
        } catch (IOException e) {
            return; // a name the platform refuses (e.g. a segment over 255 bytes): no server opens it either
        }
        assertThat(canonical.startsWith(realWorkspace))
                .as("accepted %s, which resolves to %s, outside %s", value, canonical, realWorkspace).isTrue();
    }
}
