package io.kimi.api;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves the dashboard page (kimi-dashboard-web's jar resources under {@value #ROOT}) for {@code GET} and
 * {@code HEAD}: {@code /} is {@code index.html}; other paths name a file with a known extension, or are not ours
 * (the caller then tries its routes). There is no directory listing and no way out of the root: a path is made
 * only of plain segments of letters, digits, {@code . _ -}, none starting with a dot.
 *
 * <p>Files are read once and kept (they are in a jar and never change while the server runs); a miss is not
 * kept, so unknown paths cannot grow memory. {@code index.html} and our own scripts are revalidated on every
 * load ({@code no-cache} with an {@code ETag}), so a new server version is picked up at once; the vendored
 * libraries under {@code vendor/} have their version in the path and are cached for a year.
 */
final class StaticFiles {
    static final String ROOT = "io/kimi/dashboard/web/";

    private static final Pattern SAFE_PATH = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+");
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json; charset=utf-8"),
            Map.entry("map", "application/json; charset=utf-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("md", "text/markdown; charset=utf-8"));
    /** The page may load only from this server: scripts, styles, images and the WebSocket. No CDN. */
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
            + "frame-ancestors 'none'; form-action 'self'";
    static final String NO_CACHE = "no-cache";
    static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private record Asset(byte[] body, String contentType, String cacheControl, String etag) {
    }

    private final ClassLoader loader;
    private final String root;
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    StaticFiles(ClassLoader loader, String root) {
        this.loader = requireNonNull(loader, "loader");
        this.root = requireNonNull(root, "root");
    }

    /** The dashboard page from this class's class loader. */
    static StaticFiles dashboard() {
        return new StaticFiles(StaticFiles.class.getClassLoader(), ROOT);
    }

    /**
     * The reply for a page file, or {@code null} when {@code path} is not one (not GET/HEAD, an API path, an
     * unsafe or unknown path): the caller goes on to its routes and their 404.
     */
    ApiResponse respond(HttpMethod method, String path, HttpHeaders headers) {
        boolean head = method.equals(HttpMethod.HEAD);
        if (!head && !method.equals(HttpMethod.GET)) {
            return null;
        }
        Asset asset = find(path);
        if (asset == null) {
            return null;
        }
        String ifNoneMatch = headers.get(HttpHeaderNames.IF_NONE_MATCH);
        boolean notModified = ifNoneMatch != null && matches(ifNoneMatch, asset.etag());
        byte[] body = head || notModified ? new byte[0] : asset.body();
        ApiResponse response = new ApiResponse(notModified ? 304 : 200, asset.contentType(), body, Map.of())
                .withHeader("Cache-Control", asset.cacheControl())
                .withHeader("ETag", asset.etag())
                .withHeader("X-Content-Type-Options", "nosniff");
        if (asset.contentType().startsWith("text/html")) {
            response = response.withHeader("Content-Security-Policy", CSP)
                    .withHeader("Referrer-Policy", "no-referrer");
        }
        if (head) {
            // HEAD: the headers of the GET, without its body.
            response = response.withHeader("Content-Length", Integer.toString(asset.body().length));
        }
        return response;
    }

    private Asset find(String path) {
        String name = resourceName(path);
        if (name == null) {
            return null;
        }
        Asset cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        Asset loaded = load(name);
        if (loaded != null) {
            cache.putIfAbsent(name, loaded);
        }
        return loaded;
    }

    /** The file a request path names under the root, or {@code null} if it cannot be a page file. */
    static String resourceName(String path) {
        if (path == null || path.isEmpty()) {
            return null;
        }
        if (path.equals("/") || path.equals("/index.html")) {
            return "index.html";
        }
        if (path.length() > 200 || !SAFE_PATH.matcher(path).matches() || path.startsWith("/api/")
                || path.startsWith("/v1/")) {
            return null;
        }
        String file = path.substring(path.lastIndexOf('/') + 1);
        int dot = file.lastIndexOf('.');
        if (dot <= 0 || !TYPES.containsKey(file.substring(dot + 1).toLowerCase(Locale.ROOT))) {
            return null;
        }
        return path.substring(1);
    }

    private Asset load(String name) {
        URL url = loader.getResource(root + name);
        if (url == null || !isRegularFile(url)) {
            return null;
        }
        byte[] body;
        try (InputStream in = url.openStream()) {
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read page file " + root + name, e);
        }
        String extension = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String cacheControl = name.startsWith("vendor/") ? IMMUTABLE : NO_CACHE;
        return new Asset(body, TYPES.get(extension), cacheControl, etag(body));
    }

    /** In a jar a name with a known extension is a file; on disk (tests, IDEs) it could be a directory. */
    private static boolean isRegularFile(URL url) {
        if (!"file".equals(url.getProtocol())) {
            return !url.getPath().endsWith("/");
        }
        try {
            return Files.isRegularFile(Path.of(url.toURI()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals(etag) || c.equals("*")) {
                return true;
            }
        }
        return false;
    }
}
