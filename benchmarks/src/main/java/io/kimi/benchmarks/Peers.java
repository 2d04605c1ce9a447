package io.kimi.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the mock upstream and the peers in front of it, each on a free loopback port with its files in the
 * run's work directory, and stops them all. Every peer is pointed at the same mock.
 */
final class Peers implements AutoCloseable {
    private final Setup setup;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final Map<String, Child> children = new LinkedHashMap<>();
    private final List<String> commands = new ArrayList<>();
    private int mockPort;

    /**
     * @param work the run's directory (configs, logs, database)
     * @param java the java launcher
     * @param benchmarksJar benchmarks/target/benchmarks.jar
     * @param kimiJar kimi-api/target/kimi-api.jar
     * @param portkeyDir where benchmarks/portkey was installed (has node_modules), or null to leave Portkey out
     * @param kimiJvmFlags the JVM flags ours runs with
     * @param mockThreads the mock's event-loop threads
     */
    record Setup(Path work, String java, Path benchmarksJar, Path kimiJar, Path portkeyDir, List<String> kimiJvmFlags,
            int mockThreads) {
    }

    Peers(Setup setup) {
        this.setup = setup;
    }

    List<Peer> all() {
        return new ArrayList<>(peers.values());
    }

    Peer get(String name) {
        return peers.get(name);
    }

    Child child(String name) {
        return children.get(name);
    }

    /** The command lines used to start everything, for the report. */
    List<String> commands() {
        return commands;
    }

    int mockPort() {
        return mockPort;
    }

    void startMock() throws InterruptedException {
        mockPort = freePort();
        List<String> cmd = List.of(setup.java(), "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
                "-Dio.netty.leakDetection.level=disabled", "-cp", setup.benchmarksJar().toString(),
                MockUpstream.class.getName(), "--port", Integer.toString(mockPort), "--threads",
                Integer.toString(setup.mockThreads()));
        Child mock = start("mock", cmd, Map.of());
        mock.awaitHttp(URI.create("http://127.0.0.1:" + mockPort + "/health"), 30);
        peers.put("direct", new Peer("direct", "direct to the mock (floor)", chatUrl(mockPort, "/v1"), "",
                mock.pid()));
    }

    void startNginx(String nginx) throws InterruptedException {
        int port = freePort();
        Path dir = setup.work().resolve("nginx");
        try {
            Files.createDirectories(dir.resolve("temp"));
            Files.writeString(dir.resolve("nginx.conf"), nginxConf(dir, port, mockPort));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Child child = start("nginx", List.of(nginx, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-e", dir.resolve("error.log").toString()), Map.of());
        child.awaitHttp(URI.create("http://127.0.0.1:" + port + "/health"), 30);
        peers.put("nginx", new Peer("nginx", "nginx (plain reverse proxy)", chatUrl(port, "/v1"), "", child.pid()));
    }

    void startPortkey(String node) throws InterruptedException {
        int port = freePort();
        Path server = setup.portkeyDir().resolve("node_modules/@portkey-ai/gateway/build/start-server.js");
        Child child = start("portkey", List.of(node, server.toString(), "--port=" + port, "--headless"),
                Map.of("NODE_ENV", "production"));
        child.awaitHttp(URI.create("http://127.0.0.1:" + port + "/"), 60);
        String headers = "x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:" + mockPort
                + "/v1|Authorization: Bearer sk-bench-unused";
        peers.put("portkey", new Peer("portkey", "Portkey gateway", chatUrl(port, "/v1"), headers, child.pid()));
    }

    void startKimi() throws InterruptedException {
        int port = freePort();
        Path config = setup.work().resolve("kimi.toml");
        try {
            Files.writeString(config, kimiConfig(port, mockPort, setup.work().resolve("kimi.db")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(setup.java());
        cmd.addAll(setup.kimiJvmFlags());
        cmd.addAll(List.of("-jar", setup.kimiJar().toString(), "--config", config.toString(), "--convergence-url",
                "off"));
        Child child = start("kimi", cmd, Map.of());
        child.awaitHttp(URI.create("http://127.0.0.1:" + port + "/health"), 90);
        peers.put("kimi", new Peer("kimi", "Kimi Dashboard (ours)", chatUrl(port, "/v1"), "", child.pid()));
    }

    /** Stops one peer (its entry stays for the report). */
    void stop(String name) {
        Child child = children.remove(name);
        if (child != null) {
            child.close();
        }
    }

    @Override
    public void close() {
        List<String> names = new ArrayList<>(children.keySet());
        Collections.reverse(names);
        names.forEach(this::stop);
    }

    private Child start(String name, List<String> cmd, Map<String, String> env) {
        commands.add(name + ": " + String.join(" ", cmd));
        Child child = Child.start(name, cmd, env, setup.work().resolve("logs").resolve(name + ".log"));
        children.put(name, child);
        return child;
    }

    private static URI chatUrl(int port, String prefix) {
        return URI.create("http://127.0.0.1:" + port + prefix + "/chat/completions");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * nginx as a plain reverse proxy: one worker per core, keep-alive both ways, no buffering of replies (SSE
     * must pass as it comes), no access log.
     */
    static String nginxConf(Path dir, int port, int mockPort) {
        String temp = dir.resolve("temp").toString();
        return """
                # Written by the benchmark harness: nginx as a plain reverse proxy in front of the mock.
                worker_processes auto;
                worker_rlimit_nofile 16384;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 8192; }
                http {
                  access_log off;
                  client_body_temp_path %2$s/body;
                  proxy_temp_path %2$s/proxy;
                  fastcgi_temp_path %2$s/fastcgi;
                  uwsgi_temp_path %2$s/uwsgi;
                  scgi_temp_path %2$s/scgi;
                  keepalive_requests 1000000;
                  keepalive_timeout 300s;
                  upstream mock {
                    server 127.0.0.1:%3$d;
                    keepalive 1024;
                    keepalive_requests 1000000;
                  }
                  server {
                    listen 127.0.0.1:%4$d backlog=4096;
                    location /health { return 200 "ok"; }
                    location / {
                      proxy_pass http://mock;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                      proxy_buffering off;
                      proxy_request_buffering off;
                      proxy_read_timeout 300s;
                    }
                  }
                }
                """.formatted(dir, temp, mockPort, port);
    }

    /** Ours: one provider (the mock), the benchmark's models, no convergence bridge. */
    static String kimiConfig(int port, int mockPort, Path db) {
        StringBuilder large = new StringBuilder();
        for (int mib : LargeReplies.SIZES_MIB) {
            large.append("\n[models.\"").append(MockPayloads.largeModel(mib)).append("\"]\nprovider = \"mock\"\n")
                    .append("context_window = 262144\n");
        }
        return """
                # Written by the benchmark harness.
                [server]
                host = "127.0.0.1"
                port = %d
                db_path = "%s"
                # Every load generator is one loopback address: 1,024 streams or 1,000 WebSocket clients
                # plus their publisher would reach the default per-client limit (1,024); the total stays the
                # default (4,096).
                max_connections_per_client = 4096

                [convergence]
                url = "off"

                [providers.mock]
                type = "openai-compatible"
                base_url = "http://127.0.0.1:%d/v1"
                max_retries = 0
                max_connections = 2048

                [models.bench]
                provider = "mock"
                context_window = 262144

                [models.bench-delay]
                provider = "mock"
                context_window = 262144
                """.formatted(port, db.toString().replace("\\", "\\\\"), mockPort) + large;
    }
}
