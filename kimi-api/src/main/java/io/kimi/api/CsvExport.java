package io.kimi.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Rows as CSV by RFC 4180, with one rule per kind of value so that every file reads the same way: a header row;
 * CRLF after every record; every text value (header names included) in double quotes, a quote inside doubled;
 * numbers and booleans bare, numbers in plain decimal notation ({@code 0.0000725}, never {@code 7.25E-5}); an
 * absent value empty. A column may hold a JSON object, written as JSON text (its numbers plain too).
 *
 * <p>A text value that a spreadsheet would run as a formula (first character {@code = + - @}, a tab or a carriage
 * return: CSV injection, as OWASP describes it) is written with a leading apostrophe, which spreadsheets take as
 * "this is text". Such text comes from outsiders (a loop's event types, an upstream's words); the JSON export keeps
 * every value exact. Numbers are never text, so negative numbers stay bare. Thread-safe.
 */
final class CsvExport {
    /** First characters that make spreadsheets evaluate a cell. */
    private static final String FORMULA_STARTS = "=+-@\t\r";

    private final CsvMapper csv = CsvMapper.builder()
            .enable(CsvGenerator.Feature.ALWAYS_QUOTE_STRINGS)
            .enable(CsvGenerator.Feature.ALWAYS_QUOTE_EMPTY_STRINGS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();
    /** For objects and arrays written as JSON text in a cell (BigDecimals plain: ServerJson's configuration). */
    private final ObjectMapper json;

    /** @param json the server's configured mapper, for cells holding objects and arrays */
    CsvExport(ObjectMapper json) {
        this.json = requireNonNull(json, "json");
    }

    /**
     * @param columns the header, in order; each row's fields of these names are written (a missing one empty)
     * @param rows flat objects: text, numbers, booleans, nulls, or objects and arrays (written as JSON text)
     */
    byte[] write(List<String> columns, List<ObjectNode> rows) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true).setLineSeparator("\r\n");
        columns.forEach(schema::addColumn);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var writer = csv.writer(schema.build()).writeValues(out)) {
            for (ObjectNode row : rows) {
                writer.write(flat(row));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing CSV to memory failed", e);
        }
        return out.toByteArray();
    }

    /** The row with nested objects and arrays as JSON text, and every floating-point number as a plain decimal. */
    private ObjectNode flat(ObjectNode row) {
        ObjectNode flat = row.objectNode();
        for (Map.Entry<String, JsonNode> field : row.properties()) {
            JsonNode value = field.getValue();
            if (value.isContainerNode()) {
                flat.put(field.getKey(), jsonText(plain(value)));
            } else if (value.isTextual()) {
                flat.put(field.getKey(), defused(value.textValue()));
            } else {
                flat.set(field.getKey(), plain(value));
            }
        }
        return flat;
    }

    /** The text, with a leading apostrophe when a spreadsheet would otherwise read it as a formula. */
    static String defused(String text) {
        return !text.isEmpty() && FORMULA_STARTS.indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    }

    private String jsonText(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
    }

    /**
     * A copy whose binary floating-point numbers are decimals of the same shortest digits ({@code 7.25E-5} becomes
     * {@code 0.0000725}): a finite double has at most about 330 digits written out in full.
     */
    static JsonNode plain(JsonNode node) {
        if (node.isFloatingPointNumber() && !node.isBigDecimal()) {
            double d = node.doubleValue();
            return Double.isFinite(d) ? DecimalNode.valueOf(BigDecimal.valueOf(d)) : node;
        }
        if (node.isObject()) {
            ObjectNode copy = ((ObjectNode) node).objectNode();
            node.properties().forEach(e -> copy.set(e.getKey(), plain(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = ((ArrayNode) node).arrayNode();
            node.forEach(e -> copy.add(plain(e)));
            return copy;
        }
        return node;
    }
}
