package io.kimi.api;

import io.kimi.testing.FakeUpstream;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server on a SQLite file in a temporary folder, with two fake providers on loopback: {@code fake}
 * (models kimi-k2, tiny) and {@code other} (other-model). Tests may replace {@code server} (close it first).
 */
abstract class EndToEndTest {
    @TempDir
    Path dir;

    FakeUpstream fake;
    FakeUpstream other;
    TestServer server;

    @BeforeEach
    void startServerAndFakes() {
        fake = FakeUpstream.start();
        other = FakeUpstream.start();
        configureFakes();
        server = TestServer.start(dir, fake.baseUrl(), other.baseUrl(), "");
    }

    /** Scripts default replies before the server starts; nothing by default. */
    void configureFakes() {
    }

    @AfterEach
    void stopServerAndFakes() {
        server.close();
        fake.close();
        other.close();
    }
}
