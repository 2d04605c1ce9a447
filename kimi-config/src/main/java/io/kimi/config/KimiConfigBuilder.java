package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link KimiConfig} in code, without writing TOML: {@link KimiConfig#builder()}. Each setter writes the key of
 * the config file it names (see {@code config.example.toml}) and {@link #build()} reads them exactly as a file
 * holding those keys is read: the same defaults for what is left out, the same checks, the same
 * {@link ConfigException} (with {@value #SOURCE} as its source) for an invalid value. As with a file, a builder
 * given neither providers nor models keeps the built-in catalogue.
 *
 * <p>The environment is read only for the {@code ${VAR}} references the values name (an API key's variable):
 * {@code DASHBOARD_HOST}, {@code DASHBOARD_PORT}, {@code DASHBOARD_DB_PATH}, {@code KIMI_AUTH_TOKEN},
 * {@code CONVERGENCE_WS_URL}, {@code DASHBOARD_MOCK} and {@code MCP_WORKSPACE} do not apply.
 *
 * <pre>{@code
 * KimiConfig config = KimiConfig.builder()
 *         .port(0)
 *         .dbPath(Path.of("kimi.db"))
 *         .provider("local", ProviderType.OPENAI_COMPATIBLE, "http://127.0.0.1:8000/v1", "LOCAL_API_KEY")
 *         .model("qwen", "local", 32768)
 *         .convergenceUrl("off")
 *         .build();
 * }</pre>
 */
public final class KimiConfigBuilder {
    /** The source named in this builder's errors and in {@link KimiConfig#source()}. */
    public static final String SOURCE = "KimiConfig.builder()";

    private final Map<String, Object> server = new LinkedHashMap<>();
    private final Map<String, Object> thresholds = new LinkedHashMap<>();
    private final Map<String, Object> providers = new LinkedHashMap<>();
    private final Map<String, Object> models = new LinkedHashMap<>();
    private final Map<String, Object> convergence = new LinkedHashMap<>();
    private Map<String, String> env = System.getenv();

    KimiConfigBuilder() {
    }

    /** {@code server.host}: the bind address (default {@code 127.0.0.1}). */
    public KimiConfigBuilder host(String value) {
        return set(server, "host", requireNonNull(value, "host"));
    }

    /** {@code server.port}: 0-65535, 0 picks a free port (default 8766). */
    public KimiConfigBuilder port(int value) {
        return set(server, "port", value);
    }

    /** {@code server.db_path}: the SQLite file (default {@code ./dashboard.db}). */
    public KimiConfigBuilder dbPath(Path value) {
        return set(server, "db_path", requireNonNull(value, "dbPath").toString());
    }

    /** {@code server.auth_token = "${variable}"}: the access token clients send, read from this variable. */
    public KimiConfigBuilder authTokenEnv(String variable) {
        return set(server, "auth_token", reference(variable, "authTokenEnv"));
    }

    /** {@code server.allowed_hosts}: the names clients use when bound beyond loopback ({@code "*"}: any). */
    public KimiConfigBuilder allowedHosts(String... values) {
        return set(server, "allowed_hosts", List.of(values));
    }

    /** {@code server.max_body_bytes}: the largest request body accepted. */
    public KimiConfigBuilder maxBodyBytes(int value) {
        return set(server, "max_body_bytes", value);
    }

    /** {@code [thresholds]}: context fill levels in percent, {@code 0 < warning < high < critical <= 100}. */
    public KimiConfigBuilder thresholds(double warning, double high, double critical) {
        thresholds.put("warning", warning);
        thresholds.put("high", high);
        thresholds.put("critical", critical);
        return this;
    }

    /**
     * {@code [providers.<key>]}: an OpenAI-compatible upstream.
     *
     * @param apiKeyEnv the variable holding its API key ({@code api_key = "${apiKeyEnv}"}), or {@code null} for
     *     none; an unset variable is reported when a request is routed there, as for a file
     */
    public KimiConfigBuilder provider(String key, ProviderType type, String baseUrl, String apiKeyEnv) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", requireNonNull(type, "type").wireName());
        p.put("base_url", requireNonNull(baseUrl, "baseUrl"));
        if (apiKeyEnv != null) {
            p.put("api_key", reference(apiKeyEnv, "apiKeyEnv"));
        }
        return set(providers, requireNonNull(key, "key"), p);
    }

    /** {@code [models.<key>]}: a model clients name {@code key}, sent upstream under the same id, unpriced. */
    public KimiConfigBuilder model(String key, String provider, int contextWindow) {
        return model(key, provider, key, contextWindow, 0, 0);
    }

    /**
     * {@code [models.<key>]}: a model clients name {@code key}.
     *
     * @param upstreamModel the id sent to the provider ({@code model})
     * @param inputPrice USD per million prompt tokens
     * @param outputPrice USD per million completion tokens
     */
    public KimiConfigBuilder model(String key, String provider, String upstreamModel, int contextWindow,
            double inputPrice, double outputPrice) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", requireNonNull(provider, "provider"));
        m.put("model", requireNonNull(upstreamModel, "upstreamModel"));
        m.put("context_window", contextWindow);
        m.put("input_price", inputPrice);
        m.put("output_price", outputPrice);
        return set(models, requireNonNull(key, "key"), m);
    }

    /** {@code convergence.url}: the loop's WebSocket ({@code ws://} or {@code wss://}), or {@code "off"}. */
    public KimiConfigBuilder convergenceUrl(String value) {
        return set(convergence, "url", requireNonNull(value, "convergenceUrl"));
    }

    /** {@code convergence.mock}: run the built-in simulated loop instead. */
    public KimiConfigBuilder mockConvergence(boolean value) {
        return set(convergence, "mock", value);
    }

    /** Where {@code ${VAR}} references are resolved (default {@link System#getenv()}); copied. */
    public KimiConfigBuilder environment(Map<String, String> value) {
        this.env = Map.copyOf(requireNonNull(value, "environment"));
        return this;
    }

    /**
     * The validated configuration.
     *
     * @throws ConfigException naming {@value #SOURCE}, the key and the reason, as for a file
     */
    public KimiConfig build() {
        Map<String, Object> root = new LinkedHashMap<>();
        putIfAny(root, "server", server);
        putIfAny(root, "thresholds", thresholds);
        putIfAny(root, "providers", providers);
        putIfAny(root, "models", models);
        putIfAny(root, "convergence", convergence);
        return new ConfigReader(env, Map.of()).read(new Table(SOURCE, "", root), false, ConfigOverrides.none());
    }

    /** Writes one key of a section; every single-key setter ends here. */
    private KimiConfigBuilder set(Map<String, Object> section, String key, Object value) {
        section.put(key, value);
        return this;
    }

    private static void putIfAny(Map<String, Object> root, String key, Map<String, Object> section) {
        if (!section.isEmpty()) {
            root.put(key, deepCopy(section));
        }
    }

    private static Map<String, Object> deepCopy(Map<String, Object> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            @SuppressWarnings("unchecked")
            Object value = v instanceof Map<?, ?> m ? deepCopy((Map<String, Object>) m) : v;
            copy.put(k, value);
        });
        return copy;
    }

    private static String reference(String variable, String what) {
        return "${" + requireNonNull(variable, what) + "}";
    }
}
