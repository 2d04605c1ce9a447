package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
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
 * <p><b>Which values are paths.</b> The whole {@code params} tree is walked (so {@code params.arguments} of
 * {@code tools/call} too, at any depth). A value is checked when
 * <ul>
 *   <li>its key names a path: after lower-casing and dropping {@code _} and {@code -}, one of {@value
 *       #KEY_LIST}; or the key ends with a path word after a separator or a camel-case hump ({@code
 *       outputPath}, {@code log_file}, {@code baseDir}, {@code work-directory}: suffixes {@code Path},
 *       {@code Paths}, {@code File}, {@code Files}, {@code Dir}, {@code Dirs}, {@code Directory}, {@code
 *       Folder}). Strings are checked, and the strings of an array under such a key; objects are walked;</li>
 *   <li>or it is any string starting with {@code file:}, under any key ({@code uri}, {@code url},
 *       {@code resource}...): a file URI always names a local file.</li>
 * </ul>
 * Values under path keys that are URLs of another scheme ({@code https://...}) are not local paths to us, but a
 * server may still read one as a relative path ({@code x://../../etc} is {@code x:/../../etc}), so they pass only
 * when they would stay inside read that way too (no {@code ..} segment); empty strings are left alone.
 *
 * <p><b>When a path is inside.</b> A relative path resolves against the workspace (the MCP server is
 * expected to run with the workspace as its working directory); an absolute one must lie under the workspace
 * (or under its real path, when the workspace is a symbolic link). Refused: any {@code ..} segment (even one
 * that would stay inside lexically: the server resolves it after following links), a leading {@code ~} (a
 * server may expand it to a home directory), a {@code file://} URI naming another host, a path the platform
 * cannot represent, and a path whose longest existing prefix resolves, through symbolic links, outside the
 * workspace's real path (a dangling link counts as escaping). Paths that do not exist yet are fine when
 * their existing part is inside: tools create files.
 *
 * <p>Checks touch the file system (one {@code toRealPath} per path), so the gateway calls them on its
 * blocking threads only. Thread-safe.
 */
final class WorkspaceGuard {

    static final String KEY_LIST = "path, paths, file, files, filename, filenames, filepath, filepaths, "
            + "directory, directories, dir, dirs, folder, folders, root, roots, rootpath, cwd, workdir, "
            + "workingdirectory, source, sources, src, destination, dest, target, targets";

    private static final Set<String> PATH_KEYS = Set.of(KEY_LIST.split(", "));
    private static final Pattern PATH_SUFFIX = Pattern.compile(
            ".*(?:[a-z0-9][A-Z]|[_-][A-Za-z])(?:ath|aths|ile|iles|ir|irs|irectory|older)$");

    private final Path workspace;

    WorkspaceGuard(Path workspace) {
        this.workspace = requireNonNull(workspace, "workspace").toAbsolutePath().normalize();
    }

    /**
     * The first path-like value in {@code params} that lies outside the workspace, or empty when all are
     * inside.
     *
     * @param params a request's {@code params}, or {@code null}
     */
    Optional<String> firstEscape(JsonNode params) {
        if (params == null) {
            return Optional.empty();
        }
        return walk(params, false);
    }

    /** Whether one path (or {@code file:} URI) lies inside the workspace. */
    boolean isInside(String value) {
        requireNonNull(value, "value");
        if (value.isEmpty()) {
            return true;
        }
        if (value.regionMatches(true, 0, "file:", 0, 5)) {
            return fileUriInside(value);
        }
        // Another scheme (https://...) is no local path to us, but a server may read it as a relative one.
        return pathInside(value);
    }

    private Optional<String> walk(JsonNode node, boolean underPathKey) {
        if (node.isTextual()) {
            String text = node.textValue();
            boolean fileUri = text.regionMatches(true, 0, "file:", 0, 5);
            if ((underPathKey || fileUri) && !isInside(text)) {
                return Optional.of(text);
            }
            return Optional.empty();
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                Optional<String> escape = walk(element, underPathKey);
                if (escape.isPresent()) {
                    return escape;
                }
            }
            return Optional.empty();
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                Optional<String> escape = walk(field.getValue(), isPathKey(field.getKey()));
                if (escape.isPresent()) {
                    return escape;
                }
            }
        }
        return Optional.empty();
    }

    static boolean isPathKey(String key) {
        String normalized = key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        return PATH_KEYS.contains(normalized) || PATH_SUFFIX.matcher(key).matches()
                && !normalized.equals("xpath") && !normalized.equals("jsonpath");
    }

    private boolean fileUriInside(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            return false;
        }
        if (uri.isOpaque() || uri.getPath() == null || uri.getPath().isEmpty()) {
            return false; // file:relative or file: with nothing: not a usable local path
        }
        String host = uri.getHost() != null ? uri.getHost() : uri.getRawAuthority();
        if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
            return false;
        }
        return pathInside(uri.getPath());
    }

    private boolean pathInside(String value) {
        if (value.startsWith("~")) {
            return false;
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            return false;
        }
        for (Path segment : path) {
            if (segment.toString().equals("..")) {
                return false;
            }
        }
        Path resolved = (path.isAbsolute() ? path : workspace.resolve(path)).normalize();
        Path realWorkspace = realWorkspace();
        if (!resolved.startsWith(workspace) && !resolved.startsWith(realWorkspace)) {
            return false;
        }
        return existingPartInside(resolved, realWorkspace);
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
