package io.kimi.api;

import io.kimi.config.ConfigException;
import io.kimi.config.ServerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;

/**
 * Refuses a bind that would expose the proxy (and the provider keys' budget) beyond this machine without an
 * access token, and says which token guards the server.
 */
final class BindCheck {
    private BindCheck() {
    }

    /**
     * The access token clients must send, or {@code null} for none.
     *
     * @throws ConfigException when the token's variable is not set, or the host is not loopback and there is no
     *     token (unless {@code allow_unauthenticated_remote})
     */
    static String accessToken(ServerConfig server) {
        String token = null;
        if (server.authToken().isConfigured()) {
            if (!server.authToken().isResolved()) {
                throw new ConfigException("server", "auth_token", "an access token is configured as "
                        + server.authToken() + " but that variable is not set");
            }
            token = server.authToken().value();
        }
        if (token == null && !server.allowUnauthenticatedRemote() && !isLoopback(server.host())) {
            throw new ConfigException("server", "host", "binding to " + server.host()
                    + " exposes the proxy (and your provider keys' budget) beyond this machine: set KIMI_AUTH_TOKEN"
                    + " (clients then send it as their API key), or set allow_unauthenticated_remote = true");
        }
        return token;
    }

    /** Warns when bound to every interface with no {@code allowed_hosts}: only loopback names are answered. */
    static void warnIfOnlyLoopbackNamesAnswered(ServerConfig server, Logger log) {
        if (ServerUris.isWildcard(server.host()) && server.allowedHosts().isEmpty()) {
            log.warn("Bound to {} with no server.allowed_hosts: only requests for loopback names (localhost, "
                    + "127.0.0.1) are answered; list the names or addresses clients use in allowed_hosts, "
                    + "or [\"*\"] for any", server.host());
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("server", "host", "cannot resolve '" + host + "'", e);
        }
    }
}
