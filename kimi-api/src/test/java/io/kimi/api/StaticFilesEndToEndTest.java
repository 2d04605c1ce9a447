package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dashboard page's files, served from kimi-dashboard-web's jar by a real server (one for the class). */
class StaticFilesEndToEndTest {
    static FakeUpstream fake;
    @RegisterExtension
    static final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeAll
    static void start() {
        fake = server.fake();
        server.start();
    }


    private static HttpResponse<String> raw(String method, String rawPath, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUri() + rawPath))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return server.send(b);
    }

    @Test
    void theRootIsTheDashboardPageInFrenchRevalidatedOnEveryLoad() {
        HttpResponse<String> page = server.get("/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(page.headers().firstValue("ETag")).isPresent();
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'", "connect-src 'self' ws: wss:");
        assertThat(page.body()).contains("<html lang=\"fr\">", "js/main.js", "vendor/chart.js/4.5.1/chart.umd.min.js")
                .doesNotContain("@chartjs-webjar.version@", "cdn", "https://");
        assertThat(server.get("/index.html").body()).isEqualTo(page.body());
    }

    @Test
    void scriptsStylesAndTheVendoredChartJsHaveTheirTypesAndCaching() {
        HttpResponse<String> main = server.get("/js/main.js");
        assertThat(main.statusCode()).isEqualTo(200);
        assertThat(main.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(main.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(main.body()).contains("import { EventBus");

        for (String module : new String[] {"utils", "api", "websocket", "charts", "sessions", "ui", "modals",
                "compaction", "convergence", "widgets", "i18n"}) {
            HttpResponse<String> m = server.get("/js/modules/" + module + ".js");
            assertThat(m.statusCode()).as(module).isEqualTo(200);
            assertThat(m.body()).as(module).contains("export ").doesNotContain("export default");
        }

        HttpResponse<String> css = server.get("/css/dashboard.css");
        assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");

        HttpResponse<String> chart = server.get("/vendor/chart.js/4.5.1/chart.umd.min.js");
        assertThat(chart.statusCode()).isEqualTo(200);
        assertThat(chart.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(chart.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
        assertThat(chart.body()).contains("Chart.js v4.5.1");

        assertThat(server.get("/favicon.svg").headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    }

    @Test
    void aMatchingEtagIsNotModifiedAndHeadHasNoBody() {
        String etag = server.get("/js/main.js").headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> again = raw("GET", "/js/main.js", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();

        HttpResponse<String> head = raw("HEAD", "/");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValueAsLong("Content-Length").orElseThrow())
                .isEqualTo(server.get("/").body().getBytes(StandardCharsets.UTF_8).length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nope.js", "/js/", "/js", "/js/modules", "/vendor/", "/css/missing.css",
            "/js/../index.html", "/js/%2e%2e/index.html", "/%2e%2e/%2e%2e/logback.xml", "/.hidden.js",
            "/js//main.js", "/io/kimi/api/KimiServer.class", "/logback.xml", "/js/main.js%00.png",
            "/..%2flogback.xml"})
    void unknownFilesDirectoriesAndEscapesAre404(String path) {
        HttpResponse<String> r = raw("GET", path);

        assertThat(r.statusCode()).as(path).isEqualTo(404);
        assertThat(r.body()).as(path).contains("\"code\":\"not_found\"").doesNotContain("<html", "import {", "export ");
    }

    @Test
    void theApiAndOtherMethodsAreUntouched() {
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
        assertThat(server.get("/api/sessions").statusCode()).isEqualTo(200);
        assertThat(server.post("/", "{}").statusCode()).isEqualTo(404);
        assertThat(raw("DELETE", "/js/main.js").statusCode()).isEqualTo(404);
    }
}
