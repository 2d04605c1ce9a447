package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A table of MCP tool-call {@code params} that try to name a file outside the gateway's workspace, and of
 * {@code params} that name files inside it (or are not paths at all) and must still go through.
 *
 * <p>The attempts come from the ways MCP servers read such values: a plain path (joined to their working
 * directory, sometimes percent-decoded, sometimes with {@code \} as a separator, sometimes after Unicode
 * normalisation), or a URL parsed by a WHATWG URL parser (which strips leading and trailing C0 controls and
 * spaces, removes every tab and newline, reads the scheme case-insensitively, treats {@code \} as {@code /} in
 * {@code file:} URLs and decodes {@code %2e} as a dot in dot segments).
 *
 * <p>Call {@link #prepare(Path, Path)} first: the symbolic-link attempts need the links it plants.
 *
 * <pre>{@code
 * McpEscapeAttempts.prepare(workspace, outside);
 * for (McpEscapeAttempts.Attempt attempt : McpEscapeAttempts.blocked(workspace, outside)) {
 *   post(attempt.request(1)); // expect attempt.code(), and nothing reaching the MCP server
 * }
 * }</pre>
 */
public final class McpEscapeAttempts {

  /** JSON-RPC "invalid params": what the gateway answers to a path outside the workspace. */
  public static final int OUTSIDE = -32602;

  /** JSON-RPC "invalid request": what the gateway answers to a request it cannot read one way only. */
  public static final int INVALID_REQUEST = -32600;

  private static final ObjectMapper JSON = new ObjectMapper();

  private McpEscapeAttempts() {}

  /**
   * One {@code params} object (or array) of a {@code tools/call}.
   *
   * @param name what the attempt tries, for test names
   * @param params the {@code params} as JSON text (not always valid for every parser: see the duplicates)
   * @param code the JSON-RPC error code the gateway answers with when it blocks it, {@code 0} for an allowed one
   */
  public record Attempt(String name, String params, int code) {

    public Attempt {
      requireNonNull(name, "name");
      requireNonNull(params, "params");
    }

    /** A whole JSON-RPC 2.0 {@code tools/call} request carrying {@link #params()}. */
    public String request(int id) {
      return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":" + params + "}";
    }

    /** Whether the guard can see it in the parsed {@code params} (a request-level attempt cannot). */
    public boolean isParamsLevel() {
      return code == OUTSIDE || code == 0;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * Creates what the attempts need: {@code src/Main.java} in the workspace; {@code secret.txt} outside; and
   * in the workspace the links {@code escape} (to {@code outside}), {@code chain} (to {@code chain2}, a link to
   * {@code outside}), {@code up} (to {@code ..}), {@code dangling} (to a missing file outside) and {@code
   * sources} (to {@code src}, staying inside).
   */
  public static void prepare(Path workspace, Path outside) throws IOException {
    Files.createDirectories(workspace.resolve("src"));
    Files.writeString(workspace.resolve("src/Main.java"), "class Main {}");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(workspace.resolve("escape"), outside);
    Files.createSymbolicLink(workspace.resolve("chain2"), outside);
    Files.createSymbolicLink(workspace.resolve("chain"), Path.of("chain2"));
    Files.createSymbolicLink(workspace.resolve("up"), Path.of(".."));
    Files.createSymbolicLink(workspace.resolve("dangling"), outside.resolve("nothing-here"));
    Files.createSymbolicLink(workspace.resolve("sources"), Path.of("src"));
  }

  /**
   * Attempts that name something outside {@code workspace} for at least one way of reading them; each
   * must be refused before anything is forwarded.
   *
   * @param workspace the gateway's workspace, as an absolute path
   * @param outside a folder beside it holding {@code secret.txt}
   */
  public static List<Attempt> blocked(Path workspace, Path outside) {
    String ws = slashes(workspace);
    String out = slashes(outside);
    String fileWs = "file://" + (ws.startsWith("/") ? "" : "/") + ws;
    Table t = new Table(OUTSIDE);

    // Plain traversal and absolute paths (the attempts the guard always refused).
    t.add("dot-dot", field("path", "../outside/secret.txt"));
    t.add("dot-dot after a folder", field("path", "src/../../outside"));
    t.add("dot-dot that would stay inside", field("path", "src/../src/Main.java"));
    t.add("dot-dot after the absolute workspace", field("path", ws + "/../outside/secret.txt"));
    t.add("dot-dot after ./", field("path", "./../outside"));
    t.add("absolute path elsewhere", field("path", "/etc/passwd"));
    t.add("absolute path of a sibling folder", field("path", out + "/secret.txt"));
    t.add("a sibling that shares the workspace's name as a prefix", field("path", ws + "-sibling/x"));
    t.add("home directory", field("path", "~/.ssh/id_rsa"));
    t.add("another user's home", field("path", "~root"));
    t.add("two leading slashes", field("path", "//server/share"));

    // Symbolic links planted in the workspace (see prepare).
    t.add("symlink to outside", field("path", "escape/secret.txt"));
    t.add("symlink to outside, file not created yet", field("path", "escape/not-there-yet.txt"));
    t.add("symlink to outside, absolute", field("path", ws + "/escape/secret.txt"));
    t.add("chain of two symlinks", field("path", "chain/secret.txt"));
    t.add("symlink to the parent", field("path", "up/outside/secret.txt"));
    t.add("dangling symlink", field("path", "dangling"));
    t.add("symlink to outside through a file URL", field("uri", fileWs + "/escape/secret.txt"));

    // file: URLs.
    t.add("file URL elsewhere", field("uri", "file:///etc/passwd"));
    t.add("file URL with an upper-case scheme", field("uri", "FILE:///etc/passwd"));
    t.add("file URL naming localhost", field("uri", "file://localhost/etc/passwd"));
    t.add("file URL naming LOCALHOST", field("uri", "file://LOCALHOST/etc/passwd"));
    t.add("file URL naming another host", field("uri", "file://other-host" + ws + "/src"));
    t.add("file URL of a UNC share", field("uri", "file://server/share/secret.txt"));
    t.add("file URL with four slashes", field("uri", "file:////etc/passwd"));
    t.add("file URL with one slash", field("path", "file:/etc/passwd"));
    t.add("file URL without slashes", field("uri", "file:etc/passwd"));
    t.add("file URL with dot-dot after the workspace", field("uri", fileWs + "/../../etc/passwd"));
    t.add("file URL with %2e%2e", field("uri", fileWs + "/%2e%2e/%2E%2E/etc/passwd"));
    t.add("file URL with .%2e and %2e.", field("uri", fileWs + "/.%2e/%2e./etc/passwd"));
    t.add("file URL with %2f", field("uri", fileWs + "/..%2f..%2fetc%2fpasswd"));
    t.add("file URL double-encoded", field("uri", fileWs + "/%252e%252e/%252e%252e/etc/passwd"));
    t.add("file URL with backslashes", field("uri", fileWs + "\\..\\..\\etc\\passwd"));
    t.add("file URL of backslashes only", field("uri", "file:\\\\localhost\\etc\\passwd"));
    t.add("file URL with a NUL byte", field("uri", fileWs + "/src%00/../../etc/passwd"));
    t.add("file URL after the workspace with a query", field("uri", fileWs + "/src?/../../../../etc"));

    // What a WHATWG URL parser strips before it reads a scheme.
    t.add("leading space before file:", field("uri", " file:///etc/passwd"));
    t.add("leading C0 controls before file:", field("uri", "\u0000\u001f\u0001file:///etc/passwd"));
    t.add("leading vertical tab and form feed", field("uri", "\u000b\u000cfile:///etc/passwd"));
    t.add("tab inside the scheme", field("uri", "fi\tle:///etc/passwd"));
    t.add("CR LF inside the scheme", field("uri", "fi\r\nle:///etc/passwd"));
    t.add("newline inside the path", field("uri", "file:///et\nc/passwd"));
    t.add("tab inside the dot-dot", field("uri", fileWs + "/.\t./.\n./etc/passwd"));
    t.add("leading space before file: under a non-path key", field("resource", " file:///etc/passwd"));
    t.add("tab before file: under url", field("url", "\tfile:///etc/shadow"));
    t.add("leading space before a path", field("path", " ../outside/secret.txt"));
    t.add("leading tab before an absolute path", field("path", "\t/etc/passwd"));

    // Plain paths that a server may decode or read with another separator.
    t.add("%2e%2e in a plain path", field("path", "%2e%2e/%2e%2e/etc/passwd"));
    t.add("%2f in a plain path", field("path", "..%2f..%2fetc%2fpasswd"));
    t.add("encoded slashes after a folder", field("path", "src%2f..%2f..%2f..%2fetc"));
    t.add("absolute path fully encoded", field("path", "%2Fetc%2Fpasswd"));
    t.add("double-encoded plain path", field("path", "%252e%252e%252f%252e%252e%252fetc"));
    t.add("overlong UTF-8 dots", field("path", "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd"));
    t.add("backslashes", field("path", "..\\..\\etc\\passwd"));
    t.add("backslash root", field("path", "\\etc\\passwd"));
    t.add("Windows drive letter", field("path", "C:\\Windows\\win.ini"));
    t.add("Windows drive letter with slashes", field("path", "c:/windows/win.ini"));
    t.add("Windows drive-relative path", field("path", "D:secret.txt"));
    t.add("UNC share", field("path", "\\\\server\\share\\secret.txt"));
    t.add("NUL byte then dot-dot", field("path", "src/Main.java\u0000/../../../etc/passwd"));
    t.add("trailing NUL byte", field("file", "/etc/passwd\u0000"));
    t.add("two dot leader (NFKC ..)", field("path", "\u2025/\u2025/etc/passwd"));
    t.add("full-width dots", field("path", "\uff0e\uff0e/\uff0e\uff0e/etc/passwd"));
    t.add("full-width dots and solidus", field("path", "\uff0e\uff0e\uff0f\uff0e\uff0e\uff0fetc"));
    t.add("full-width solidus root", field("path", "\uff0fetc\uff0fpasswd"));

    // uri values that are plain paths, and unknown schemes with dot-dot.
    t.add("uri holding an absolute path", field("uri", "/etc/passwd"));
    t.add("uri holding a relative traversal", field("uri", "../outside/secret.txt"));
    t.add("rootUri holding an absolute path", field("rootUri", "/etc"));
    t.add("resource_uri holding an encoded traversal", field("resource_uri", "%2e%2e/%2e%2e/etc"));
    t.add("unknown scheme with dot-dot under path", field("path", "foo://x/../../etc/passwd"));
    t.add("unknown scheme with dot-dot under uri", field("uri", "foo://x/../../etc/passwd"));
    t.add("unknown scheme with encoded dot-dot", field("uri", "mem:%2e%2e/%2e%2e/etc"));
    t.add("unknown opaque scheme with dot-dot", field("uri", "x-res:../../etc/passwd"));
    t.add("https URL with dot-dot under a path key", field("path", "https://example.com/../../../etc/passwd"));

    // Where the value sits.
    t.add("nested tool arguments", "{\"name\":\"read_file\",\"arguments\":{\"options\":"
        + field("path", "/etc/passwd") + "}}");
    t.add("second element of an array", "{\"paths\":[\"src/Main.java\",\"../outside/secret.txt\"]}");
    t.add("array in an array", "{\"paths\":[[\"src/Main.java\",[\"/etc/passwd\"]]]}");
    t.add("object in an array", "{\"edits\":[{\"meta\":{\"target\":{\"file\":\"/etc/passwd\"}}}]}");
    t.add("positional params", "[\"/etc/passwd\"]");
    t.add("camelCase key", field("outputPath", "/tmp/x"));
    t.add("snake_case key", field("log_file", "/tmp/x"));
    t.add("Dir suffix", field("baseDir", "/"));
    t.add("kebab-case key", field("working-directory", "/"));
    t.add("upper-case key", field("PATH", "/etc/passwd"));
    t.add("cwd", field("cwd", "/"));
    t.add("destination", field("destination", "/tmp/x"));

    // Requests a server may read differently from the gateway.
    t.code = INVALID_REQUEST;
    t.add("duplicate key, first one outside", "{\"path\":\"/etc/passwd\",\"path\":\"src/Main.java\"}");
    t.add("duplicate key, nested", "{\"arguments\":{\"file\":\"/etc/shadow\",\"file\":\"src/Main.java\"}}");
    return List.copyOf(t.rows);
  }

  /**
   * Params that name files inside {@code workspace}, or values that are not local paths: each must be
   * forwarded. A guard that refuses everything fails these.
   */
  public static List<Attempt> allowed(Path workspace) {
    String ws = slashes(workspace);
    String fileWs = "file://" + (ws.startsWith("/") ? "" : "/") + ws;
    Table t = new Table(0);
    t.add("relative path", field("path", "src/Main.java"));
    t.add("./ and .", "{\"paths\":[\"./src\",\".\"]}");
    t.add("file not created yet", field("path", "new/dir/not-yet-created.txt"));
    t.add("absolute path inside", field("path", ws + "/src/Main.java"));
    t.add("symlink that stays inside", field("path", "sources/Main.java"));
    t.add("dots inside a name", field("path", "docs/release..notes.md"));
    t.add("encoded space", field("path", "a%20b.txt"));
    t.add("file URL inside", field("uri", fileWs + "/src/Main.java"));
    t.add("file URL inside naming localhost", field("uri", "file://localhost" + ws + "/src"));
    t.add("file URL inside with an encoded space", field("uri", fileWs + "/src/Main%20Copy.java"));
    t.add("uri holding a relative path", field("uri", "src/Main.java"));
    t.add("uri of another scheme", field("uri", "mem://notes/today"));
    t.add("https URL under a path key", field("path", "https://example.com/docs/index.html"));
    t.add("https URL with dot-dot under url", field("url", "https://example.com/a/../b"));
    t.add("text that mentions a path", "{\"name\":\"write_file\",\"arguments\":{\"path\":\"src/Notes.md\","
        + "\"content\":\"/etc/passwd is a file\",\"jsonPath\":\"$..items\",\"count\":3,\"target\":\"es2020\"}}");
    t.add("no params path at all", "{\"name\":\"list_tools\"}");
    return List.copyOf(t.rows);
  }

  private static String field(String key, String value) {
    try {
      return "{" + JSON.writeValueAsString(key) + ":" + JSON.writeValueAsString(value) + "}";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON string", e);
    }
  }

  private static String slashes(Path path) {
    return path.toAbsolutePath().toString().replace('\\', '/');
  }

  /** Rows being collected, all with the current code. */
  private static final class Table {
    final List<Attempt> rows = new ArrayList<>();
    int code;

    Table(int code) {
      this.code = code;
    }

    void add(String name, String params) {
      rows.add(new Attempt(name, params, code));
    }
  }
}
