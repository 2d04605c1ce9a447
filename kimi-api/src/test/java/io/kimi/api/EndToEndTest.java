package io.kimi.api;

import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real server on a SQLite file in a temporary folder, with two fake providers on loopback: {@code fake}
 * (models kimi-k2, tiny) and {@code other} (other-model). Tests may replace the server with
 * {@code server.restart(settings -> ...)}.
 */
abstract class EndToEndTest {
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension();

    FakeUpstream fake;
    FakeUpstream other;

    @BeforeEach
    void nameTheFakes() {
        fake = server.fake();
        other = server.other();
    }
}
