package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Keeps the file paths named in MCP calls inside the workspace ({@code MCP_WORKSPACE}).
 *
 * <p><b>Which values are checked.</b> The whole {@code params} tree is walked (so {@code params.arguments} of
 * {@code tools/call} too, at any depth). A string is checked when
 * <ul>
 *   <li>its key names a path: after lower-casing and dropping {@code _} and {@code -}, one of {@value
 *       #KEY_LIST}; or the key ends with a path word after a separator or a camel-case hump ({@code
 *       outputPath}, {@code log_file}, {@code baseDir}, {@code work-directory}: suffixes {@code Path},
 *       {@code Paths}, {@code File}, {@code Files}, {@code Dir}, {@code Dirs}, {@code Directory}, {@code
 *       Folder});</li>
 *   <li>its key names a URI: {@code uri}, {@code uris}, or a key ending in {@code Uri}, {@code URI} or {@code
 *       _uri} ({@code rootUri}, {@code resource_uri}), optionally plural;</li>
 *   <li>it is an element of a positional {@code params} array (no key says what it is);</li>
 *   <li>or, under any key, it is a {@code file:} URL as a WHATWG URL parser reads it (see below), such as
 *       {@code " FILE:///x"} or {@code "fi\tle:///x"}: a file URL always names a local file.</li>
 * </ul>
 * The strings of an array under such a key are checked too; objects are walked with their own keys.
 *
 * <p><b>How a value is read.</b> As an MCP server's WHATWG URL parser would ({@link UrlText}): leading and
 * trailing C0 controls and spaces are trimmed and tabs and newlines removed, then the scheme is read
 * case-insensitively.
 * <ul>
 *   <li>No scheme (a plain path, also in a {@code uri}), or a one-letter scheme (a Windows drive letter):
 *       checked as a path, as written and as cleaned.</li>
 *   <li>{@code file:}: refused when it names a host other than {@code localhost}; otherwise its path (with
 *       and without what follows a {@code ?} or {@code #}) is checked as a path.</li>
 *   <li>Another scheme is not a local path and passes, unless a reading of it has a {@code ..} segment
 *       ({@code foo://x/../../etc}, {@code mem:%2e%2e/etc}): refused. Under a URI key {@code http}, {@code
 *       https}, {@code ws} and {@code wss} URLs pass even with {@code ..} (their parser resolves it within the
 *       host); under a path key they do not (a server may join the value to its directory as it is).</li>
 * </ul>
 *
 * <p><b>When a path is inside.</b> Every {@linkplain PathReadings reading} of it (as written, percent-decoded
 * up to a few times, NFKC-normalised, with {@code \} as a separator) must be inside. A relative path
 * resolves against the workspace (the MCP server is expected to run with the workspace as its working
 * directory); an absolute one must lie under the workspace (or under its real path, when the workspace is a
 * symbolic link). Refused: any {@code ..} segment (even one that would stay inside lexically: the server
 * resolves it after following links; a segment of only dots and spaces counts, as Windows trims them), a
 * leading {@code ~} (a server may expand it to a home directory), a drive letter that is not an absolute path
 * of this platform ({@code C:\x} on Linux, {@code D:x} anywhere), a path the platform cannot represent (a
 * NUL byte), percent-encoded bytes that are not UTF-8, and a path whose longest existing prefix resolves,
 * through symbolic links, outside the workspace's real path (a dangling link counts as escaping). Paths that
 * do not exist yet are fine when their existing part is inside: tools create files.
 *
 * <p>Checks touch the file system (one {@code toRealPath} per reading), so the gateway calls them on its
 * blocking threads only. Thread-safe.
 */
final class WorkspaceGuard {

    static final String KEY_LIST = "path, paths, file, files, filename, filenames, filepath, filepaths, "
            + "directory, directories, dir, dirs, folder, folders, root, roots, rootpath, cwd, workdir, "
            + "workingdirectory, source, sources, src, destination, dest, target, targets";

    private static final Set<String> PATH_KEYS = Set.of(KEY_LIST.split(", "));
    private static final Pattern PATH_SUFFIX = Pattern.compile(
            ".*(?:[a-z0-9][A-Z]|[_-][A-Za-z])(?:ath|aths|ile|iles|ir|irs|irectory|older)$");
    private static final Set<String> URI_KEYS = Set.of("uri", "uris");
    private static final Pattern URI_SUFFIX = Pattern.compile(".*(?:[a-z0-9](?:Uri|URI)|[_-][Uu][Rr][Ii])[sS]?$");
    private static final Set<String> NETWORK_SCHEMES = Set.of("http", "https", "ws", "wss");
    private static final Pattern DRIVE_LETTER = Pattern.compile("^[A-Za-z]:");
    private static final Pattern SEPARATORS = Pattern.compile("[/\\\\]");

    /** How strictly a string is read: by the key it sits under. */
    private enum Role {
        /** Under a path key: any scheme's {@code ..} is refused (a server may use the value as a path). */
        PATH,
        /** Under a URI key or positional: web URLs may carry {@code ..}, resolved within their host. */
        URI
    }

    private final Path workspace;

    WorkspaceGuard(Path workspace) {
        this.workspace = requireNonNull(workspace, "workspace").toAbsolutePath().normalize();
    }

    /**
     * The first checked value in {@code params} that lies outside the workspace (as sent), or empty when all
     * are inside.
     *
     * @param params a request's {@code params}, or {@code null}
     */
    Optional<String> firstEscape(JsonNode params) {
        if (params == null) {
            return Optional.empty();
        }
        return walk(params, params.isArray() ? Role.URI : null);
    }

    /**
     * Whether one value, read as under a path key, lies inside the workspace: a path, a {@code file:} URL, or
     * another URL without {@code ..}.
     */
    boolean isInside(String value) {
        return isInside(requireNonNull(value, "value"), Role.PATH);
    }

    private boolean isInside(String value, Role role) {
        String cleaned = UrlText.clean(value);
        String scheme = UrlText.scheme(cleaned);
        if (scheme == null || scheme.length() == 1) {
            return pathInside(value, cleaned);
        }
        if (scheme.equals("file")) {
            return UrlText.fileUrlPath(cleaned)
                    .map(path -> pathInside(UrlText.withoutQuery(path), path))
                    .orElse(false);
        }
        if (role == Role.URI && NETWORK_SCHEMES.contains(scheme)) {
            return true;
        }
        return PathReadings.of(value, cleaned.substring(scheme.length() + 1))
                .map(readings -> readings.stream().noneMatch(WorkspaceGuard::hasDotDot))
                .orElse(false);
    }

    private Optional<String> walk(JsonNode node, Role role) {
        if (node.isTextual()) {
            String text = node.textValue();
            boolean checked = role != null || "file".equals(UrlText.scheme(UrlText.clean(text)));
            if (checked && !isInside(text, role == null ? Role.PATH : role)) {
                return Optional.of(text);
            }
            return Optional.empty();
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                Optional<String> escape = walk(element, role);
                if (escape.isPresent()) {
                    return escape;
                }
            }
            return Optional.empty();
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                Optional<String> escape = walk(field.getValue(), roleOf(field.getKey()));
                if (escape.isPresent()) {
                    return escape;
                }
            }
        }
        return Optional.empty();
    }

    private static Role roleOf(String key) {
        if (isPathKey(key)) {
            return Role.PATH;
        }
        return isUriKey(key) ? Role.URI : null;
    }

    static boolean isPathKey(String key) {
        String normalized = key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        return PATH_KEYS.contains(normalized) || PATH_SUFFIX.matcher(key).matches()
                && !normalized.equals("xpath") && !normalized.equals("jsonpath");
    }

    static boolean isUriKey(String key) {
        return URI_KEYS.contains(key.toLowerCase(Locale.ROOT)) || URI_SUFFIX.matcher(key).matches();
    }

    /** Whether every reading of a path, given in one or more spellings, is inside the workspace. */
    private boolean pathInside(String... spellings) {
        return PathReadings.of(spellings)
                .map(readings -> readings.stream().allMatch(this::readingInside))
                .orElse(false);
    }

    private boolean readingInside(String value) {
        if (value.isEmpty()) {
            return true;
        }
        if (value.startsWith("~") || hasDotDot(value)) {
            return false;
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            return false;
        }
        if (DRIVE_LETTER.matcher(value).lookingAt() && !path.isAbsolute()) {
            return false; // another platform's drive, or a drive-relative path
        }
        Path resolved = (path.isAbsolute() ? path : workspace.resolve(path)).normalize();
        Path realWorkspace = realWorkspace();
        if (!resolved.startsWith(workspace) && !resolved.startsWith(realWorkspace)) {
            return false;
        }
        return existingPartInside(resolved, realWorkspace);
    }

    /** Whether a segment of {@code value} is {@code ..}, or only dots (two or more) and spaces. */
    private static boolean hasDotDot(String value) {
        for (String segment : SEPARATORS.split(value, -1)) {
            String trimmed = segment.strip();
            if (trimmed.length() >= 2 && trimmed.chars().allMatch(c -> c == '.')) {
                return true;
            }
        }
        return false;
    }

    /** Follows the links of the longest existing prefix of {@code resolved} and checks where it lands. */
    private boolean existingPartInside(Path resolved, Path realWorkspace) {
        for (Path candidate = resolved; candidate != null; candidate = candidate.getParent()) {
            if (!candidate.startsWith(workspace) && !candidate.startsWith(realWorkspace)) {
                return true; // nothing inside the workspace exists on this path: no link to follow
            }
            if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    return candidate.toRealPath().startsWith(realWorkspace);
                } catch (IOException e) {
                    return false; // a dangling or looping link: where it leads cannot be known
                }
            }
        }
        return true;
    }

    /** The workspace with its links resolved, or as configured when it does not exist (yet). */
    private Path realWorkspace() {
        try {
            return workspace.toRealPath();
        } catch (IOException e) {
            return workspace;
        }
    }
}
