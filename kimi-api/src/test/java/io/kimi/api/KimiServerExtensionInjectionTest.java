package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.testing.KimiServerExtension;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The test harness declared with {@code @ExtendWith}: the defaults, the extension and its server injected. */
@ExtendWith(KimiServerExtension.class)
class KimiServerExtensionInjectionTest {
    @Test
    void theExtensionAndItsServerAreInjected(KimiServerExtension injected, KimiServer running) {
        assertThat(running).isSameAs(injected.server());
        assertThat(injected.get("/health").statusCode()).isEqualTo(200);
        assertThat(Files.isDirectory(injected.dir())).isTrue();
    }
}
