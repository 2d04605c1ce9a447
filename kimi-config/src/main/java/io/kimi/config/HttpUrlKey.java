package io.kimi.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Reads a key naming an endpoint ({@code [providers.<key>] base_url}, {@code [mcp.servers.<name>] url}): an
 * absolute http or https URL with a host and no credentials, its {@code ${VAR}} references expanded. Its errors
 * quote the value as written, never the expanded one, which may hold a secret ({@code ?key=${VAR}}).
 */
final class HttpUrlKey {
    private HttpUrlKey() {
    }

    /**
     * @param missing the error when the key is absent or blank
     * @param credentials where credentials go instead, as the error says: "put {@code credentials}"
     */
    static URI read(Table t, String key, EnvExpander expander, String missing, String credentials) {
        String raw = t.nonBlankString(key).orElseThrow(() -> t.error(key, missing));
        String expanded = expander.expand(t, key, raw).trim();
        URI uri;
        try {
            uri = new URI(expanded);
        } catch (URISyntaxException e) {
            // Its reason only, and the value as written: the expanded value may hold a secret.
            throw t.error(key, "not a valid URL (" + e.getReason() + "): \"" + raw + "\"");
        }
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
                || uri.getHost() == null) {
            throw t.error(key, "expected an absolute http or https URL with a host, got \"" + raw + "\"");
        }
        if (uri.getRawUserInfo() != null) {
            throw t.error(key, "must not contain credentials; put " + credentials);
        }
        return uri;
    }
}
