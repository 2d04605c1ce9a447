package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.testing.Reply;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GET /api/export/csv of a proxy session through a real server and SQLite file: a real cost as a plain decimal,
 * a failed request's error text with commas and quotes, CRLF rows, and CsvExport's one quoting rule (text
 * quoted, numbers bare), read back with a strict RFC 4180 reader.
 */
class CsvExportEndToEndTest extends EndToEndTest {
    @Test
    void costsArePlainDecimalsAndTextIsQuotedByOneRuleHeaderIncluded() {
        // 100 prompt tokens at 0.60 $/M and 5 completion tokens at 2.50 $/M: 0.0000725 $.
        fake.enqueue(Reply.chatCompletion("ok", 100, 5),
                Reply.status(400, "Bad request, \"messages\" is too long"));
        assertThat(server.post("/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(200);
        assertThat(server.post("/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(400);
        String id = json(server.get("/api/sessions/active")).path("session_id").asText();

        HttpResponse<String> response = server.get("/api/export/csv?session_id=" + id);
        assertThat(response.statusCode()).isEqualTo(200);
        String body = response.body();
        assertThat(body).as("every row ends in CRLF, none in a bare LF").endsWith("\r\n")
                .doesNotContainPattern("[^\r]\n");
        List<List<String>> rows = parse(body);
        assertThat(rows).hasSize(3);
        List<String> header = rows.get(0);
        assertThat(body.substring(0, body.indexOf("\r\n"))).as("every header name is text, so quoted")
                .matches("(\"[a-z_]+\",)*\"[a-z_]+\"").startsWith("\"request_id\",\"session_id\",\"timestamp\"");
        assertThat(rows).allSatisfy(row -> assertThat(row).hasSameSizeAs(header));
        assertThat(header).as("the columns keep the order they had before the wire model (readers may go by "
                + "position); later additions come after them")
                .startsWith("request_id", "session_id", "timestamp", "provider", "model", "upstream_model", "stream",
                        "status", "http_status", "error_type", "error_message", "prompt_tokens", "completion_tokens",
                        "total_tokens", "cached_tokens", "usage_source", "estimated_prompt_tokens",
                        "estimated_completion_tokens", "reported_prompt_tokens", "reported_completion_tokens",
                        "cost_usd", "latency_ms", "ttft_ms", "source", "estimated_reply_bytes", "accounting_error");

        List<String> ok = rows.get(1);
        assertThat(ok.get(header.indexOf("cost_usd"))).as("no exponent").isEqualTo("0.0000725");
        assertThat(ok.get(header.indexOf("prompt_tokens"))).isEqualTo("100");
        assertThat(ok.get(header.indexOf("status"))).isEqualTo("success");
        assertThat(body).as("numbers bare, text quoted").contains(",100,5,105,").contains(",\"kimi-k2\",")
                .contains(",0.0000725,");

        List<String> failed = rows.get(2);
        assertThat(failed.get(header.indexOf("status"))).isEqualTo("error");
        assertThat(new BigDecimal(failed.get(header.indexOf("cost_usd"))).signum()).isZero();
        String message = failed.get(header.indexOf("error_message"));
        assertThat(message).contains("Bad request, \"messages\" is too long");
        assertThat(body).as("its quotes doubled inside the quotes")
                .contains(",\"" + message.replace("\"", "\"\"") + "\",");
    }

    @Test
    void offsetAndLimitPageThroughAProxySessionOldestFirst() {
        for (int i = 0; i < 5; i++) {
            fake.enqueue(Reply.chatCompletion("ok " + i, 10 + i, 1));
            assertThat(server.post("/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(200);
        }
        String id = json(server.get("/api/sessions/active")).path("session_id").asText();
        List<String> all = json(server.get("/api/export/json?session_id=" + id)).path("requests")
                .findValuesAsText("request_id");
        assertThat(json(server.get("/api/export/json?session_id=" + id)).path("requests")
                .findValues("prompt_tokens")).as("oldest first").extracting(n -> n.asInt())
                .containsExactly(10, 11, 12, 13, 14);

        var page = json(server.get("/api/export/json?session_id=" + id + "&offset=1&limit=2"));
        assertThat(page.path("requests").findValuesAsText("request_id")).isEqualTo(all.subList(1, 3));
        assertThat(page.path("total").asInt()).isEqualTo(5);
        List<List<String>> last = parse(server.get("/api/export/csv?session_id=" + id + "&offset=4&limit=2").body());
        assertThat(last).hasSize(2);
        assertThat(last.get(1).get(0)).isEqualTo(all.get(4));
        assertThat(server.get("/api/export/csv?session_id=" + id + "&offset=-1").statusCode()).isEqualTo(400);
    }

    /** RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
    private static List<List<String>> parse(String csv) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i++;
            } else {
                field.append(c);
            }
        }
        assertThat(quoted).as("no unterminated quote").isFalse();
        assertThat(field.length() == 0 && row.isEmpty()).as("the last row ends in CRLF").isTrue();
        return rows;
    }
}
